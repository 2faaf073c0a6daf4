"""Clock times that name the night: "after 10 pm", "avant 6h", "22時以降", "새벽 6시 전".

Why its own module: a customer refuses the night as often by the clock as by the word
("nothing leaving after 10pm", "nada antes de las 6 de la mañana"), and the hours are
digits in every language; only the words for "after", "before", the hour and the time
of day differ. `clock` builds, from a language's words, the patterns of a departure
time on the night side of the model's window (no departure 22:00-05:59 local): after
an evening hour (20-23, or 8-11 with an evening word), before an early one (3-6,
morning word optional). They are `night:night` targets like "night flight": what the
customer does with them (refuses, accepts) is read by the clause's cues as for any
night flight, so "I land after 10pm" refuses nothing.
"""

from __future__ import annotations

_LATE_24 = r"2[0-3](?:[:.h][0-5]\d)?"
"""20:00-23:59 on a 24-hour clock ("22", "22:30", "22h", "22.00")."""
_LATE_12 = r"(?:8|9|10|11)(?:[:.][0-5]\d)?"
"""8-11 on a 12-hour clock: an evening hour only with an evening word ("10 pm")."""
_EARLY = r"0?[3-6](?:[:.h][0-5]\d)?"
"""03:00-06:59: early on either clock ("before 6", "avant 6h", "vor 5:30")."""
_NOT_A_DURATION = (
    r"(?! ?(?:min|мин|dakika|hour|hr|stund|час|godzin|jahr|year|lat\b|år|let\b|persons?|"
    r"people|personen|mensen|euro|dollars?|kg))"
)
"""A number of minutes, hours, years, people or money is no clock time ("after 20
minutes", "nach 20 Jahren", "voor 4 personen")."""


def clock(
    after: str,
    before: str,
    *,
    unit: str = "",
    evening: str = "",
    morning: str = "",
    prefixed: bool = False,
    postposed: bool = False,
) -> tuple[str, ...]:
    """Patterns of a night departure time in one language.

    Args:
        after: alternation of the words for "after" ("after|past|later than").
        before: alternation of the words for "before".
        unit: the hour word that may follow the number ("h|uhr", "時", "시").
        evening: words that make an hour of a 12-hour clock an evening one ("pm").
        morning: words of the morning, allowed after (or, `prefixed`, before) an early
            hour ("am", "du matin", "早上").
        prefixed: the time-of-day word stands before the number ("晚上10点", "밤 10시").
        postposed: "after"/"before" follow the time ("22時以降", "22'den sonra").
    """
    hour_unit = (rf"(?: ?(?:{unit}))?" if unit else "") + _NOT_A_DURATION
    late = [rf"{_LATE_24}{hour_unit}"]
    early = rf"{_EARLY}{hour_unit}"
    if evening:
        late.append(
            rf"(?:{evening}) ?{_LATE_12}{hour_unit}"
            if prefixed
            else rf"{_LATE_12}{hour_unit} ?(?:{evening})"
        )
        if prefixed:
            late.append(rf"(?:{evening}) ?{_LATE_24}{hour_unit}")
    if morning:
        early = rf"(?:(?:{morning}) ?)?{early}" if prefixed else rf"{early}(?: ?(?:{morning}))?"
    late_time = "(?:" + "|".join(late) + ")"
    if postposed:
        return (rf"{late_time} ?(?:{after})", rf"{early} ?(?:{before})")
    return (rf"(?:{after}) {late_time}", rf"(?:{before}) {early}")
