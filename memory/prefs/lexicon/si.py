"""Sinhala: "කවුළුව අසල ආසනයක්", "රාත්‍රී ගුවන් ගමන් එපා", "කරුණාකර". Case endings are
written onto the noun ("කවුළුව අසල", by the window; "ඊමේල් එකෙන්", by e-mail; "ඩුබායි
හරහා", via Dubai), so nouns are stems followed by any Sinhala letters (`_n`); negation
follows the verb ("එපා", not wanted; "නැහැ", not; "බැහැ", cannot). A joiner (ZWJ) may
stand inside a word ("රාත්‍රී")."""

from memory.prefs.lexicon.base import Lexicon

_S = r"(?:\u200d?[\u0d80-\u0dff])*"
"""A Sinhala ending written onto the word."""


def _n(*words: str) -> tuple[str, ...]:
    """Words with their last virama dropped and any ending after them."""
    return tuple(word.rstrip("\u0dca") + _S for word in words)


def _joined(group: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Entries with a joiner optional after each virama, however they were typed."""
    return {
        key: tuple(w.replace("\u200d", "").replace("\u0dca", "\u0dca\u200d?") for w in words)
        for key, words in group.items()
    }


LEXICON = Lexicon(
    code="si",
    names=_joined(
        {
            "si": (*_n("සිංහල"), r"sinhala\w*"),
            "en": _n("ඉංග්‍රීසි", "ඉංග්රීසි"),
            "ta": _n("දෙමළ"),
        }
    ),
    targets=_joined(
        {
            "seat:window": (*_n("කවුළු", "ජනේල", "ජනෙල", "වින්ඩෝ"),),
            "seat:aisle": _n("මංතීරු", "ඇතුල් මාර්ග", "අයිල්", "මැද පාර"),
            "channel:sms": _n("එස්එම්එස්", "කෙටි පණිවිඩ"),
            "channel:email": _n("ඊමේල්", "ඊ-මේල්", "විද්‍යුත් තැපෑල", "ඊමේල"),
            "channel:other": _n("දුරකථන", "ෆෝන්", "කෝල්", "ඇමතුම්", "වට්ස්ඇප්"),
            "channel:webhook": _n("ඇප්", "යෙදුම"),
            "night:night": (*_n("රාත්‍රී ගුවන් ගමන්", "රෑ ෆ්ලයිට්", "රාත්‍රී ෆ්ලයිට්", "රාත්‍රී"), r"රෑ"),
            "night:day": _n("දහවල් ගුවන් ගමන්", "දවල්"),
            "need:wheelchair": _n("රෝද පුටු", "වීල්චෙයාර්", "වීල් චෙයාර්"),
            "need:reduced mobility": (r"ඇවිදින්න (?:බැහැ|අමාරුයි)", *_n("කිහිලිකරු", "සැරයටි")),
            "need:visual impairment": (*_n("අන්ධ", "දෘෂ්ටි ආබාධ"), r"පේන්නේ නැහැ", r"පෙනීම නැහැ"),
            "need:hearing impairment": (*_n("බිහිරි", "ශ්‍රවණ ආබාධ", "ශ්‍රවණාධාර"), r"ඇහෙන්නේ නැහැ"),
            "need:service animal": _n("මාර්ගෝපදේශක බල්ලා", "ගයිඩ් ඩෝග්", "සහායක බල්ලා"),
            "need:unaccompanied minor": (r"=UM",),
            "need:oxygen": _n("ඔක්සිජන්"),
            "need:assistance": _n("සහාය", "උදව්", "උපකාර"),
            "place:any": _n("ගුවන් තොටුපළ", "එයාර්පෝට්", "ගුවන් සේවය", "එයාර්ලයින්"),
        }
    ),
    cues=_joined(
        {
            "wish": (
                r"කරුණාකර",
                r"කරුණාකරලා",
                *_n("ඕනේ", "ඕන", "අවශ්‍යයි", "අවශ්‍ය", "කැමතියි", "කැමති", "දෙන්න", "එවන්න"),
                *_n("දැනුම් දෙන්න", "ලියන්න", "කරන්න", "විතරයි", "පමණයි", "පමණක්", "හැමවිටම"),
                r"පුළුවන් නම්",
            ),
            "request": _n("පුළුවන්ද", "හැකිද"),
            "neg": (
                r"එපා",
                r"නැහැ",
                r"නෑ",
                r"නැත",
                r"බැහැ",
                r"බෑ",
                r"නොවේ",
                r"කවදාවත්",
                r"නැතුව",
                *_n("එවන්න එපා", "කතා කරන්නේ නැහැ"),
            ),
            "avoid": (r"වළක්වන්න", r"මඟහරින්න", r"මගහරින්න", r"කවදාවත් එපා", r"ආයේ කවදාවත්"),
            "accept": (r"කමක් නැහැ", r"කමක් නෑ", r"ප්‍රශ්නයක් නැහැ", r"ප්‍රශ්නයක් නෑ", r"හරි", r"ඔකේ"),
            "indifferent": (r"ඕනෑම", r"මොකක් වුණත්", r"වෙනසක් නැහැ"),
            "native": _n("මව් භාෂාව"),
            "past": (r"පසුගිය වතාවේ", r"කලින් වතාවේ", r"ගිය අවුරුද්දේ", r"කලින්"),
            "now": (r"දැන්", r"මේ වතාවේ", r"මෙතැන් සිට", r"ඉස්සරහට"),
            "other": (
                r"මගේ (?:බිරිඳ|නෝනා|මහත්තයා|සැමියා|පුතා|දුව|අම්මා|තාත්තා|අයියා|මල්ලි|අක්කා|නංගි|"
                r"යාළුවා|ලොක්කා|ආච්චි|සීයා)" + _S,
            ),
            "condition": (r"නම්",),
            "contrast": _n("වෙනුවට"),
            "except": _n("හැර"),
            "state": (r"තිබුණා", r"හිටියා"),
            "alone": _n("තනියම", "තනිව", "තනියෙන්"),
            "child": (*_n("පුතා", "දුව", "ළමයා", "දරුවා"), r"\d{1,2} (?:හැවිරිදි|අවුරුදු)" + _S),
            "filler": (
                *_n("ආසන", "සීට්", "අසල", "ළඟ", "හරහා", "ගුවන් ගමන", "ෆ්ලයිට්"),
                r"මට",
                r"මම",
                r"මාව",
            ),
        }
    ),
    breaks=(r"නමුත්", r"ඒත්", r"මොකද", r"ඒ නිසා"),
    joins=(r"සහ", r"හා"),
    attacks=(
        r"(?:පෙර|කලින්|සියලු) (?:උපදෙස්|නියෝග)" + _S,
        r"නොසලකා හර" + _S,
        r"සියලු මගීන්" + _S,
        r"ඇඩ්මින්" + _S,
    ),
)
