"""Building a pydantic model from values that are already valid, without validating again.

For hot paths only (~100,000 objects a second), where every value comes from something
that was itself validated — a decoded event's fields, a board state's. It does what
`BaseModel.model_construct` does minus its pass over defaults, in a quarter of the time:
`values` must therefore hold every field, already of the field's type.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_new = object.__new__
# BaseModel's slots, set through their descriptors: frozen models refuse their own
# __setattr__, and the descriptors are a third quicker than object.__setattr__.
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def trusted(model: type[M], values: dict[str, Any], fields_set: set[str] | None = None) -> M:
    """An instance of `model` holding `values` (all its fields, already valid).

    Args:
        model: a pydantic model without private attributes or extra fields.
        values: every field's value; the dict becomes the instance's, so pass a new one.
        fields_set: the fields given explicitly (pydantic's `model_fields_set`); all of
            `values` when omitted. Instances of a frozen model may share one set: pydantic
            changes it in place only in `__setattr__`, which a frozen model refuses
            (`model_copy` copies it first).
    """
    instance: M = _new(model)
    _set_dict(instance, values)
    _set_fields_set(instance, set(values) if fields_set is None else fields_set)
    _set_extra(instance, None)
    _set_private(instance, None)
    return instance


def all_fields(model: type[BaseModel]) -> set[str]:
    """A `fields_set` naming every field of `model`, to share between its instances."""
    return set(model.model_fields)
