"""Amharic (Ethiopic script): "የመስኮት ወንበር", "የሌሊት በረራ", "አልፈልግም", "እባክዎ".
Prepositions are syllables written onto the noun ("በመስኮት", by the window; "ከዱባይ",
from Dubai; "በእንግሊዝኛ", in English), so nouns take an optional prefix (`_on`), and
negation is a frame around the verb ("አልፈልግም", I do not want), so negated verbs are cues
of their own."""

from memory.prefs.lexicon.base import Lexicon

_PREFIX = r"(?:[በየከለ]|ወደ)?"


def _on(*words: str) -> tuple[str, ...]:
    """Nouns as written, with a preposition before them and an ending after."""
    return tuple(_PREFIX + word + r"\w*" for word in words)


LEXICON = Lexicon(
    code="am",
    names={
        "am": _on("አማርኛ"),
        "en": _on("እንግሊዝኛ", "እንግሊዘኛ"),
        "ar": _on("አረብኛ", "ዓረብኛ"),
        "fr": _on("ፈረንሳይኛ"),
        "de": _on("ጀርመንኛ"),
        "it": _on("ጣሊያንኛ"),
        "zh": _on("ቻይንኛ"),
    },
    targets={
        "seat:window": _on("መስኮት"),
        "seat:aisle": _on("መተላለፊያ", "ኮሪደር"),
        "channel:sms": (*_on("ኤስኤምኤስ", "አጭር መልእክት", "የጽሑፍ መልእክት", "የጽሁፍ መልዕክት"),),
        "channel:email": _on("ኢሜል", "ኢሜይል", "ኢ-ሜይል"),
        "channel:other": (*_on("ስልክ"), r"ደውሉ\w*", r"ይደውሉ\w*"),
        "channel:webhook": _on("መተግበሪያ"),
        "night:night": (*_on("ሌሊት", "ማታ"), r"የሌሊት በረራ\w*"),
        "night:day": (r"የቀን በረራ\w*", r"በቀን"),
        "need:wheelchair": (*_on("ዊልቸር", "ዊል ቸር"), r"ተሽከርካሪ ወንበር\w*"),
        "need:reduced mobility": (
            r"(?:መራመድ|መሄድ) (?:አልችልም|ያቅተኛል|ይከብደኛል)",
            r"ለመራመድ እቸገራለሁ",
            r"የመንቀሳቀስ ችግር\w*",
            *_on("ምርኩዝ", "ክራንች"),
        ),
        "need:visual impairment": (r"[ዓአ]ይነ ስውር\w*", r"ማየት (?:የተሳነ\w*|አልችልም)"),
        "need:hearing impairment": (
            r"መስማት (?:የተሳነ\w*|አልችልም)",
            r"የመስማት ችግር\w*",
            r"ደንቆሮ",
            r"የመስሚያ መሳሪያ",
        ),
        "need:service animal": (r"መሪ ውሻ\w*", r"የአገልግሎት ውሻ\w*"),
        "need:unaccompanied minor": (r"ያለ አጃቢ", r"ብቻው(?:ን)? የሚጓዝ ልጅ", r"=UM"),
        "need:oxygen": _on("ኦክስጅን", "ኦክሲጅን"),
        "need:assistance": _on("እርዳታ", "ድጋፍ", "አጃቢ"),
        "place:any": _on("አየር ማረፊያ", "ኤርፖርት", "አየር መንገድ"),
    },
    cues={
        "wish": (
            r"እባክ\w*",
            r"እፈልጋለሁ",
            r"እንፈልጋለን",
            r"ይሻለኛል",
            r"እመርጣለሁ",
            r"ያስፈልገኛል",
            r"ጻፉልኝ",
            r"ፃፉልኝ",
            r"ላኩልኝ",
            r"አሳውቁኝ",
            r"ስጡኝ",
            r"ይስጡኝ",
            r"ይላኩልኝ",
            r"ያሳውቁኝ",
            r"ብቻ",
            r"ሁልጊዜ",
            r"ከተቻለ",
            r"አመሰግናለሁ",
        ),
        "request": (r"ትችላላችሁ", r"ትችላለህ", r"ይችላሉ"),
        "neg": (
            r"አልፈልግም",
            r"አንፈልግም",
            r"አልችልም",
            r"አልናገርም",
            r"አላውቅም",
            r"አልረዳም",
            r"አትላኩ\w*",
            r"አትደውሉ\w*",
            r"አትጻፉ\w*",
            r"አትስጡ\w*",
            r"አይደለም",
            # "without" — but after a postposition it is the relative "that is" ("በመስኮት
            # አጠገብ ያለ ወንበር", a seat that is by the window).
            r"(?<!አጠገብ )(?<!ላይ )(?<!ውስጥ )(?<!በኩል )ያለ",
            r"አይ",
        ),
        "avoid": (r"አስወግዱ\w*", r"በፍጹም", r"በጭራሽ", r"ዳግመኛ", r"መቼም", r"ፈጽሞ", r"እንዳታሳልፉኝ"),
        "accept": (
            r"ችግር የለም",
            r"ችግር የለብኝም",
            r"ምንም አይደለም",
            r"ደህና ነው",
            r"አያስቸግረኝም",
            r"ይስማማኛል",
            r"ይቻላል",
        ),
        "indifferent": (r"ግድ የለኝም", r"ለውጥ የለውም", r"የትኛውም", r"ማንኛውም"),
        "native": (r"የአፍ መፍቻ ቋንቋ\w*",),
        "past": (r"ባለፈው(?: ጊዜ)?", r"ከዚህ በፊት", r"ድሮ", r"አምና"),
        "now": (r"አሁን", r"በዚህ ጊዜ", r"ከአሁን በኋላ", r"ወደፊት"),
        "other": (r"(?:ባለቤቴ|ሚስቴ|ባሌ|እናቴ|አባቴ|ወንድሜ|እህቴ|ጓደኛዬ|አለቃዬ|አያቴ|የስራ ባልደረባዬ)\w*",),
        "condition": (r"ከሆነ",),
        "contrast": (r"ይልቅ", r"ፋንታ", r"ሳይሆን"),
        "except": (r"በስተቀር",),
        "fallback": (r"አለበለዚያ",),
        "state": (r"ነበር",),
        "alone": (r"ብቻው(?:ን)?", r"ብቻዋን", r"ያለ አጃቢ"),
        "child": (r"ልጄ\w*", r"ልጅ\w*", r"\d{1,2} (?:ዓመት|አመት)\w*"),
        "filler": (
            *_on("ወንበር", "መቀመጫ"),
            r"አጠገብ",
            r"በኩል",
            r"ለእኔ",
            r"ለኔ",
            r"እኔ",
            *_on("በረራ", "መልእክት", "መልዕክት", "ማሳወቂያ"),
        ),
    },
    breaks=(r"ግን", r"ነገር ግን", r"ምክንያቱም", r"ስለዚህ"),
    joins=(r"እና",),
    attacks=(
        r"(?:ቀደም ያሉ|የቀድሞ|ያለፉ) (?:መመሪያ|ትዕዛዝ)\w*",
        r"(?:መመሪያ|ትዕዛዝ)\w* (?:ችላ|እርሳ)\w*",
        r"ችላ በል\w*",
        r"ሁሉንም ተሳፋሪ\w*",
        r"አስተዳዳሪ\w*",
    ),
)
