"""The scenario format: a world, a timeline of events and operator decisions, expectations.

A scenario is one YAML file (see ``evals/README.md``)::

    name: cancellation-rebooks-same-cabin-same-day
    world: {seed: small, flights: [...], customers: [...], bookings: [...], memory: [...]}
    events:
      - {at: 0m, flight: XA101, status: cancelled, reason: crew}
    expect:
      - {rebooked: {booking: PNR123, arrives_before: "+4h", cabin: same}}

`load_scenario` reads and validates one file; every mistake is reported with the file
and the path inside it (``world.bookings[2].segments[0].flight: ...``).
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from airline.models import (
    FlightStatus,
    ReasonCode,
)
from evals.scenario_world import ScenarioError, SpecModel, WorldSpec, parse_duration, split_flight

__all__ = [
    "EXPECTATION_KINDS",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "load_scenarios",
    "parse_duration",
]


# --- the timeline -----------------------------------------------------------------------


class EventSpec(SpecModel):
    """A flight-status event fed to the stream at `at` (or raw bytes, to be dead-lettered)."""

    at: str = Field(description="relative to the scenario start, e.g. 0m, 90s, 2h")
    flight: str | None = None
    date: dt.date | None = None
    status: FlightStatus | None = None
    reason: ReasonCode | None = None
    delay: str | None = Field(default=None, description="departure and arrival shift, e.g. 3h")
    arrival_delay: str | None = Field(default=None, description="default: `delay`")
    gate: str | None = None
    diverted_to: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    id: str | None = Field(default=None, description="event id; repeat one for a duplicate")
    emitted: str | None = Field(
        default=None, description="emitted_at relative to the start; default `at`"
    )
    raw: str | None = Field(default=None, description="bytes to publish as they are")

    @field_validator("at", "delay", "arrival_delay", "emitted")
    @classmethod
    def _durations(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value

    @model_validator(mode="after")
    def _complete(self) -> EventSpec:
        if self.raw is None and (self.flight is None or self.status is None):
            raise ValueError("an event needs `flight` and `status` (or `raw` bytes)")
        if self.flight is not None:
            split_flight(self.flight)
        return self

    @property
    def offset(self) -> timedelta:
        return parse_duration(self.at)


class DecisionSpec(SpecModel):
    """An operator's decision on the booking's pending approval, at `at`."""

    at: str
    booking: str
    verdict: Literal["approve", "edit", "reject"]
    option: int | None = None  # as the desk numbers them: 1 = the agent's best
    flight: str | None = None  # the flight the operator means; checked against the option
    reason: str | None = None
    operator: str = "eval-operator"

    @field_validator("at")
    @classmethod
    def _at(cls, value: str) -> str:
        parse_duration(value)
        return value

    @property
    def offset(self) -> timedelta:
        return parse_duration(self.at)


class ChoiceSpec(SpecModel):
    """A passenger's choice, recorded at `at` as the desk records it: ``refund`` takes the
    refund for the journey of `flight` (default: the booking's first flight); ``answer``
    answers the booking's newest offer for the passenger, as an operator who read their
    words does from the conversation: `answer` is an option's number or ``refund``."""

    at: str
    booking: str
    choice: Literal["refund", "answer"] = "refund"
    answer: int | Literal["refund"] | None = Field(
        default=None, description="for choice answer: the option (1-based) or refund"
    )
    flight: str | None = None
    date: dt.date | None = None
    by: str = Field(default="eval-desk", description="who recorded it")

    @model_validator(mode="after")
    def _answer(self) -> ChoiceSpec:
        if (self.choice == "answer") != (self.answer is not None):
            raise ValueError("choice answer names its answer (an option's number or refund)")
        return self

    @field_validator("at")
    @classmethod
    def _at(cls, value: str) -> str:
        parse_duration(value)
        return value

    @property
    def offset(self) -> timedelta:
        return parse_duration(self.at)


class ReplySpec(SpecModel):
    """A passenger's answer to the offer on their booking, at `at` (see evals/README.md):
    ``accept`` keeps the offered flights, ``option`` N (1-based, as the message numbers
    them) takes another, ``decline`` asks for the money back, ``text`` is words of their
    own (to the operator desk)."""

    at: str
    booking: str
    answer: Literal["accept", "option", "decline", "text"]
    option: int | None = Field(default=None, ge=1, le=20)
    text: str = ""
    channel: Literal["webhook", "sms", "email"] = "sms"
    offer: int | None = Field(
        default=None,
        ge=1,
        description="the booking's Nth offer (1-based, in the order made) this answers, as "
        "a reply that names its offer does (the webhook's offer_id); default: none named, "
        "as a text message, which the desk reads as an answer to the newest open offer",
    )

    @field_validator("at")
    @classmethod
    def _at(cls, value: str) -> str:
        parse_duration(value)
        return value

    @model_validator(mode="after")
    def _option(self) -> ReplySpec:
        if self.answer == "option" and self.option is None:
            raise ValueError("answer: option names the option (option: N)")
        return self

    @property
    def offset(self) -> timedelta:
        return parse_duration(self.at)


# --- expectations -----------------------------------------------------------------------

EXPECTATION_KINDS: dict[str, str] = {
    "rebooked": "the booking was moved onto another itinerary, with conditions",
    "not_rebooked": "the booking keeps its itinerary",
    "notification": "a message reached the passenger (kind, channel, language, timing)",
    "no_notification": "no message (of a kind) reached the passenger",
    "compensation": "compensation was paid under a regime, of an amount",
    "no_compensation": "no compensation was paid",
    "refund_offered": "a refund was offered",
    "care": "care (meals, hotel) was issued",
    "no_care": "no care was issued",
    "approval_requested": "the case asked a human",
    "no_approval": "the case did not ask a human",
    "approval": "an approval ended in a status (approved, rejected, expired, ...)",
    "no_action": "no effect of any kind on the booking",
    "message_superseded": "an undelivered message was replaced by newer news",
    "quiet_hours": "no message was delivered during the passenger's night",
    "case": "the booking's case ended with an outcome / status",
    "effects": "how many effects of an action the booking got (exactly-once checks)",
    "dead_lettered": "records went to the dead-letter topic",
    "message_excludes": "no message to the passenger contains a text",
    # Passengers' rights (evals.rights_expectations).
    "decision": "what the desk answered a scripted operator decision (recorded or refused)",
    "refunded": "a passenger's refund choice was carried out (amount, deadline, journeys)",
    "no_refund": "no refund was carried out",
    "recipients": "how many recipients of the booking were told (the contact, passengers)",
    "deadline_met": "a message with a legal deadline reached the passenger by it",
    "care_periods": "care issued for this many disruptions, for this many travellers",
    "load": "a flight's seats sold (never above capacity)",
    "offer": "the offer made to the passenger ended in a status (open, accepted, changed, "
    "declined, defaulted)",
    "reply": "what became of the passenger's answer (its result starts with a text)",
    "oracle": "the independent oracle (evals/oracle) finds nothing wrong (`ignore`: checks)",
}


class Expectation(BaseModel):
    """One expectation: a single key naming its kind, whose value holds its fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    spec: dict[str, Any]

    @model_validator(mode="before")
    @classmethod
    def _one_key(cls, data: Any) -> Any:
        if isinstance(data, dict) and set(data) == {"kind", "spec"}:
            return data
        if not isinstance(data, dict) or len(data) != 1:
            raise ValueError(
                "an expectation is a mapping with exactly one key, its kind: "
                + ", ".join(EXPECTATION_KINDS)
            )
        ((kind, spec),) = data.items()
        if kind not in EXPECTATION_KINDS:
            raise ValueError(
                f"unknown expectation kind {kind!r}; known: {', '.join(EXPECTATION_KINDS)}"
            )
        if spec is None:
            spec = {}
        if not isinstance(spec, dict):
            raise ValueError(f"{kind}: expected a mapping of fields, got {type(spec).__name__}")
        return {"kind": kind, "spec": spec}


class InjectionSpec(SpecModel):
    """A planted text and what it asks for, so the oracle can check it was not done."""

    booking: str
    where: str = Field(description="name, note, memory, ssr, reply")
    text: str
    asks: dict[str, str | int | float | bool] = Field(default_factory=dict)


class OracleSpec(SpecModel):
    """What the independent oracle (`evals.oracle`) needs beyond the world."""

    injections: list[InjectionSpec] = Field(default_factory=list)
    groups: list[list[str]] = Field(
        default_factory=list, description="linked bookings that must travel together"
    )
    horizon: str | None = Field(
        default=None, description="how far the oracle searches for a seat; default the agent's"
    )


class Scenario(SpecModel):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    world: WorldSpec = WorldSpec()
    settings: dict[str, Any] = Field(
        default_factory=dict, description="overrides of Settings, e.g. {agent: {...}}"
    )
    events: list[EventSpec] = Field(default_factory=list)
    operator: list[DecisionSpec] = Field(default_factory=list)
    choices: list[ChoiceSpec] = Field(
        default_factory=list, description="passengers' choices, recorded as the desk does"
    )
    passenger: list[ReplySpec] = Field(
        default_factory=list, description="the passengers' scripted answers to their offers"
    )
    run_for: str = Field(default="1h", description="how long after the last step to keep going")
    oracle: OracleSpec = OracleSpec()
    expect: list[Expectation] = Field(min_length=1)
    path: str = Field(default="", description="the file it came from (set by the loader)")

    @field_validator("run_for")
    @classmethod
    def _run_for(cls, value: str) -> str:
        parse_duration(value)
        return value

    @model_validator(mode="after")
    def _check_expectations(self) -> Scenario:
        from evals.expectation_specs import validate_spec

        pnrs = {b.pnr for b in self.world.bookings}
        customers = {c.id for c in self.world.customers} | {
            f"{b.pnr}-P{n}"  # a passenger told on a contact of their own
            for b in self.world.bookings
            for n, p in enumerate(b.passengers, start=1)
            if p.contact
        }
        for i, expectation in enumerate(self.expect):
            problem = validate_spec(expectation.kind, expectation.spec, pnrs, customers)
            if problem:
                raise ValueError(f"expect[{i}].{expectation.kind}: {problem}")
        for i, decision in enumerate(self.operator):
            if decision.booking not in pnrs:
                raise ValueError(f"operator[{i}] names unknown booking {decision.booking!r}")
        for i, choice in enumerate(self.choices):
            if choice.booking not in pnrs:
                raise ValueError(f"choices[{i}] names unknown booking {choice.booking!r}")
        for i, answer in enumerate(self.passenger):
            if answer.booking not in pnrs:
                raise ValueError(f"passenger[{i}] names unknown booking {answer.booking!r}")
        return self


def _where(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(scenario)"


def parse_scenario(data: Any, *, source: str = "<scenario>") -> Scenario:
    """Validate already-parsed YAML; errors name `source` and the path inside it."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: a scenario is a mapping, not {type(data).__name__}")
    try:
        return Scenario.model_validate({**data, "path": source})
    except PydanticValidationError as exc:
        lines = []
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if p not in ("function-after[_one_key()]",))
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"{source}: {_where(loc)}: {message}")
        raise ScenarioError("\n".join(lines)) from None


def load_scenario(path: Path) -> Scenario:
    """Read and validate one scenario file.

    Raises:
        ScenarioError: unreadable, not YAML, or invalid; says where.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{path}:{where}: not valid YAML: {problem}") from None
    return parse_scenario(data, source=str(path))


def load_scenarios(paths: list[Path]) -> list[Scenario]:
    """Every scenario in `paths` (files, or directories searched for ``*.yaml``), by name.

    Raises:
        ScenarioError: any file is invalid (all problems listed), or two share a name.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")])
        elif path.exists():
            files.append(path)
        else:
            raise ScenarioError(f"{path}: no such file or directory")
    scenarios: list[Scenario] = []
    problems: list[str] = []
    for file in files:
        try:
            scenarios.append(load_scenario(file))
        except ScenarioError as exc:
            problems.append(str(exc))
    if problems:
        raise ScenarioError("\n".join(problems))
    names: dict[str, str] = {}
    for scenario in scenarios:
        if scenario.name in names:
            raise ScenarioError(
                f"{scenario.path}: name {scenario.name!r} is also used by {names[scenario.name]}"
            )
        names[scenario.name] = scenario.path
    if not scenarios:
        raise ScenarioError(f"no scenarios (*.yaml) in {', '.join(map(str, paths))}")
    return sorted(scenarios, key=lambda s: s.name)
