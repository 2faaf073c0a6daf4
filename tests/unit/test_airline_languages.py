"""One code per language wherever a language enters `Preferences` (`airline.languages`)."""

from __future__ import annotations

import pytest

from airline.languages import language_code
from airline.models import Preferences
from memory.prefs.findings import Finding, Understood
from memory.prefs.reader import fold_preferences


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("nb", "no"),
        ("nn", "no"),
        ("no", "no"),
        ("NB-NO", "no"),
        ("nb_NO.UTF-8", "no"),
        ("fil", "tl"),
        ("fil-PH", "tl"),
        ("tl", "tl"),
        ("pt-BR", "pt"),
        ("de", "de"),
        (" Norwegian ", "Norwegian"),
    ],
)
def test_a_language_is_kept_under_one_code(tag: str, code: str) -> None:
    assert language_code(tag) == code


@pytest.mark.parametrize(("given", "kept"), [("nb", "no"), ("nn", "no"), ("fil", "tl")])
def test_preferences_keep_norwegian_and_filipino_as_no_and_tl(given: str, kept: str) -> None:
    assert Preferences(language=given).language == kept
    assert Preferences.model_validate({"language": given}).language == kept
    assert Preferences().language is None


def test_a_reader_finding_in_another_code_folds_into_the_same_language() -> None:
    statements = [
        ("Skriv på bokmål", Understood((Finding("language", "nb", "bokmål"),))),
        ("Sumulat sa Filipino", Understood((Finding("language", "fil", "Filipino"),))),
    ]

    assert fold_preferences(statements).language == "tl"
    assert fold_preferences(statements[:1]).language == "no"
