"""The message templates: every kind in every language, short, strict, and data kept as data."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from tools.channels.fallback import RoutedMessage
from tools.channels.sms import SmsChannel
from tools.notifications import (
    SPECS,
    FieldValue,
    MessageFieldError,
    MessageKind,
    MessageTemplateError,
    MessageTemplates,
    default_templates,
    normalise_language,
    render,
)

LANGUAGES = ("en", "de", "fr", "es", "zh")
LEG = "XA104 FRA 14:30 → LHR 15:45"
LATER = "XA106 FRA 18:05 → LHR 19:20"
# Typical values of every field any kind uses.
TYPICAL: dict[str, FieldValue] = {
    "flight": "XA102",
    "route": "FRA→LHR",
    "date": "2026-03-01",
    "new_dep": "10:05",
    "minutes": "105",
    "itinerary": LEG,
    "options": [LEG, LATER],
    "link": "https://xa.example/c/ABC123",
    "until": "18:00",
    "amount": "EUR 249.00",
    "days": "7",
    "gate": "B12",
    "old_gate": "A3",
    "voucher": "V7K3Q9",
    "meal": "EUR 15",
    "hotel": "Hotel Mercure",
    "compensation": "EUR 400",
    "citation": "EU261 Art 7(1)(b)",
    "care_meals": "yes",
    "care_hotel": "yes",
    "refund": "EUR 310.00",
    "answer_by": "11:35",
    # The offer's options 2..N as the rebooking lists them (`describe_option`).
    "others": ["XA106 18:05", "XA108+XA312 21:00"],
    "status": "cancelled",
    # A delay told after the flight left (`FlightState.left_before_news`): the landing.
    "departed": "yes",
    "new_arr": "11:50",
}
# What each message must tell, whatever the language (written out, not derived from SPECS).
KEY_FACTS: dict[MessageKind, tuple[str, ...]] = {
    MessageKind.CANCELLED_REBOOKED: ("FRA→LHR", "2026-03-01", LEG),
    MessageKind.CANCELLED_NO_ALTERNATIVE: ("FRA→LHR", "2026-03-01"),
    MessageKind.DIVERTED_REBOOKED: ("FRA→LHR", "2026-03-01", LEG),
    MessageKind.DIVERTED_NO_ALTERNATIVE: ("FRA→LHR", "2026-03-01"),
    MessageKind.MISSED_CONNECTION_REBOOKED: ("FRA→LHR", LEG),
    MessageKind.MISSED_CONNECTION_NO_ALTERNATIVE: ("FRA→LHR",),
    MessageKind.DELAY: ("FRA→LHR", "2026-03-01", "11:50", "105"),
    MessageKind.OFFER: (LEG, LATER, "https://xa.example/c/ABC123", "18:00"),
    MessageKind.REFUND: ("EUR 249.00", "7"),
    MessageKind.GATE_CHANGE: ("B12", "A3", "10:05"),
    MessageKind.CARE: ("V7K3Q9", "EUR 15", "Hotel Mercure"),
    MessageKind.REMINDER: ("FRA→LHR", "2026-03-01", "10:05", "B12"),
    MessageKind.COMPENSATION: ("FRA→LHR", "2026-03-01", "105", "EUR 400", "EU261 Art 7(1)(b)"),
    MessageKind.REBOOKING_PENDING: ("FRA→LHR", "2026-03-01", "18:00"),
    MessageKind.REINSTATED: ("FRA→LHR", "2026-03-01", "10:05"),
    MessageKind.OFFER_REPLACED: ("FRA→LHR", "2026-03-01", LEG, "XA106 18:05", "11:35"),
}


def required(kind: MessageKind) -> dict[str, FieldValue]:
    """Only the fields `kind` cannot do without (plus one of a `one_of` pair)."""
    spec = SPECS[kind]
    return {name: TYPICAL[name] for name in (*spec.required, *spec.one_of[:1])}


def test_every_kind_has_a_template_in_every_language_and_nothing_else_is_there() -> None:
    templates = default_templates()
    assert set(LANGUAGES) <= templates.languages
    assert set(SPECS) == set(MessageKind)
    kinds = {kind.value for kind in MessageKind}
    for language in templates.languages:
        names = {p.name.removesuffix(".txt.j2") for p in (templates.root / language).iterdir()}
        assert names == kinds, language


@pytest.mark.parametrize("kind", list(MessageKind))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_renders_in_every_language_with_its_key_facts(
    kind: MessageKind, language: str
) -> None:
    message = render(kind, language, TYPICAL)
    assert (message.language, message.fell_back) == (language, False)
    assert "XA102" in message.subject and "XA102" in message.body
    for fact in KEY_FACTS[kind]:
        assert fact in message.body, fact
    assert "\n" not in message.subject
    # No placeholder left, nothing dangling (French puts a space before a colon: allowed).
    assert not re.search(r"[{}]|\s[.,)]|\(\s|  ", message.body + message.subject)


@pytest.mark.parametrize("kind", list(MessageKind))
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_fields_a_kind_requires_are_enough_and_absent_options_leave_no_trace(
    kind: MessageKind, language: str
) -> None:
    fields = required(kind)
    message = render(kind, language, fields)
    for name in SPECS[kind].optional:
        if name not in fields:
            absent = TYPICAL[name]
            for value in [absent] if isinstance(absent, str) else absent:
                assert value not in message.body, name
    # No empty brackets, dangling connectors or doubled spaces where an option was.
    assert not re.search(r"\(\)|（）|（原为 ）|\s[.,)]|  |\b(and|und|et|y)\.", message.body)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "kind",
    [
        MessageKind.CANCELLED_REBOOKED,
        MessageKind.DIVERTED_REBOOKED,
        MessageKind.MISSED_CONNECTION_REBOOKED,
    ],
)
def test_a_rebooking_tells_the_word_that_takes_the_refund_and_until_when(
    kind: MessageKind, language: str
) -> None:
    # "Just reply" was read as words of their own (to the desk), never as the refund: the
    # message names the one word the inbound adapters read as declining.
    from tools.channels.inbound import interpret

    body = render(kind, language, TYPICAL).body
    line = next(line for line in body.splitlines() if "EUR 310.00" in line)
    assert "11:35" in line
    words = re.findall(r"[A-Z]{5,}|退款", line.split("EUR 310.00", 1)[1])
    assert words and all(interpret(word).choice == "decline" for word in words), line


REBOOKED = [
    MessageKind.CANCELLED_REBOOKED,
    MessageKind.DIVERTED_REBOOKED,
    MessageKind.MISSED_CONNECTION_REBOOKED,
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", REBOOKED)
def test_a_rebooking_lists_every_other_option_by_its_number_within_the_sms_limit(
    kind: MessageKind, language: str
) -> None:
    # The most an offer holds (options 2..MAX_OPTIONS), with everything owed told too:
    # still one text, so "reply 4" can be read where it is asked for.
    from agent.offer_terms import MAX_OPTIONS
    from tools.channels.inbound import interpret

    others = [f"XA{110 + n}+XA{310 + n} 2 Mar 0{n}:05" for n in range(MAX_OPTIONS - 1)]
    body = render(kind, language, {**TYPICAL, "others": others}).body

    (line,) = [line for line in body.splitlines() if others[0] in line]
    for number, other in enumerate(others, start=2):
        assert re.search(rf"(^|[\s：；]){number}(\) |、){re.escape(other)}", line), (number, line)
        assert interpret(str(number)).option == number
    assert "EUR 310.00" not in line and LEG not in line  # a line of its own
    sent_by_default = inspect.signature(SmsChannel).parameters["max_segments"].default
    assert _sms_segments(body, language, kind) <= sent_by_default, body


def test_a_listed_offer_shows_each_option_on_its_own_numbered_line() -> None:
    body = render(MessageKind.OFFER, "en", TYPICAL).body
    assert f"\n1) {LEG}\n2) {LATER}\n" in body
    assert "1、" + LEG in render(MessageKind.OFFER, "zh", TYPICAL).body


@pytest.mark.parametrize("kind", list(MessageKind))
def test_chinese_uses_full_width_punctuation(kind: MessageKind) -> None:
    message = render(kind, "zh", TYPICAL)
    text = f"{message.subject}\n{message.body}"
    values = [
        v for value in TYPICAL.values() for v in ([value] if isinstance(value, str) else value)
    ]
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, "")
    assert not re.search(r"[,.:;!?()]", text), text
    assert re.search("[。，：]", message.body)


@pytest.mark.parametrize("kind", list(MessageKind))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_fits_three_sms_segments(kind: MessageKind, language: str) -> None:
    """The news itself fits three segments; with everything owed (compensation, care,
    a refund) it still fits the six an SMS channel sends by default."""
    # A delay reads one way to passengers waiting and another to those in the air.
    variants = [TYPICAL, {k: v for k, v in TYPICAL.items() if k != "departed"}]
    for fields in variants if kind is MessageKind.DELAY else variants[:1]:
        core = {k: v for k, v in fields.items() if k not in OWED or k in SPECS[kind].required}
        assert _sms_segments(render(kind, language, core).body, language, kind) <= 3
        assert _sms_segments(render(kind, language, fields).body, language, kind) <= 6


OWED = ("compensation", "citation", "care_meals", "care_hotel", "refund")


def _sms_segments(body: str, language: str, kind: MessageKind) -> int:
    channel = SmsChannel("https://sms.example.com/v1/messages", "tok-123", max_segments=9)
    message = RoutedMessage(
        idempotency_key="k",
        customer_id="C1",
        pnr="ABC123",
        kind=kind.value,
        channel="sms",
        address="+447700900123",
        language=language,
        subject="",
        body=body,
    )
    _, _text, split = channel.prepare(message)
    return split.count


@pytest.mark.parametrize(
    ("kind", "name"), [(kind, name) for kind in MessageKind for name in SPECS[kind].required]
)
def test_a_missing_or_blank_field_is_an_error_not_a_blank(kind: MessageKind, name: str) -> None:
    fields = required(kind)
    for broken in ({k: v for k, v in fields.items() if k != name}, fields | {name: "  "}):
        with pytest.raises(MessageFieldError, match=name):
            render(kind, "de", broken)


def test_fields_of_the_wrong_shape_are_errors() -> None:
    with pytest.raises(MessageFieldError, match="options"):
        render(MessageKind.OFFER, "en", TYPICAL | {"options": LEG})  # a string, not a list
    with pytest.raises(MessageFieldError, match="options"):
        render(MessageKind.OFFER, "en", TYPICAL | {"options": []})
    with pytest.raises(MessageFieldError, match="flight"):
        render(MessageKind.DELAY, "en", TYPICAL | {"flight": ["XA102"]})
    with pytest.raises(MessageFieldError, match="meal or hotel"):
        render(MessageKind.CARE, "en", TYPICAL | {"meal": "", "hotel": ""})


def write(root: Path, name: str, text: str) -> None:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text, encoding="utf-8")


def test_a_template_naming_a_field_it_is_not_given_fails_instead_of_rendering_blank(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        "en/delay.txt.j2",
        "{% block subject %}{{ flight }}{% endblock %}{% block body %}{{ gate }}{% endblock %}",
    )
    # `gate` is in the fields, but a delay does not take it: still undefined in the template.
    with pytest.raises(MessageFieldError, match=r"en/delay.txt.j2: 'gate' is undefined"):
        MessageTemplates(tmp_path).render(MessageKind.DELAY, "en", TYPICAL)


def test_a_template_without_its_two_blocks_or_with_bad_syntax_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "en/delay.txt.j2", "{% block subject %}{{ flight }}{% endblock %}")
    write(tmp_path, "en/refund.txt.j2", "{% block subject %}{{ flight {% endblock %}")
    templates = MessageTemplates(tmp_path)
    with pytest.raises(MessageTemplateError, match="a subject and a body block"):
        templates.render(MessageKind.DELAY, "en", TYPICAL)
    with pytest.raises(MessageTemplateError, match=r"en/refund.txt.j2"):
        templates.render(MessageKind.REFUND, "en", TYPICAL)


def test_field_values_are_shown_as_one_line_of_data_never_run() -> None:
    hostile = "XA1\r\nBcc: all@example.org {{ 7*7 }} {% if true %}x{% endif %}\u202eevil\x00"
    message = render(MessageKind.DELAY, "en", TYPICAL | {"flight": hostile})
    expected = "XA1 Bcc: all@example.org {{ 7*7 }} {% if true %}x{% endif %} evil"
    assert expected in message.subject and expected in message.body
    assert "49" not in message.body
    assert "\n" not in message.subject and "\u202e" not in message.body
    assert len(message.body.splitlines()) == 1
    long = render(MessageKind.DELAY, "en", TYPICAL | {"route": "A" * 5000})
    assert "A" * 197 + "..." in long.body and "A" * 198 not in long.body


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("de", "de"),
        ("de-DE", "de"),
        ("DE", "de"),
        ("de_AT.UTF-8", "de"),
        (" fr-CA ", "fr"),
        ("es-419", "es"),
        ("zh-Hans-CN", "zh"),
        ("ZH", "zh"),
        ("", ""),
        (None, ""),
        ("123", ""),
        ("../en", ""),
    ],
)
def test_language_tags_are_normalised_to_their_primary_language(
    tag: str | None, language: str
) -> None:
    assert normalise_language(tag) == language


@pytest.mark.parametrize("tag", ["de-DE", "DE", "de_DE"])
def test_a_regional_tag_gets_its_language_without_falling_back(tag: str) -> None:
    message = render(MessageKind.DELAY, tag, TYPICAL)
    assert (message.language, message.fell_back, message.requested) == ("de", False, tag)
    assert message.body == render(MessageKind.DELAY, "de", TYPICAL).body


@pytest.mark.parametrize("tag", ["pt", "pt-BR", "nl", "", None, "../de"])
def test_a_language_we_lack_falls_back_to_english_and_says_so(tag: str | None) -> None:
    message = render(MessageKind.GATE_CHANGE, tag, TYPICAL)
    english = render(MessageKind.GATE_CHANGE, "en", TYPICAL)
    assert (message.subject, message.body) == (english.subject, english.body)
    assert (message.language, message.fell_back) == ("en", True)


def test_a_kind_not_yet_translated_falls_back_to_english_alone(tmp_path: Path) -> None:
    for language, word in (("en", "Delayed"), ("de", "Verspätet")):
        write(
            tmp_path,
            f"{language}/delay.txt.j2",
            f"{{% block subject %}}{word}{{% endblock %}}{{% block body %}}{{{{ flight }}}}"
            "{{ route }}{{ date }}{{ new_dep }}{{ minutes }}{% endblock %}",
        )
    write(
        tmp_path,
        "en/refund.txt.j2",
        "{% block subject %}Refund{% endblock %}{% block body %}x{% endblock %}",
    )
    templates = MessageTemplates(tmp_path)
    assert templates.render(MessageKind.DELAY, "de", TYPICAL).subject == "Verspätet"
    refund = templates.render(MessageKind.REFUND, "de", TYPICAL)
    assert (refund.subject, refund.language, refund.fell_back) == ("Refund", "en", True)


def test_a_template_is_looked_for_on_disk_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Which language a message is written in is found once per (language, kind): a
    storm renders thousands of messages from a few templates."""
    templates = MessageTemplates()
    kinds = list(MessageKind)[:3]
    first = [templates.has(language, kind) for language in ("en", "xx") for kind in kinds]
    looked: list[Path] = []
    is_file = Path.is_file

    def counting(path: Path) -> bool:
        looked.append(path)
        return is_file(path)

    monkeypatch.setattr(Path, "is_file", counting)
    again = [templates.has(language, kind) for language in ("en", "xx") for kind in kinds]
    assert again == first and any(first)
    assert looked == []
    # A fresh set of templates looks again.
    assert [MessageTemplates().has("en", kind) for kind in kinds] == first[:3]
    assert looked


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_lost_connection_with_no_seat_says_when_the_late_flight_now_goes(language: str) -> None:
    """14 CFR 259.8: the late flight's new departure is the news (or its landing, once it
    has left), so a further delay reads as new words and is told again rather than dropped
    as a repeat (evals/found/found-deadline-s287-w1.yaml)."""
    kind = MessageKind.MISSED_CONNECTION_NO_ALTERNATIVE
    waiting = {**TYPICAL, "departed": ""}
    later = render(kind, language, {**waiting, "new_dep": "11:10"})
    told = render(kind, language, waiting)
    assert "10:05" in told.body and "11:10" in later.body and told.body != later.body
    landed = render(kind, language, {**TYPICAL, "departed": "yes", "new_arr": "13:40"})
    assert "13:40" in landed.body and "10:05" not in landed.body
