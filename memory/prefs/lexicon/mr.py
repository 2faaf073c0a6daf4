"""Marathi (Devanagari): "मला खिडकीजवळची जागा हवी", "रात्रीचे विमान नको", "कृपया".
Postpositions are written onto the noun ("खिडकीजवळ", by the window; "ईमेलवर", by e-mail;
"दुबईमार्गे", via Dubai), so nouns take any Devanagari letters after them (`_n`);
negation is a word of its own after the verb ("नको", not wanted; "नाही", not). Told from
Hindi and Nepali by its own words (`language_id.devanagari`); romanised Marathi ("mala
window seat pahije") is read only in a text told as Marathi (`local`)."""

from memory.prefs.lexicon.base import Lexicon

_D = "[\u0900-\u097f]*"
"""A Marathi ending written onto the word."""


def _n(*words: str) -> tuple[str, ...]:
    return tuple(word + _D for word in words)


LEXICON = Lexicon(
    code="mr",
    names={
        "mr": (*_n("मराठी"), r"marathi\w*"),
        "en": _n("इंग्रजी", "इंग्लिश"),
        "hi": _n("हिंदी", "हिन्दी"),
    },
    targets={
        "seat:window": (*_n("खिडकी", "खिडक्या", "विंडो"), r"khidki\w*"),
        "seat:aisle": _n("आयल", "मधल्या मार्गा", "पॅसेज", "कॉरिडॉर"),
        "channel:sms": _n("एसएमएस", "मेसेज"),
        "channel:email": _n("ईमेल", "ई-मेल", "इमेल"),
        "channel:other": _n("फोन", "कॉल", "व्हॉट्सॲप", "व्हॉट्सअ‍ॅप"),
        "channel:webhook": _n("ॲप", "अ‍ॅप"),
        "night:night": (
            r"रात्री" + _D + r" (?:विमान|फ्लाइट|प्रवास|उड्डाण)" + _D,
            *_n("रात्रीच्या फ्लाइट", "नाईट फ्लाइट"),
            r"(?:ratri|ratrichi|ratriche|night) (?:flight|vimaan)\w*",
        ),
        "night:day": (r"दिवसा" + _D, r"दिवसाच" + _D + r" (?:विमान|फ्लाइट)" + _D),
        "need:wheelchair": _n("व्हीलचेअर", "व्हील चेअर", "चाकांची खुर्ची"),
        "need:reduced mobility": (
            r"चाल(?:ता|णे|ायला) (?:येत नाही|जमत नाही|त्रास)" + _D,
            *_n("काठी", "कुबडी"),
        ),
        "need:visual impairment": (*_n("अंध", "दृष्टिहीन"), r"दिसत नाही"),
        "need:hearing impairment": (*_n("बहिर", "कर्णबधिर"), r"ऐकू येत नाही"),
        "need:service animal": _n("गाईड डॉग", "गाइड डॉग", "मार्गदर्शक कुत्र"),
        "need:unaccompanied minor": (r"=UM",),
        "need:oxygen": _n("ऑक्सिजन"),
        "need:assistance": _n("मदत", "सहाय्य"),
        "place:any": _n("विमानतळ", "एअरपोर्ट", "एअरलाइन", "विमान कंपनी"),
    },
    cues={
        "wish": (
            r"कृपया",
            *_n("पाहिजे", "हवी", "हवे", "हवं", "हवा आहे", "आवडेल", "आवडत"),
            *_n("द्या", "पाठवा", "कळवा", "लिहा", "करा"),
            r"फक्त",
            r"नेहमी",
            r"शक्य असल्यास",
            r"गरज आहे",
            r"आवश्यक",
        ),
        "request": (r"शकाल का", r"शकता का"),
        "neg": (r"नको", r"नका", r"नाही", r"नाहीत", r"कधीही", r"शिवाय"),
        "avoid": (r"टाळा", r"टाळाव" + _D, r"कधीच नको", r"पुन्हा (?:कधी )?नको", r"मुळीच नको"),
        "accept": (r"चालेल", r"हरकत नाही", r"काही (?:हरकत|अडचण|प्रॉब्लेम) नाही", r"ठीक आहे", r"चालतं"),
        "indifferent": (r"काहीही", r"कोणतीही", r"काही फरक पडत नाही"),
        "native": _n("मातृभाषा"),
        "past": (
            r"\S*बद्दल (?:धन्यवाद|आभार)" + _D,
            r"मागच्या वेळी",
            r"मागील वेळी",
            r"गेल्या वर्षी",
            r"पूर्वी",
            r"आधी",
        ),
        "now": (r"आता", r"या वेळी", r"यापुढे", r"आतापासून"),
        "other": (
            r"माझ(?:ी|ा|े|्या) (?:पत्नी|बायको|नवरा|पती|आई|वडील|बाबा|मुलगा|मुलगी|भाऊ|बहीण|"
            r"मित्र|आजी|आजोबा)" + _D,
        ),
        "condition": (r"जर",),
        "contrast": (r"ऐवजी",),
        "except": (r"सोडून", r"व्यतिरिक्त"),
        "state": (r"होता", r"होती", r"होते"),
        "alone": (r"एकटा", r"एकटी", r"एकटे", r"एकट्याने"),
        "child": (*_n("मुलगा", "मुलगी", "मूल", "मुल"), r"\d{1,2} वर्षा" + _D),
        "filler": (
            *_n("जागा", "सीट", "विमान", "फ्लाइट"),
            r"मला",
            r"मी",
            r"माझ्यासाठी",
            r"आहे",
            r"मार्गे",
            r"जवळ" + _D,
        ),
    },
    breaks=(r"पण", r"परंतु", r"कारण", r"म्हणून"),
    concessive=(r"जरी",),
    joins=(r"आणि", r"व"),
    local={
        "neg": (r"nako", r"naka", r"nahi"),
        "wish": (r"pahije", r"havi", r"have", r"dya", r"pathva", r"kalva", r"krupaya"),
        "accept": (r"chalel", r"harkat nahi"),
        "filler": (r"mala", r"mi", r"majhi", r"majha", r"marge", r"madhun"),
        "avoid": (r"taala", r"tala"),
    },
    attacks=(
        r"(?:मागील|आधीच्या|सर्व) (?:[\u0900-\u097f]+ )?सूचना" + _D + r" (?:दुर्लक्ष|विसर)" + _D,
        r"दुर्लक्ष कर" + _D,
        r"सर्व प्रवासी" + _D,
        r"अ‍ॅडमिन" + _D,
        r"ॲडमिन" + _D,
    ),
)
