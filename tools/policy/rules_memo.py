"""RulesMemo: `entitlements()` answered once for every passenger it would answer alike.

A wave of a storm disrupts thousands of passengers on a few dozen flights. What the
rules owe them (`tools.policy.entitlements.entitlements`) is a pure function of the
`Disruption` (the flight, the journey, the option offered, the moment of notice), the
`BookingFacts` (the party and the ticket), the airports and the readings of the rules
(`PolicyConfig`). Passengers differ in many of these, yet the rules read only some of
them, and some only on some paths: the price only for a downgrade (EU261/UK261 Art 10),
reduced mobility only for a less accessible option (14 CFR 382), the moment the
passenger is told only where a rule measures the notice (EU261 Art 5(1)(c), APPR).

So the memo keys an answer by what the computation read, found by watching it read
rather than by listing it by hand (a list would go stale the day a rule reads one more
fact). Each input is handed to the rules as a watching copy (`_Watching`) that records
the fields read, a method or property of its class reading through it too; an access to
anything else of it (a dump, a copy) counts every field. What one computation read is
its path through the rules (`_Path`): the names of the fields read of each input. Its
answer is kept under the values of those fields, by value and type (an aware time also
by its zone: equal instants in two zones give the rules different local hours).

Why a hit is the very answer a fresh computation gives: a later question whose values
of a path's fields are those an answer was kept under would take that same path through
the rules, reading the same values in the same order, and end with the same answer. The
airports and config are compared by identity (as `tools.policy.owed_memo` compares the
schedule): a memo asked with others forgets what it knew. `Entitlements` is frozen, so
one answer can be handed to many passengers.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel

from airline.models import Airport
from tools.policy.config import PolicyConfig
from tools.policy.entitlements import entitlements
from tools.policy.facts import BookingFacts, Disruption
from tools.policy.results import Entitlements

__all__ = ["RULES_MEMO_SIZE", "RulesMemo"]

RULES_MEMO_SIZE = 4096
"""Answers kept per path through the rules (the oldest go first)."""
PATHS = 64
"""Paths kept (the least recently used goes first): each is looked up on every question."""
_EVERYTHING = "*"
M = TypeVar("M", bound=BaseModel)


def _strict(value: Any) -> Hashable:
    """`value` as a key that equal-but-different values do not share: 1, 1.0 and True
    differ by type, equal instants by zone."""
    if isinstance(value, datetime):
        return (datetime, value, value.tzinfo)
    if isinstance(value, tuple | list | frozenset | set):
        return (type(value), tuple(_strict(v) for v in value))
    return (type(value), value)


def _own(model: type[BaseModel]) -> frozenset[str]:
    """The public methods and properties of `model` (they read its fields through the
    instance, so a watching copy records what they read)."""
    return frozenset(
        name
        for klass in model.__mro__
        if klass is not BaseModel and issubclass(klass, BaseModel)
        for name, value in vars(klass).items()
        if not name.startswith("_")
        and (callable(value) or isinstance(value, property | classmethod | staticmethod))
    ) - frozenset(model.model_fields)


class _Watching:
    """Records in its private ``reads`` the names of the fields read of it (a model
    class of its own mixes it in, `_WatchedFacts`, `_WatchedDisruption`)."""

    fields_: ClassVar[frozenset[str]]
    own_: ClassVar[frozenset[str]]

    def __getattribute__(self, name: str) -> Any:
        cls = object.__getattribute__(self, "__class__")
        if name not in cls.own_ and name not in ("__class__", "__pydantic_private__"):
            private = object.__getattribute__(self, "__pydantic_private__")
            if private:
                private["reads"].add(name if name in cls.fields_ else _EVERYTHING)
        return super().__getattribute__(name)


class _WatchedFacts(_Watching, BookingFacts):
    fields_: ClassVar[frozenset[str]] = frozenset(BookingFacts.model_fields)
    own_: ClassVar[frozenset[str]] = _own(BookingFacts)


class _WatchedDisruption(_Watching, Disruption):
    fields_: ClassVar[frozenset[str]] = frozenset(Disruption.model_fields)
    own_: ClassVar[frozenset[str]] = _own(Disruption)


def _watched(model: M, watching: type[M]) -> tuple[M, set[str]]:
    """A copy of `model` that records the names of the fields read of it into the set."""
    copy = watching.model_construct(
        **{name: getattr(model, name) for name in type(model).model_fields}
    )
    reads: set[str] = set()
    object.__setattr__(copy, "__pydantic_private__", {"reads": reads})
    return copy, reads


def _names(model: BaseModel, reads: set[str]) -> tuple[str, ...]:
    return tuple(sorted(type(model).model_fields if _EVERYTHING in reads else reads))


@dataclass(slots=True)
class _Path:
    """One way through the rules: the fields it read of each input, and the answers
    found along it, by the values of those fields."""

    disruption: tuple[str, ...]
    facts: tuple[str, ...]
    answers: OrderedDict[Hashable, Entitlements] = field(default_factory=OrderedDict)

    def key(self, booking_facts: BookingFacts, disruption: Disruption) -> Hashable:
        return (
            type(disruption),
            type(booking_facts),
            *(_strict(getattr(disruption, name)) for name in self.disruption),
            *(_strict(getattr(booking_facts, name)) for name in self.facts),
        )


class RulesMemo:
    """`entitlements()` per what it read (module docstring); bounded, in memory."""

    def __init__(self, size: int = RULES_MEMO_SIZE) -> None:
        self._size = size
        self._paths: OrderedDict[tuple[tuple[str, ...], tuple[str, ...]], _Path] = OrderedDict()
        self._airports: Mapping[str, Airport] | None = None
        self._config: PolicyConfig | None = None
        self.computed = 0
        """How many answers were computed (not found): what a test counts."""

    def entitlements(
        self,
        booking_facts: BookingFacts,
        disruption: Disruption,
        *,
        airports: Mapping[str, Airport],
        config: PolicyConfig | None = None,
    ) -> Entitlements:
        """`tools.policy.entitlements.entitlements`, answered from the memo when it can."""
        if airports is not self._airports or config is not self._config:
            self._paths.clear()
            self._airports, self._config = airports, config
        for names, known in self._paths.items():
            found = known.answers.get(known.key(booking_facts, disruption))
            if found is not None:
                self._paths.move_to_end(names, last=False)
                return found
        facts, facts_read = _watched(booking_facts, _WatchedFacts)
        watched, disruption_read = _watched(disruption, _WatchedDisruption)
        owed = entitlements(facts, watched, airports=airports, config=config)
        self.computed += 1
        names = (_names(disruption, disruption_read), _names(booking_facts, facts_read))
        path = self._paths.get(names)
        if path is None:
            path = self._paths[names] = _Path(*names)
            while len(self._paths) > PATHS:
                self._paths.popitem()
        path.answers[path.key(booking_facts, disruption)] = owed
        while len(path.answers) > self._size:
            path.answers.popitem(last=False)
        return owed
