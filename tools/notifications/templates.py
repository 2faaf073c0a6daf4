"""Compose a passenger message in their language from the templates.

Jinja2 templates, ``tools/templates/<language>/<kind>.txt.j2``, each with a ``subject``
and a ``body`` block, picked by the customer's language tag (``de-DE`` → ``de``); English
when we lack the language (`Rendered.fell_back`). Every field is shown as one line of
data, never evaluated. Templates are short on purpose: they are read on a phone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import jinja2

from tools.notifications.kinds import SPECS, FieldValue, MessageKind
from travel_agent.errors import TravelAgentError

TEMPLATES = Path(__file__).parent.parent / "templates"
DEFAULT_LANGUAGE = "en"

MAX_FIELD = 200
"""Longest a field's value is shown; a longer one is cut (it would not fit a text anyway)."""


class MessageTemplateError(TravelAgentError):
    """A message cannot be composed: its template is missing or broken."""


class MessageFieldError(MessageTemplateError):
    """The fields do not fit the message: one is missing, blank or of the wrong shape."""


# --- composing --------------------------------------------------------------------------

# Control, zero-width and bidirectional-override characters: a field is one line of data.
# Unchecked, a newline would start a new header in an email subject, and a bidi override
# could make the text around it read as something else.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def as_data(value: object) -> str:
    """`value` as it may appear in a message: one line, no control characters, bounded.

    Every ``{{ ... }}`` output passes through here (the environment's ``finalize``). Jinja
    never evaluates what a value contains, so ``{{ 7*7 }}`` inside a field stays text.
    """
    text = " ".join(_UNSAFE.sub(" ", str(value)).split())
    return text if len(text) <= MAX_FIELD else text[: MAX_FIELD - 3] + "..."


def normalise_language(tag: str | None) -> str:
    """The primary language of a BCP 47 tag or POSIX locale: ``de-DE``, ``DE``, ``de_DE.UTF-8``
    → ``de``; ``""`` when there is none. ``zh-Hant`` gives ``zh`` (our Chinese is simplified)."""
    primary = re.split(r"[-_.@]", (tag or "").strip(), maxsplit=1)[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else ""


@dataclass(frozen=True)
class Rendered:
    """A composed message."""

    subject: str
    body: str
    language: str
    """The language it is written in."""
    requested: str
    """The customer's language tag, as given."""

    @property
    def fell_back(self) -> bool:
        """Written in English because we lack the customer's language."""
        return self.language != normalise_language(self.requested)


class MessageTemplates:
    """The templates under `root`: ``<language>/<kind>.txt.j2``, a subject and a body block.

    Args:
        root: the template directory; one subdirectory per language.
    """

    def __init__(self, root: Path = TEMPLATES) -> None:
        self.root = root
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(root),
            # Plain text, not HTML: escaping would show "&amp;". Fields go through
            # `as_data` instead, and a missing one fails rather than rendering blank.
            autoescape=False,
            undefined=jinja2.StrictUndefined,
            finalize=as_data,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self._found: dict[tuple[str, MessageKind], bool] = {}

    @cached_property
    def languages(self) -> frozenset[str]:
        """The languages with a template directory."""
        return frozenset(p.name for p in self.root.iterdir() if p.is_dir())

    def path(self, language: str, kind: MessageKind) -> str:
        return f"{language}/{kind.value}.txt.j2"

    def has(self, language: str, kind: MessageKind) -> bool:
        # Looked up once per (language, kind): a stat of the file per message rendered
        # was a storm's largest filesystem cost, and the environment above caches the
        # templates it loaded for the process's life anyway (`auto_reload=False`).
        found = self._found.get((language, kind))
        if found is None:
            found = language in self.languages and (self.root / self.path(language, kind)).is_file()
            self._found[(language, kind)] = found
        return found

    def render(
        self, kind: MessageKind, language: str | None, fields: Mapping[str, FieldValue]
    ) -> Rendered:
        """The message of `kind` in `language` (English when we lack it) from `fields`.

        Raises:
            MessageFieldError: a field the kind needs is missing, blank or mis-shaped.
            MessageTemplateError: the template is missing or broken.
        """
        values = _values(kind, fields)
        wanted = normalise_language(language)
        lang = wanted if self.has(wanted, kind) else DEFAULT_LANGUAGE
        name = self.path(lang, kind)
        try:
            template = self._env.get_template(name)
            if not {"subject", "body"} <= template.blocks.keys():
                raise MessageTemplateError(f"{name} needs a subject and a body block")
            context = template.new_context(values)
            subject = "".join(template.blocks["subject"](context))
            body = "".join(template.blocks["body"](context))
        except jinja2.UndefinedError as exc:
            raise MessageFieldError(f"{name}: {exc.message}") from exc
        except jinja2.TemplateError as exc:
            raise MessageTemplateError(f"{name}: {exc}") from exc
        lines = (line.strip() for line in body.strip().splitlines())
        return Rendered(
            subject=" ".join(subject.split()),
            body="\n".join(line for line in lines if line),
            language=lang,
            requested=language or "",
        )


def _blank(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Sequence):
        return not any(isinstance(item, str) and item.strip() for item in value)
    return value is None


def _values(kind: MessageKind, fields: Mapping[str, FieldValue]) -> dict[str, Any]:
    """The fields `kind` uses, checked; optional ones default to ``""`` (a list: empty)."""
    spec = SPECS[kind]
    missing = [name for name in spec.required if _blank(fields.get(name))]
    if missing:
        raise MessageFieldError(f"the {kind.value} message needs {', '.join(missing)}")
    if spec.one_of and all(_blank(fields.get(name)) for name in spec.one_of):
        raise MessageFieldError(f"the {kind.value} message needs {' or '.join(spec.one_of)}")
    values: dict[str, Any] = {}
    for name in (*spec.required, *spec.optional):
        # An optional list left out is an empty one (templates test it with `{% if %}`).
        value = fields.get(name, () if name in spec.lists else "")
        if name in spec.lists:
            if isinstance(value, str) or not all(isinstance(v, str) and v.strip() for v in value):
                raise MessageFieldError(f"{name} is a list of non-empty strings")
            values[name] = list(value)
        elif isinstance(value, str):
            values[name] = value
        else:
            raise MessageFieldError(f"{name} is a string, not {type(value).__name__}")
    return values


@cache
def default_templates() -> MessageTemplates:
    """The templates shipped in ``tools/templates``, loaded once per process."""
    return MessageTemplates()


def render(kind: MessageKind, language: str | None, fields: Mapping[str, FieldValue]) -> Rendered:
    """`MessageTemplates.render` with the shipped templates."""
    return default_templates().render(kind, language, fields)


def compose(
    kind: MessageKind, language: str | None, fields: Mapping[str, FieldValue]
) -> tuple[str, str]:
    """Subject and body for `kind` in `language` (English when we lack the language)."""
    message = render(kind, language, fields)
    return message.subject, message.body
