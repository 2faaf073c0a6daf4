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
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from airline.models import (
    Cabin,
    ChannelKind,
    FareFamily,
    FlightStatus,
    LoyaltyTier,
    PassengerType,
    PaymentMethod,
    ReasonCode,
)
from travel_agent.errors import ConfigError

__all__ = [
    "EXPECTATION_KINDS",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "load_scenarios",
    "parse_duration",
]

_DURATION = re.compile(r"^([+-])?\s*((?:\d+(?:\.\d+)?\s*[dhms]\s*)+)$")
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms])")
_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}


class ScenarioError(ConfigError):
    """A scenario file cannot be used; the message names the file and the path in it."""


def parse_duration(text: str | int | float) -> timedelta:
    """``"90s"``, ``"2m"``, ``"+4h"``, ``"-10m"``, ``"1h30m"``, ``"2d"`` → timedelta.

    A bare number is minutes.
    """
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a duration")
    if isinstance(text, int | float):
        return timedelta(minutes=text)
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a duration like 90s, 2m, +4h, -10m or 1h30m")
    seconds = sum(float(n) * _UNIT[unit] for n, unit in _PART.findall(match.group(2)))
    return timedelta(seconds=-seconds if match.group(1) == "-" else seconds)


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return parse_duration(value)


def split_flight(code: str) -> tuple[str, int]:
    """``"XA101"`` → ``("XA", 101)``."""
    match = re.fullmatch(r"([A-Z0-9]{2})(\d{1,4})", code)
    if not match:
        raise ValueError(f"{code!r} is not a flight like XA101 (carrier + number)")
    return match.group(1), int(match.group(2))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- the world --------------------------------------------------------------------------


class FlightSpec(_Model):
    """A flight of the world. Times are UTC: ``"08:00"`` on `date`, or a full ISO time."""

    flight: str = Field(description="carrier and number, e.g. XA101")
    date: dt.date | None = Field(default=None, description="service date; default: world date")
    origin: str = Field(alias="from", pattern=r"^[A-Z]{3}$")
    destination: str = Field(alias="to", pattern=r"^[A-Z]{3}$")
    dep: str = Field(description='UTC "HH:MM" on the date, or ISO datetime with offset')
    arr: str = Field(description='UTC "HH:MM" (next day if before dep), or ISO datetime')
    cabins: dict[Cabin, int] | None = Field(
        default=None, description="capacity per cabin; default by distance"
    )
    tail: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("flight")
    @classmethod
    def _flight(cls, value: str) -> str:
        split_flight(value)
        return value

    @field_validator("dep", "arr")
    @classmethod
    def _clock(cls, value: str) -> str:
        _parse_time(value, date(2026, 1, 1))
        return value


def _parse_time(value: str, day: date) -> datetime:
    from datetime import UTC

    text = str(value).strip()
    if re.fullmatch(r"\d{1,2}:\d{2}", text):
        return datetime.combine(day, time.fromisoformat(text.zfill(5)), tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is neither HH:MM nor an ISO datetime") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} needs a time zone offset (or use HH:MM for UTC)")
    return parsed.astimezone(UTC)


class InventorySpec(_Model):
    """Seats already sold to people the scenario does not model."""

    flight: str
    date: dt.date | None = None
    cabin: Cabin = Cabin.ECONOMY
    seats_left: int = Field(ge=0, description="free seats once the scenario's bookings are in")


class ChannelSpec(_Model):
    kind: ChannelKind
    address: str | None = Field(default=None, description="default: a fictional address")
    consent: bool = True
    priority: int = 0


class CustomerSpec(_Model):
    id: str = Field(min_length=1, max_length=16)
    name: str = "Test Passenger"
    language: str = "en"
    tier: LoyaltyTier = LoyaltyTier.NONE
    channels: list[ChannelSpec] = Field(
        default_factory=lambda: [ChannelSpec(kind=ChannelKind.EMAIL)]
    )


class SegmentSpec(_Model):
    flight: str
    date: dt.date | None = None
    cabin: Cabin = Cabin.ECONOMY


class PassengerSpec(_Model):
    """A traveller of the booking; the first is the contact's own traveller by default."""

    name: str | None = Field(default=None, description="default: the customer's, else 'Guest N'")
    type: PassengerType = PassengerType.ADULT
    ssr: list[str] = Field(default_factory=list, description="IATA codes: WCHR, UMNR, ...")
    on_lap_of: int | None = Field(
        default=None, ge=1, description="an infant's adult (passenger number); default 1"
    )
    language: str | None = None
    contact: list[ChannelSpec] = Field(
        default_factory=list, description="their own channels; default: the booking's contact"
    )

    @model_validator(mode="after")
    def _lap(self) -> PassengerSpec:
        if self.on_lap_of is not None and self.type is not PassengerType.INFANT:
            raise ValueError("only an infant travels on a lap (on_lap_of)")
        return self


class JourneySpec(_Model):
    """One origin-to-destination trip of a booking: its flights, in order."""

    segments: list[SegmentSpec] = Field(min_length=1)
    price: float | None = Field(default=None, ge=0, description="its part of the price")


class BookingSpec(_Model):
    """A booking: one journey (`segments`) or several (`journeys`: a return, an open-jaw,
    a multi-city trip), and its passengers (default: one adult, the customer)."""

    pnr: str = Field(pattern=r"^[A-Z0-9]{6}$", description="six-character record locator")
    customer: str
    fare: FareFamily = FareFamily.STANDARD
    price: float = Field(
        default=250.0, ge=0, description="what the booking cost, all passengers, major units"
    )
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    payment: PaymentMethod = Field(
        default=PaymentMethod.CARD, description="card, or other (cash, transfer)"
    )
    segments: list[SegmentSpec] = Field(default_factory=list, description="a one-way booking")
    journeys: list[JourneySpec] = Field(default_factory=list, description="or its journeys")
    passengers: list[PassengerSpec] = Field(default_factory=list)
    ssr: list[str] = Field(
        default_factory=list,
        description="special service requests of the first passenger, IATA codes (WCHR, ...)",
    )

    @model_validator(mode="after")
    def _shape(self) -> BookingSpec:
        if bool(self.segments) == bool(self.journeys):
            raise ValueError("give either segments (one journey) or journeys, not both")
        seats = [i for i, p in enumerate(self.passengers, start=1) if p.type != "infant"]
        for i, p in enumerate(self.passengers, start=1):
            if p.type == "infant":
                lap = p.on_lap_of or 1
                if lap not in seats or self.passengers[lap - 1].type != "adult":
                    raise ValueError(
                        f"passengers[{i - 1}]: an infant travels on an adult's lap; "
                        f"passenger {lap} is not an adult"
                    )
        if self.passengers and not seats:
            raise ValueError("a booking needs a passenger who takes a seat")
        return self

    @property
    def journey_specs(self) -> list[JourneySpec]:
        """Its journeys, a one-way booking's segments as one."""
        return self.journeys or [JourneySpec(segments=self.segments)]

    @property
    def seats(self) -> int:
        """Seats the party takes on each flight (infants on a lap take none)."""
        return sum(p.type != "infant" for p in self.passengers) or 1


class MemorySpec(_Model):
    customer: str
    kind: Literal["preference", "note", "outcome", "message"] = "preference"
    text: str = Field(min_length=1)
    at: str = Field(default="-30d", description="relative to the scenario start")
    metadata: dict[str, str | int | float | bool] = Field(default_factory=dict)

    @field_validator("at")
    @classmethod
    def _at(cls, value: str) -> str:
        parse_duration(value)
        return value


class WorldSpec(_Model):
    seed: str = Field(default="small", description="a named seed: small or empty")
    date: dt.date = Field(default=dt.date(2026, 3, 1), description="the service date")
    start: str = Field(default="05:00", description='scenario time 0: UTC "HH:MM" on `date`')
    flights: list[FlightSpec] = Field(default_factory=list)
    inventory: list[InventorySpec] = Field(default_factory=list)
    customers: list[CustomerSpec] = Field(default_factory=list)
    bookings: list[BookingSpec] = Field(default_factory=list)
    memory: list[MemorySpec] = Field(default_factory=list)

    @property
    def start_at(self) -> datetime:
        return _parse_time(self.start, self.date)

    @model_validator(mode="after")
    def _consistent(self) -> WorldSpec:
        customers = {c.id for c in self.customers}
        for i, booking in enumerate(self.bookings):
            if booking.customer not in customers:
                raise ValueError(
                    f"bookings[{i}] ({booking.pnr}) names customer {booking.customer!r}, "
                    f"which is not among the world's customers {sorted(customers)}"
                )
        pnrs = [b.pnr for b in self.bookings]
        if len(set(pnrs)) != len(pnrs):
            raise ValueError("two bookings share a PNR")
        for i, memory in enumerate(self.memory):
            if memory.customer not in customers:
                raise ValueError(f"memory[{i}] names unknown customer {memory.customer!r}")
        return self


# --- the timeline -----------------------------------------------------------------------


class EventSpec(_Model):
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


class DecisionSpec(_Model):
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


class ChoiceSpec(_Model):
    """A passenger's choice, recorded at `at` as the desk records it: take the refund for
    the journey of `flight` (default: the booking's first flight)."""

    at: str
    booking: str
    choice: Literal["refund"] = "refund"
    flight: str | None = None
    date: dt.date | None = None
    by: str = Field(default="eval-desk", description="who recorded it")

    @field_validator("at")
    @classmethod
    def _at(cls, value: str) -> str:
        parse_duration(value)
        return value

    @property
    def offset(self) -> timedelta:
        return parse_duration(self.at)


class ReplySpec(_Model):
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


class InjectionSpec(_Model):
    """A planted text and what it asks for, so the oracle can check it was not done."""

    booking: str
    where: str = Field(description="name, note, memory, ssr, reply")
    text: str
    asks: dict[str, str | int | float | bool] = Field(default_factory=dict)


class OracleSpec(_Model):
    """What the independent oracle (`evals.oracle`) needs beyond the world."""

    injections: list[InjectionSpec] = Field(default_factory=list)
    groups: list[list[str]] = Field(
        default_factory=list, description="linked bookings that must travel together"
    )
    horizon: str | None = Field(
        default=None, description="how far the oracle searches for a seat; default the agent's"
    )


class Scenario(_Model):
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
        from evals.expectations import validate_spec

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
