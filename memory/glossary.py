"""Travel words the embedding model does not know, glossed in plain English before embedding.

all-MiniLM-L6-v2 learned general English: it barely links "red-eye" to "overnight
flight", reads "UMNR" as noise and knows no German. So both the stored texts and the
queries are embedded with a short gloss appended — "No red-eyes (overnight flight)" —
while the stored document stays exactly what was said. Deterministic and small on
purpose: jargon and the other languages' travel words our customers write.
"""

from __future__ import annotations

import re

_GLOSSARY: tuple[tuple[str, str], ...] = (
    (r"\bred[- ]?eyes?\b", "overnight flight departing at night"),
    (r"\bovernight (?:flights?|departures?)\b", "red-eye night flight"),
    (
        r"\bnachtfl[üu]g\w*|\bvols? de nuit\b|\bvuelos? (?:nocturnos?|de noche)\b|红眼|夜航",
        "overnight flight, red-eye",
    ),
    (
        r"\bPRM\b|\bmobilit[ée] r[ée]duite\b|\bmovilidad reducida\b|\bgehbehindert\w*"
        r"|\beingeschr[äa]nkt\w* mobil\w*",
        "passenger with reduced mobility needing assistance",
    ),
    (
        r"\bWCH[RSC]\b|\brollstuhl\w*|\bfauteuil roulant\b|\bsilla de ruedas\b|轮椅",
        "wheelchair assistance",
    ),
    (
        r"\bUMNR\b|\bunbegleitet\w* minderj[äa]hrig\w*|\bmineurs? non accompagn[ée]s?"
        r"|\bmenor(?:es)? no acompa[ñn]ad[oa]s?|无人陪伴",
        "unaccompanied minor, a child travelling alone",
    ),
    (r"\bgangplatz\b|\bcouloir\b|\bpasillo\b|过道", "aisle seat"),
    (r"\bfensterplatz\b|\bhublot\b|\bventanilla\b|靠窗", "window seat"),
    (r"\bsms\b|短信", "text message to the phone"),
    (r"\bcourriel\b|\bcorreo electr[óo]nico\b|邮件", "email"),
    (r"\bdeutsch\b", "German language"),
    (r"\bfran[çc]ais\b", "French language"),
    (r"\bespa[ñn]ol\b", "Spanish language"),
    (r"中文|汉语", "Chinese language"),
    (r"\bMCT\b", "minimum connection time"),
    (r"\bmisconnect\w*", "missed connection"),
    (r"\birrops\b", "disruption, irregular operations"),
    (r"\bpax\b", "passenger"),
    (r"\bPNR\b", "booking"),
    (r"\bSSR\b", "special service request"),
    (r"\bvoucher\b", "compensation voucher"),
)
_COMPILED = tuple((re.compile(p, re.IGNORECASE), gloss) for p, gloss in _GLOSSARY)


def gloss(text: str) -> str:
    """`text` with the plain meaning of the travel words it uses appended, for embedding."""
    found = [meaning for pattern, meaning in _COMPILED if pattern.search(text)]
    if not found:
        return text
    return f"{text} ({'; '.join(dict.fromkeys(found))})"
