"""Slovak: its words are among the Czech lexicon's (`cs`: "chcem", "nehovorím", "okno");
these are the short ones read only in a text of the language, as in a Czech one, so a
Slovak text told as Slovak reads as one told as Czech."""

from memory.prefs.lexicon import cs
from memory.prefs.lexicon.base import Lexicon

_LOCAL = ("filler", "child", "alone", "state")

LEXICON = Lexicon(
    code="sk",
    names={},
    targets={},
    cues={key: cs.LEXICON.cues[key] for key in _LOCAL},
    breaks=cs.LEXICON.breaks,
    concessive=cs.LEXICON.concessive,
    joins=cs.LEXICON.joins,
    local=cs.LEXICON.local,
)
