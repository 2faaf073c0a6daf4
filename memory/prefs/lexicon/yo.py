"""Yoruba: "Ẹ jọ̀wọ́, mo fẹ́ ìjókòó ẹ̀gbẹ́ fèrèsé", "mi ò fẹ́ ọkọ̀ òfurufú alẹ́". Entries
are written without tone marks and dots, as the text is read folded ("jọ̀wọ́" is "jowo"),
so a customer who types plain letters is understood too. Its commonest words are short
and are words of other languages as well ("mo", "ko", "mi", "ma"): those are read only
in a text told as Yoruba (`local`, `language_id.indic_african_latin`)."""

import re
from collections.abc import Mapping

from memory.prefs.lexicon.base import Lexicon

_TONE = "[\u0300-\u036f]*"
"""Tone marks NFKC leaves as marks after a dotted vowel ("ọ̀", "ẹ́")."""


def _toned(group: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Entries with any tone marks allowed after each letter."""
    return {
        key: tuple(re.sub(r"(?<!\\)([a-z])", lambda m: m.group(1) + _TONE, w) for w in words)
        for key, words in group.items()
    }


_PLANE = r"(?:oko ofurufu|ofurufu|baalu|flight|irin[- ]?ajo)"

LEXICON = Lexicon(
    code="yo",
    names=_toned(
        {
            "yo": (r"(?:ede )?yoruba",),
            "en": (r"(?:ede )?geesi", r"ede oyinbo", r"oyinbo"),
            "fr": (r"(?:ede )?faranse",),
            "ha": (r"(?:ede )?hausa",),
            "ig": (r"(?:ede )?igbo",),
        }
    ),
    targets=_toned(
        {
            "seat:window": (r"(?:egbe )?ferese",),
            "seat:aisle": (r"ona aarin", r"egbe ona", r"oju ona"),
            "channel:sms": (r"atejise", r"oro ifiranse", r"ifiranse kukuru"),
            "channel:email": (r"i-?meeli", r"imeli"),
            "channel:other": (r"foonu", r"ipe foonu"),
            "night:night": (
                _PLANE + r"\w* (?:ti |ni )?(?:oru|ale|oganjo)",
                r"ni (?:oru|oganjo)",
                r"oganjo",
            ),
            "night:day": (_PLANE + r"\w* (?:ti |ni )?(?:osan|owuro)",),
            "need:wheelchair": (r"keke (?:aro|alaabo)", r"aga onikeke", r"aga alaabo"),
            "need:reduced mobility": (
                r"(?:mi o|mi ko|n ko|emi ko) (?:le )?rin",
                r"rin daadaa",
                r"opa itile",
            ),
            "need:visual impairment": (
                r"afoju",
                r"(?:mi o|mi ko|n ko) (?:le )?riran",
                r"oju mi ko (?:le )?riran",
            ),
            "need:hearing impairment": (
                r"aditi",
                r"(?:mi o|mi ko|n ko) (?:le )?gbo(?:ran)?(?! ede| geesi| oyinbo| yoruba)",
                r"eti mi ko gbo",
            ),
            "need:service animal": (r"aja (?:amona|itoni|atona)",),
            "need:unaccompanied minor": (r"=UM",),
            "need:oxygen": (r"afefe oxygen", r"oxygen"),
            "need:assistance": (r"iranlowo", r"iranwo"),
            "place:any": (r"papa (?:oko )?ofurufu", r"ile-?ise (?:oko )?ofurufu"),
        }
    ),
    cues=_toned(
        {
            "wish": (
                r"jowo",
                r"jo o",
                r"mo fe",
                r"a fe",
                r"mo nilo",
                r"nilo",
                r"mo yan",
                r"fi ranse",
                r"ranse si mi",
                r"kowe si mi",
                # "kọ X sí mi", write X to me: folded, "kọ" (write) is "ko" (not), but
                # only writing takes a thing and "to me" after it.
                r"ko (?:[\w-]+ ){1,2}si mi",
                r"nigbagbogbo",
                r"e se(?:un)?",
            ),
            "neg": (r"mi o fe", r"n ko fe", r"emi ko fe", r"a ko fe", r"ma se", r"laisi", r"rara"),
            "avoid": (
                r"yago fun",
                r"yera fun",
                r"ma (?:gba|gbe|mu) mi (?:koja|la)",
                r"mi o fe (?:koja|gba)",
            ),
            "indifferent": (r"eyikeyi", r"ohunkohun", r"ko si iyato"),
            "native": (r"ede abinibi",),
            "past": (r"igba to koja", r"odun to koja", r"e se(?:un)?(?: gan-?an)? fun"),
            "now": (r"bayii", r"lati isinsinyi", r"isinsinyi", r"ni akoko yii"),
            "other": (r"(?:iyawo|oko|mama|baba|egbon|aburo|ore|oga) mi",),
            "contrast": (r"dipo",),
            "except": (r"yato si", r"afi"),
            "alone": (r"da nikan", r"nikan"),
            "child": (r"omo(?:binrin|kunrin)?(?: mi)?", r"\d{1,2} odun"),
        }
    ),
    breaks=(r"sugbon", r"nitori"),
    local=_toned(
        {
            "neg": (r"ko", r"mi o", r"ma", r"kii", r"lae"),
            "wish": (r"e fun mi", r"fun mi"),
            "accept": (r"ko buru", r"ko si wahala", r"ko si isoro", r"o dara", r"o ya", r"o daa"),
            "condition": (r"ti o ba", r"bi o ba"),
            "filler": (
                r"ijoko",
                r"ibijoko",
                r"mi",
                r"mo",
                r"ni",
                r"si",
                r"lati",
                r"nipase",
                r"koja",
                r"gba",
                r"e",
                r"egbe",
            ),
        }
    ),
    joins=(r"ati",),
    # Toned as the other entries are ("ìtọ́ni" keeps its tone mark after the folded "o"),
    # and a word between may carry tone marks too.
    attacks=tuple(
        entry.replace("WORD", r"(?:\w|[\u0300-\u036f])+")
        for entry in _toned(
            {
                "attacks": (
                    r"(?:gbagbe|foju fo|ma tele)(?: WORD){0,3} (?:itoni|itosona|ase|ofin)(?:WORD)?",
                    r"gbogbo (?:awon )?ero",
                    r"alakoso",
                )
            }
        )["attacks"]
    ),
)
