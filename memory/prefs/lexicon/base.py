"""What a language's lexicon holds, and how its entries become patterns.

A `Lexicon` is vocabulary, written from knowledge of the language (not from any
benchmark set): the *targets* a wish can be about (a seat, a channel, a language, a night
flight, a need) and the *cues* that say what the customer does with a target (wants it,
refuses it, avoids it, accepts it, is indifferent to it, once wanted it, says it of
someone else, asks about it). `memory.prefs.stance` decides from where the cues stand.

Entries are regular expressions over folded text (`memory.prefs.text.fold`: lower case,
no accents), written with their accents for the reader's sake — they are folded when
compiled. An entry starting with ``=`` is matched case-sensitively ("=UM" is the service
code, not German "um"); one starting with ``~`` keeps its accents (Italian "~è" is "is",
"e" is "and"). A named group ``cue`` narrows the mark to part of the match ("lieber …
(?P<cue>als)": only "als" is the cue).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from memory.prefs.text import THAI, WORD_CHAR, fold, is_cjk, is_unspaced

TARGET_KEYS = (
    "seat:window",
    "seat:aisle",
    "channel:sms",
    "channel:email",
    "channel:webhook",
    "channel:phone",  # the phone as the address ("to my mobile"): SMS (`stance.addresses`)
    "channel:other",  # WhatsApp, a phone call: a way to be reached the agent does not have
    "night:night",
    "night:day",
    "need:wheelchair",
    "need:reduced mobility",
    "need:visual impairment",
    "need:hearing impairment",
    "need:service animal",
    "need:unaccompanied minor",
    "need:oxygen",
    "need:assistance",
    "place:any",
)
"""What a target can be; ``!`` after a key (``channel:sms!``) marks a mention that asks
by itself ("text me")."""

CUE_KEYS = (
    "wish",  # please, prefer, want, only, always, bitte, 请, お願い
    "request",  # could you, können Sie: a question that asks for something
    "neg",  # not, no, never, kein, pas, 不, ない — and "hardly", "poor" for a language
    "avoid",  # avoid, keep me out of, never again, 避开
    "accept",  # fine, don't mind, no problem, 没问题
    "trouble",  # problems, trouble, Ärger, 问题: negated ("never had trouble"), an acceptance
    "indifferent",  # whatever, egal, me da igual, 无所谓
    "native",  # mother tongue: the language is wanted
    "past",  # last time, used to, früher, 上次
    "now",  # from now on, now, künftig: the past does not apply
    "reaffirm",  # the same again, like last time
    "other",  # my wife, mon fils: a wish of someone else
    "apart",  # on a separate booking, not travelling with me: someone else's trip
    "ask",  # asked whether: a question reported
    "disclaim",  # not that, wouldn't say, ce n'est pas que: the refusal after it is denied
    "withdraw",  # remove ... from the profile; don't worry about X anymore
    "hypothetical",  # if I ever, si jamais, falls ich mal: a wish only imagined
    "condition",  # if, wenn, si, もし: with "this time" after it, the if-part is imagined
    "contrast",  # rather than, instead of: what follows is refused
    "contrast_before",  # ではなく: what comes before is refused
    "except",  # except, außer, sauf: refused alone; spared from a refusal before it
    "fallback",  # otherwise, sonst: a second choice, asked for less
    "proviso",  # as long as, tant que, solange: the condition set is what is wanted
    "state",  # was, is, war, était, 了: a description, not a request
    "alone",  # alone, allein, seul, 一个人
    "child",  # son, Tochter, 9 y/o: with "alone", an unaccompanied minor
    "filler",  # seat, the, via, thanks: words a telegraphic wish may carry
)


@dataclass(frozen=True)
class Lexicon:
    """One language's words for preferences.

    Args:
        code: BCP 47 primary language code.
        names: language code -> the names this language gives it ("de": "allemand").
        targets: a `TARGET_KEYS` key -> its words.
        cues: a `CUE_KEYS` key -> its words.
        breaks: conjunctions that start a new clause (but, because, so, if).
        concessive: conjunctions whose clause concedes rather than asks (although).
        joins: "and": starts a new clause only between two that each say something.
        attacks: words of text that instructs the machine (`memory.prefs.injection`).
        spellings: a target key -> plain words of it that are often mistyped ("windw",
            "aisel"): a word one typing slip away from one of them names the target.
        local: a cue key -> short words read only in a text written in this language
            (Finnish "ei", "en", "et" negate; elsewhere they are "hey", "in", "and").
    """

    code: str
    names: Mapping[str, tuple[str, ...]]
    targets: Mapping[str, tuple[str, ...]]
    cues: Mapping[str, tuple[str, ...]]
    breaks: tuple[str, ...] = ()
    concessive: tuple[str, ...] = ()
    joins: tuple[str, ...] = ()
    attacks: tuple[str, ...] = field(default=())
    spellings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    local: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key in (*self.targets, *self.spellings):
            if key.rstrip("!") not in TARGET_KEYS:
                raise ValueError(f"{self.code}: unknown target {key!r}")
        groups = (self.names, self.targets, self.cues, self.spellings, self.local)
        for group in groups:
            for key, words in group.items():
                if isinstance(words, str):  # ("solange") is a string: one cue a letter
                    raise ValueError(f"{self.code}: {key!r} needs a tuple, got {words!r}")
        for key in (*self.cues, *self.local):
            if key not in CUE_KEYS:
                raise ValueError(f"{self.code}: unknown cue {key!r}")


Source = Literal["folded", "cased", "accented"]
"""Which form of the text a pattern reads: folded, folded but in its case, or lower case
with its accents."""


@dataclass(frozen=True)
class Pattern:
    """Compiled words of one kind: where they match, what they mark."""

    kind: str  # "target", "cue", "name", "break", "concessive", "join", "attack"
    key: str  # "seat:window", "neg", "de" (a language name), ...
    regex: re.Pattern[str]
    source: Source
    language: str
    cjk: bool
    """The words are Chinese or Japanese: read in the unmasked text."""
    local: bool = False
    """Read only in a text written in `language` (`Lexicon.local`)."""


def fold_pattern(pattern: str, *, lower: bool = True) -> str:
    """`fold` for a regular expression: escapes ("\\W") and "(?P<" keep their case."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif pattern.startswith("(?P<", i):
            out.append("(?P<")
            i += 4
        else:
            out.append(fold(pattern[i], lower=lower))
            i += 1
    return "".join(out)


def compile_words(
    words: tuple[str, ...],
) -> dict[tuple[Source, bool], re.Pattern[str]]:
    """Alternations of `words` by the form of text they read — (source, CJK or not) —
    bounded as words where they are words of a spaced script."""
    bodies: dict[tuple[Source, bool], list[str]] = {}
    for word in words:
        source: Source = "cased" if word[0] == "=" else "accented" if word[0] == "~" else "folded"
        raw = word[1:] if source != "folded" else word
        if re.search(f"[{THAI}]", raw):  # the text is NFKC: "ำ" is read as "ํา"
            raw = unicodedata.normalize("NFKC", raw)
        body = (
            fold_pattern(raw, lower=False)
            if source == "cased"
            else raw.lower()
            if source == "accented"
            else fold_pattern(raw)
        )
        bodies.setdefault((source, is_cjk(body)), []).append(_bounded(body))
    return {key: re.compile("|".join(parts)) for key, parts in bodies.items()}


def _bounded(body: str) -> str:
    # Words of spaced scripts end at a non-word character. CJK has no spaces: its words
    # are not bounded, and Latin words are matched where CJK is masked (`text.mask_cjk`),
    # so "App" inside "推送到App就行" is still a word. Thai has no spaces either.
    if is_unspaced(body):
        return f"(?:{body})"
    head = rf"(?<!{WORD_CHAR})" if re.match(r"[\w\\(\[]", body) else ""
    # An elided word ("n'", "l'", "dell'") runs into the next one.
    tail = "" if body.endswith("'") else rf"(?!{WORD_CHAR})"
    return f"(?:{head}(?:{body}){tail})"


def patterns(lexicon: Lexicon) -> list[Pattern]:
    """Every entry of `lexicon`, compiled, grouped by what it marks."""
    groups: list[tuple[str, str, tuple[str, ...]]] = [
        *(("target", key, words) for key, words in lexicon.targets.items()),
        *(("cue", key, words) for key, words in lexicon.cues.items()),
        *(("name", code, words) for code, words in lexicon.names.items()),
        ("break", "break", lexicon.breaks),
        ("concessive", "concessive", lexicon.concessive),
        ("join", "join", lexicon.joins),
        ("attack", "attack", lexicon.attacks),
        *(("local", key, words) for key, words in lexicon.local.items()),
    ]
    out = []
    for kind, key, words in groups:
        # A group name may occur once per expression: entries that narrow with
        # "(?P<cue>" are compiled one by one.
        narrowed = [w for w in words if "(?P<cue>" in w]
        batches = [tuple(w for w in words if w not in narrowed), *((w,) for w in narrowed)]
        for batch in batches:
            if not batch:
                continue
            for (source, cjk), regex in compile_words(batch).items():
                if kind == "local":
                    out.append(Pattern("cue", key, regex, source, lexicon.code, cjk, local=True))
                else:
                    out.append(Pattern(kind, key, regex, source, lexicon.code, cjk))
    return out
