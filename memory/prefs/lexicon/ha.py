"""Hausa (Boko, Latin letters): "ina son kujera kusa da taga", "ba na son jirgin dare",
"don Allah". Entries are written with the hooked letters (ɓ ɗ ƙ ƴ) and match the plain
letter too ("sakon waya" is "saƙon waya"), as customers type either. Negation brackets
the verb ("ban iya Turanci ba"); its short words ("ba", "kar", "babu" — Swahili's
grandfather) are read only in a text told as Hausa (`local`,
`language_id.own_latin`)."""

import re
from collections.abc import Mapping

from memory.prefs.lexicon.base import Lexicon

_HOOKED = {"ɓ": "[bɓ]", "ɗ": "[dɗ]", "ƙ": "[kƙ]", "ƴ": "(?:[yƴ]|'y)"}


def _plain_too(group: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Entries whose hooked letters match the plain ones as well."""
    return {
        key: tuple(re.sub("[ɓɗƙƴ]", lambda m: _HOOKED[m.group()], w) for w in words)
        for key, words in group.items()
    }


_PLANE = r"(?:jirgin sama|jirgin|jirgi|jirage|tafiyar|tafiya)"

LEXICON = Lexicon(
    code="ha",
    names=_plain_too(
        {
            "ha": (r"hausa", r"harshen hausa"),
            "en": (r"turanci", r"harshen turanci", r"ingilishi"),
            "fr": (r"faransanci",),
            "ar": (r"larabci",),
        }
    ),
    targets=_plain_too(
        {
            "seat:window": (
                r"(?:kusa da|gefen|bakin|wajen|kujerar|gurin) taga",
                r"tagar jirgi",
                r"(?:(?<=son )|(?<=so ))taga",
            ),
            "seat:aisle": (r"(?:kusa da|gefen|bakin|wajen|kujerar) hanya", r"hanyar tsakiya"),
            "channel:sms": (r"sms", r"saƙon (?:waya|tes|rubutu|kar ta kwana)"),
            "channel:email": (r"i-?mel", r"e-?mail", r"imel", r"wasiƙar (?:lantarki|imel)"),
            "channel:other": (r"kiran waya", r"kira", r"wayar tarho", r"whatsapp"),
            "night:night": (
                _PLANE + r" (?:na |da |cikin )?(?:dare|daddare)",
                r"da (?:dare|daddare)",
                r"cikin dare",
            ),
            "night:day": (_PLANE + r" (?:na |da )rana",),
            "need:wheelchair": (r"keken guragu", r"kujerar guragu", r"keken nakasassu"),
            "need:reduced mobility": (
                r"(?:ban|ba na) iya tafiya(?: (?:\w+ ){0,3}ba)?",
                r"tafiya (?:ke )?(?:mini|min) wuya",
                r"sandar tafiya",
                r"gurgu",
            ),
            "need:visual impairment": (r"makaho", r"makauniya", r"makafi", r"(?:ba na|ban) gani"),
            "need:hearing impairment": (r"kurma", r"kurame", r"(?:ba na|ban) ji(?:n magana)?"),
            "need:service animal": (r"karen (?:jagora|makaho|taimako)",),
            "need:unaccompanied minor": (r"(?:yaro|yarinya) (?:shi|ita) kaɗai", r"=UM"),
            "need:oxygen": (r"iskar oxygen", r"oxygen", r"oksijin"),
            "need:assistance": (r"taimako", r"agaji"),
            "place:any": (r"filin jirgin sama", r"filin jirgi", r"kamfanin jirgin sama"),
        }
    ),
    cues=_plain_too(
        {
            "wish": (
                r"don allah",
                r"dan allah",
                r"ina so",
                r"ina son",
                r"muna so",
                r"muna son",
                r"na fi so",
                r"na fi son",
                r"ina buƙata",
                r"ina buƙatar",
                r"ina bukata",
                r"ku rubuta (?:mini|min|mana)",
                r"ku aiko (?:mini|min|mana)",
                r"ku aika (?:mini|min|mana)",
                r"ku tura (?:mini|min|mana)",
                r"ku ba ni",
                r"ku sanar da ni",
                r"kawai",
                r"koyaushe",
                r"a koyaushe",
                r"na gode",
                r"nagode",
                r"idan zai yiwu",
            ),
            "request": (r"za ku iya", r"ko za ku"),
            "neg": (
                r"ba na so",
                r"ba na son",
                r"bana so",
                r"bana son",
                r"ban so",
                r"ban son",
                r"ba ma so",
                r"ba mu so",
                r"ban iya",
                r"ba na jin",
                r"ban fahimta",
                r"kada",
                r"kar ku",
            ),
            "avoid": (
                r"kada ku bi ta",
                r"kar ku bi ta",
                r"kada ku sa ni",
                r"ku guji",
                r"ku kauce",
                r"har abada",
                r"ba zan sake\w*",
                r"ban (?:sake|ƙara) ba",
            ),
            "accept": (
                r"ba matsala",
                r"babu matsala",
                r"ba damuwa",
                r"babu damuwa",
                r"ba komai",
                r"ya yi",
                r"ya dace",
                r"ba ni da matsala",
            ),
            "indifferent": (r"ba ruwana", r"duk ɗaya", r"kowane", r"kowace", r"ko wanne"),
            "native": (r"harshen uwa",),
            "past": (r"a baya", r"karo na ƙarshe", r"shekarar da ta wuce", r"lokacin baya"),
            "now": (r"daga yanzu", r"wannan karon", r"a wannan karo"),
            "other": (
                r"(?:matata|mijina|ɗana|'yata|ƴata|mahaifiyata|mahaifina|ɗan'uwana|"
                r"ƙanwata|yayana|abokina|maigidana)",
            ),
            "withdraw": (r"ban ƙara buƙata\w*(?: (?:\w+ ){0,3}ba)?", r"ku cire", r"a cire"),
            "condition": (r"idan",),
            "hypothetical": (r"idan (?:wata rana|har)",),
            "contrast": (r"maimakon", r"a maimakon"),
            "except": (r"banda", r"ban da", r"sai dai"),
            "state": (r"ya kasance",),
            "alone": (r"shi kaɗai", r"ita kaɗai", r"ni kaɗai", r"kaɗai"),
            "child": (r"yaro", r"yarinya", r"ɗana", r"'yata", r"shekara \d{1,2}"),
            "filler": (
                r"kujera",
                r"kujerar",
                r"kusa da",
                r"ta hanyar",
                r"ta",
                r"da",
                r"na",
                r"a",
                r"mini",
                r"min",
                r"ni",
                r"jirgin sama",
                r"jirgi",
                r"jirgin",
                r"saƙo",
                r"ne",  # the copula ("makaho ne", he is blind): not Czech "ne" (no)
                r"ce",
            ),
        }
    ),
    breaks=(r"amma", r"saboda", r"domin", r"don haka"),
    joins=(r"kuma",),
    local=_plain_too(
        {
            "neg": (r"ba", r"babu", r"kar", r"ban"),
            "condition": (r"in",),
        }
    ),
    attacks=_plain_too(
        {
            "attack": (
                r"(?:ku )?(?:yi watsi da|manta da) (?:\w+ ){0,3}(?:umarni|umarnin|ƙa'idoji)\w*",
                r"(?:umarnin|umarni) (?:da suka gabata|na baya)",
                r"dukkan fasinjoji",
                r"duk fasinjoji",
                r"saƙon tsarin",
            )
        }
    )["attack"],
)
