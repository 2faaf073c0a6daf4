"""Welsh: "sedd wrth y ffenest", "dim hediadau dros nos", "os gwelwch yn dda". Words
mutate at their start after some words ("cadair olwyn" → "gadair olwyn", "ci tywys" →
"gi tywys", "Llundain" → "i Lundain"), so the mutated forms are listed beside the plain
ones; "ddim" follows the verb it negates ("dw i ddim eisiau", I do not want) and
"peidiwch" forbids. Short words that are English or Spanish words too ("dim", "na",
"nid", "heb", "mi") are read only in Welsh text."""

from memory.prefs.lexicon.base import Lexicon

_HEDIAD = r"(?:hediad\w*|hedfan|taith\w*|daith\w*)"

LEXICON = Lexicon(
    code="cy",
    names={
        "cy": (r"cymraeg", r"gymraeg", r"nghymraeg"),
        "en": (r"saesneg", r"saesnaeg"),
        "fr": (r"ffrangeg",),
        "de": (r"almaeneg",),
        "es": (r"sbaeneg",),
    },
    targets={
        "seat:window": (r"ffenest\w*", r"ffenestr\w*"),
        "seat:aisle": (r"eil", r"ymyl yr eil"),
        "channel:sms": (r"neges(?:euon)? (?:destun|testun)", r"tecst\w*", r"sms\w*"),
        "channel:email": (r"e-?bost\w*", r"ebyst", r"e-?mail\w*"),
        "channel:other": (r"ffonio", r"ffoniwch", r"ffôn", r"galwad\w*", r"alwad\w*"),
        "night:night": (
            _HEDIAD + r" (?:dros nos|nos|yn y nos)",
            r"dros nos",
            r"hediadau nos",
            r"yn y nos",
        ),
        "night:day": (_HEDIAD + r" (?:dydd|yn ystod y dydd)",),
        "need:wheelchair": (r"[cg]adair olwyn", r"nghadair olwyn", r"chadair olwyn"),
        "need:reduced mobility": (
            r"anodd cerdded",
            r"methu cerdded",
            r"ffyn baglau",
            r"baglau",
            r"symudedd cyfyngedig",
        ),
        "need:visual impairment": (
            r"dall",
            r"ddall",
            r"nam ar (?:fy |ei )?(?:ngolwg|golwg)",
            r"golwg gwael",
        ),
        "need:hearing impairment": (
            r"byddar",
            r"fyddar",
            r"nam ar (?:fy |ei )?(?:nghlyw|clyw)",
            r"cymorth clyw",
            r"trwm (?:fy|ei) (?:nghlyw|clyw)",
        ),
        "need:service animal": (r"[cg]i tywys", r"[cg]i cymorth", r"nghi tywys"),
        "need:unaccompanied minor": (
            r"heb (?:oedolyn|gwmni|hebryngwr)",
            r"ar (?:ei|eu) (?:ben|phen|pennau) (?:ei|eu) (?:hun|hunain)",
            r"=UM",
        ),
        "need:oxygen": (r"ocsigen",),
        "need:assistance": (r"cymorth", r"gymorth", r"nghymorth", r"cefnogaeth"),
        "place:any": (r"maes awyr", r"faes awyr", r"meysydd awyr", r"[cg]wmni hedfan"),
    },
    cues={
        "wish": (
            r"os gwelwch yn dda",
            r"plîs",
            r"hoffwn",
            r"hoffen",
            r"baswn i'n hoffi",
            r"dw i eisiau",
            r"rwy eisiau",
            r"eisiau",
            r"isio",
            r"moyn",
            r"angen",
            r"gwell gen i",
            r"mae'n well gen i",
            r"ysgrifennwch",
            r"anfonwch",
            r"gyrrwch",
            r"rhowch wybod",
            r"dim ond",
            r"bob amser",
            r"wastad",
            r"diolch",
        ),
        "request": (r"allech chi", r"fedrwch chi", r"allwch chi"),
        "neg": (r"ddim", r"peidiwch\w*"),
        "avoid": (r"byth", r"osgoi", r"osgowch", r"byth eto", r"dim byth"),
        "accept": (
            r"yn iawn",
            r"mae'n iawn",
            r"dim problem",
            r"ddim yn broblem",
            r"ddim yn meindio",
            r"derbyniol",
        ),
        "indifferent": (r"dim ots", r"does dim ots", r"sdim ots", r"unrhyw"),
        "native": (r"mamiaith",),
        "past": (r"y tro diwethaf", r"o'r blaen", r"llynedd", r"diolch am"),
        "now": (r"nawr", r"rŵan", r"y tro hwn", r"o hyn ymlaen"),
        "reaffirm": (r"fel (?:arfer|bob amser|y tro diwethaf)",),
        "other": (
            r"fy (?:ngwraig|ngŵr|mab|merch|mam|nhad|mrawd|chwaer|ffrind|mhennaeth|rheolwr|"
            r"nain|taid|mam-gu|tad-cu)",
        ),
        "withdraw": (r"ddim angen mwyach", r"dilëwch"),
        "contrast": (r"yn lle",),
        "except": (r"ac eithrio", r"heblaw"),
        "fallback": (r"fel arall",),
        "state": (r"roedd", r"oedd"),
        "alone": (r"ar (?:ei|fy) (?:ben|phen|mhen) (?:ei|fy) (?:hun|hunan)",),
        "child": (r"plentyn\w*", r"blentyn\w*", r"\d{1,2} (?:oed|mlwydd)"),
        "filler": (
            r"sedd\w*",
            r"wrth",
            r"drwy",
            r"trwy",
            r"i mi",
            r"hediad\w*",
            r"neges\w*",
        ),
    },
    breaks=(r"ond", r"achos", r"oherwydd", r"felly"),
    local={
        "neg": (r"dim", r"nid", r"heb", r"na", r"nac"),
        "condition": (r"os",),
        "child": (r"mab", r"merch"),
    },
    attacks=(
        r"anwybyddwch\w*",
        r"(?:cyfarwyddiadau|cyfarwyddyd) (?:blaenorol|cynt)",
        r"anghofiwch (?:\w+ ){0,2}cyfarwyddiad\w*",
        r"(?:pob|yr holl) (?:deithiwr|theithwyr|teithwyr|cwsmer)\w*",
        r"neges system\w*",
    ),
)
