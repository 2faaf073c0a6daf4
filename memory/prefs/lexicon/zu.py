"""Zulu: "Ngicela isihlalo ngasefasiteleni", "Angifuni izindiza zasebusuku". Nouns take
prefixes and locative endings ("ifasitela", "efasiteleni", by the window; "nge-imeyili",
by e-mail), so nouns are stems with any letters around them; negation is written into the
verb ("angifuni", I don't want; "ungangishayeli", don't call me), so negated verbs are cues
of their own. Places take prefixes too ("eFrankfurt", "ngeDubai": `entities`)."""

from memory.prefs.lexicon.base import Lexicon


def _s(*stems: str) -> tuple[str, ...]:
    """Stems with a prefix before and an ending after."""
    return tuple(r"\w*" + stem + r"\w*" for stem in stems)


LEXICON = Lexicon(
    code="zu",
    names={
        "zu": (r"\w*si-?zulu",),
        "en": (r"\w*si-?ngisi",),
        "af": (r"\w*si-?bhunu",),
        "xh": (r"\w*si-?xhosa",),
    },
    targets={
        "seat:window": _s("fasitela", "fasitele"),
        "seat:aisle": (*_s("hubhe"), r"eceleni kwendlela", r"ngasendleleni"),
        "channel:sms": _s("layezo", "myalezo"),
        "channel:email": _s("imeyili", "imeyli", "-email"),
        "channel:other": _s("shayel", "shayela", "cingo"),
        "night:night": _s("busuku"),
        "night:day": (r"\w*zasemini", r"emini"),
        "need:wheelchair": (r"isihlalo (?:esinamasondo|sabakhubazekile)", *_s("hlalo-samasondo")),
        "need:reduced mobility": (
            r"angikwazi ukuhamba\w*",
            r"ukuhamba kunzima",
            r"kunzima ukuhamba",
            *_s("nduku"),
        ),
        "need:visual impairment": (*_s("mpumputhe"), r"angiboni\w*", r"angikwazi ukubona"),
        "need:hearing impairment": (*_s("sithulu", "zithulu"), r"angizwa\w*", r"angikwazi ukuzwa"),
        "need:service animal": (r"\w*nja (?:yokuhola|eholayo|eqondisayo|yomhlahlandlela|yosizo)",),
        "need:unaccompanied minor": (r"=UM",),
        "need:oxygen": (r"umoya-?mpilo",),
        "need:assistance": _s("sizo", "sizwa"),
        "place:any": (*_s("khumulo"), r"inkampani yezindiza"),
    },
    cues={
        "wish": (
            r"ngicela",
            r"sicela",
            r"ngiyacela",
            r"ngiyanxusa",
            *_s("ngifuna", "sifuna", "ngithanda", "ngincamela", "sincamela", "ngidinga", "sidinga"),
            *_s("nginike", "ngithumelel", "ngazise", "ngibhalel", "ngikhulumis"),
            r"kuphela",
            r"njalo",
            r"uma kungenzeka",
            r"ngiyabonga",
            r"siyabonga",
        ),
        "request": (r"ningakwazi", r"ungakwazi"),
        "neg": (
            *_s("angifuni", "asifuni", "angikhulumi", "angiqondi", "angikwazi", "angidingi"),
            r"ungangi\w+",
            r"ningangi\w+",
            r"ningathumeli\w*",
            r"musa",
            r"ningazi\w*",
            r"akukho",
            r"ngaphandle kwe?\w*",
        ),
        "avoid": (
            *_s("gwema", "gweme"),
            r"angisoze\w*",
            r"ungalokothi\w*",
            r"ningalokothi\w*",
            r"nanini",
            r"ngeke",
        ),
        "accept": (
            r"kulungile",
            r"akunankinga",
            r"ayikho inkinga",
            r"kuyangilungela",
            r"akunandaba",
        ),
        "indifferent": (r"angikhathali", r"noma yisiphi", r"noma yikuphi", r"noma yini"),
        "native": (r"ulimi lwebele", r"ulimi lwami lwebele"),
        "past": (
            r"(?:ngiyabonga|siyabonga|ngiyathokoza)(?: kakhulu)? ngo\w*",
            r"ngesikhathi esedlule",
            r"ngonyaka odlule",
            r"ngaphambilini",
            r"izolo",
            r"ngokusiza",
        ),
        "now": (r"manje", r"kulokhu", r"kusukela manje"),
        "other": (
            r"umkami",
            r"(?:umyeni|unkosikazi|umama|ubaba|umngane|umphathi|ugogo|umkhulu) wami",
            r"umfowethu",
            r"udadewethu",
        ),
        "condition": (r"uma(?! kungenzeka)",),
        "contrast": (r"esikhundleni\w*",),
        "alone": (r"yedwa", r"ngedwa", r"eyedwa", r"uyedwa"),
        "child": (
            *_s("ngane", "ndodana", "ndodakazi"),
            r"\d{1,2} (?:ubudala|iminyaka)",
            r"\w*minyaka(?: engu)?-? ?\d{1,2}",
        ),
        "filler": (*_s("hlalo", "hlalweni", "ndiza"), r"mina", r"ngokudlula", r"ngicela"),
    },
    breaks=(r"kodwa", r"ngoba"),
    joins=(r"futhi",),
    local={"neg": (r"cha",)},
    attacks=(
        r"ziba (?:yonke )?imiyalelo\w*",
        r"imiyalelo (?:yangaphambili|edlule)",
        r"bonke abagibeli",
        r"umlawuli",
    ),
)
