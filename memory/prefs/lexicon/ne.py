"""Nepali (Devanagari): "मलाई झ्यालको सिट चाहिन्छ", "रातिको उडान चाहिँदैन", "कृपया".
Postpositions are written onto the noun ("झ्यालको", of the window; "इमेलमा", by e-mail;
"दुबईबाट", from Dubai), so nouns take any Devanagari letters after them (`_n`); negation
is written into the verb ("चाहिँदैन", not wanted; "बोल्दिन", I do not speak), so negated
verbs are cues of their own. Told from Hindi and Marathi by its own words
(`language_id.devanagari`); romanised Nepali ("malai window seat chahincha") is read only
in a text told as Nepali (`local`)."""

from memory.prefs.lexicon.base import Lexicon

_D = "[\u0900-\u097f]*"
"""A Nepali ending written onto the word."""


def _n(*words: str) -> tuple[str, ...]:
    return tuple(word + _D for word in words)


LEXICON = Lexicon(
    code="ne",
    names={
        "ne": (*_n("नेपाली"), r"nepali\w*"),
        "en": _n("अङ्ग्रेजी", "अंग्रेजी", "अङ्ग्रेज़ी", "इङ्लिस"),
        "hi": _n("हिन्दी", "हिंदी"),
    },
    targets={
        "seat:window": (*_n("झ्याल", "विन्डो"), r"jhyal\w*"),
        "seat:aisle": _n("आइल", "बाटोतिर", "बीचको बाटो", "करिडोर"),
        "channel:sms": _n("एसएमएस", "म्यासेज"),
        "channel:email": _n("इमेल", "ईमेल", "इ-मेल"),
        "channel:other": _n("फोन", "कल", "ह्वाट्सएप", "भाइबर"),
        "channel:webhook": _n("एप"),
        "night:night": (
            r"राति" + _D + r" (?:उडान|फ्लाइट|यात्रा)" + _D,
            *_n("रातको उडान", "रातको फ्लाइट", "नाइट फ्लाइट"),
            r"(?:raati|rati|raat)(?: ?ko)? (?:flight|udan)\w*",
        ),
        "night:day": (r"दिउँसो" + _D, r"दिनको (?:उडान|फ्लाइट)" + _D),
        "need:wheelchair": _n("ह्वीलचेयर", "ह्विलचेयर", "व्हीलचेयर", "पाङ्ग्रे कुर्सी"),
        "need:reduced mobility": (
            r"हिँड्न (?:सक्दिन|गाह्रो|समस्या)" + _D,
            r"हिड्न (?:सक्दिन|गाह्रो|समस्या)" + _D,
            *_n("लौरो", "बैसाखी"),
        ),
        "need:visual impairment": (*_n("दृष्टिविहीन", "अन्धा", "अन्धो", "दृष्टिहीन"), r"देख्दिन"),
        "need:hearing impairment": (*_n("बहिरा", "बहिरो", "श्रवणशक्ति"), r"सुन्दिन", r"सुन्न सक्दिन"),
        "need:service animal": _n("गाइड कुकुर", "गाइड डग", "सहायक कुकुर"),
        "need:unaccompanied minor": (r"=UM",),
        "need:oxygen": _n("अक्सिजन"),
        "need:assistance": _n("सहयोग", "सहायता", "मद्दत"),
        "place:any": _n("विमानस्थल", "एयरपोर्ट", "एयरलाइन्स", "एयरलाइन"),
    },
    cues={
        "wish": (
            r"कृपया",
            *_n("चाहिन्छ", "चाहन्छु", "चाहियो", "मन पर्छ", "राम्रो हुन्छ"),
            *_n("दिनुहोस्", "पठाउनुहोस्", "गर्नुहोस्", "लेख्नुहोस्", "जानकारी दिनुहोस्"),
            r"मात्र",
            r"सधैं",
            r"सधैँ",
            r"सम्भव भए",
            r"आवश्यक छ",
        ),
        "request": (r"सक्नुहुन्छ",),
        "neg": (
            *_n("चाहिँदैन", "चाहिदैन", "चाहन्न", "बोल्दिन", "बुझ्दिन", "आउँदैन", "सक्दिन"),
            r"नगर्नुहोस्",
            r"(?:मन )?पर्दैन",
            r"नपठाउनुहोस्",
            r"नदिनुहोस्",
            r"छैन",
            r"होइन",
            r"हैन",
            r"कहिल्यै",
            r"बिना",
            r"नभई",
        ),
        "avoid": (r"नलैजानुहोस्", r"कहिल्यै पनि", r"नजाऊँ", r"टाढै", r"नजानुहोस्", r"नराख्नुहोस्"),
        "accept": (r"ठीक छ", r"ठिक छ", r"हुन्छ", r"समस्या छैन", r"फरक पर्दैन", r"चल्छ"),
        "indifferent": (r"जुनसुकै", r"जे भए पनि", r"केही फरक पर्दैन"),
        "native": _n("मातृभाषा"),
        "past": (
            r"\S*(?:को )?लागि धन्यवाद" + _D,
            r"\S*लाई धन्यवाद" + _D,
            r"गएको पटक",
            r"अघिल्लो पटक",
            r"पोहोर",
            r"पहिले",
        ),
        "now": (r"अब", r"यस पटक", r"अबदेखि", r"अब उप्रान्त"),
        "other": (
            r"मेरो (?:श्रीमती|श्रीमान|बुवा|बाबा|आमा|छोरा|छोरी|दाइ|भाइ|दिदी|बहिनी|साथी|हजुरबुवा|"
            r"हजुरआमा)" + _D,
            r"मेरी (?:श्रीमती|आमा|छोरी|दिदी|बहिनी)" + _D,
        ),
        "condition": (r"यदि", r"भने"),
        "contrast": (r"सट्टा", r"बदलामा"),
        "except": (r"बाहेक",),
        "state": (r"थियो", r"थिएँ"),
        "alone": (r"एक्लै", r"एक्लो", r"एक्ली"),
        "child": (*_n("छोरा", "छोरी", "बच्चा", "नाबालक"), r"\d{1,2} वर्ष" + _D),
        "filler": (
            *_n("सिट", "सीट", "उडान", "फ्लाइट"),
            r"मलाई",
            r"म",
            r"मेरो लागि",
            r"हुँदै",
            r"भएर",
            r"छ",
        ),
    },
    breaks=(r"तर", r"किनभने", r"किनकि", r"त्यसैले"),
    concessive=(r"यद्यपि",),
    joins=(r"र", r"अनि"),
    local={
        "neg": (
            r"chahidaina",
            r"chaidaina",
            r"chhaina",
            r"chaina",
            r"nagarnus",
            r"napathaunus",
            r"nadinus",
            r"nalaijanus",
            r"kahilyai",
        ),
        "wish": (
            r"chahincha",
            r"chahinchha",
            r"chainchha",
            r"chaincha",
            r"dinus",
            r"pathaunus",
            r"garnus",
        ),
        "accept": (r"thik cha", r"thik chha", r"huncha", r"hunchha"),
        "filler": (r"malai", r"mero", r"hudai", r"bhaera"),
    },
    attacks=(
        r"(?:पहिलेका|अघिल्ला|सबै) (?:[\u0900-\u097f]+ )?निर्देशन" + _D,
        r"बेवास्ता गर" + _D + r" (?:र|अनि)",
        r"सबै यात्रु" + _D,
        r"एडमिन" + _D,
    ),
)
