"""Which language a statement is written in: "Ich spreche kein Englisch" says German.

py3langid (langid.py's model, shipped inside the package; no download) restricted to the
languages the lexicon covers, which makes it reliable on the short texts notes are.

Why it is long: beside the model, it holds the rules that tell close languages apart
(scripts, letters, a few words only one language writes: Urdu from Arabic and Farsi,
Slovak from Czech, Nepali and Marathi from Hindi, Catalan from Spanish), each a short
word table; the order in which they are tried is part of the rule, so they stay together.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any

from memory.prefs.text import HANGUL, fold, has_kana, is_cjk

COVERED = (
    *("en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "tr", "vi", "id", "da", "no", "fi"),
    *("ro", "hu", "sw", "tl", "cs", "sk", "hr", "sr", "bs", "lt", "lv", "et", "eu"),
)
"""Languages told apart by langid; Chinese, Japanese, Korean, Greek, Arabic, Farsi, Hebrew,
Thai, Hindi (Devanagari), Bengali, Tamil, Amharic (Ethiopic) and the Cyrillic languages by
their scripts (`SCRIPTS`); Hindi and Greek in Latin letters by their function words
(`romanised_hindi`, `greeklish`)."""
CYRILLIC = ("ru", "uk", "bg", "sr")
"""The languages of the Cyrillic script; Russian unless letters say otherwise, or langid
finds Bulgarian or Serbian clearly likelier (`_cyrillic`)."""
CLEARLY = 2.0
"""How many times likelier than Russian a Bulgarian or Serbian reading must be."""
_SAME_LANGUAGE = {"bs": "hr"}
"""Bosnian is read (and answered) as the Croatian/Serbian it is written like."""
_CLOSE = (frozenset({"hr", "sr", "bs"}), frozenset({"cs", "sk"}))
"""Languages so alike that langid splits its belief between them: sure of the group, it
names the likeliest of it."""
SCRIPTS = (
    ("ko", re.compile(f"[{HANGUL}]")),
    ("el", re.compile("[\u0370-\u03ff\u1f00-\u1fff]")),
    ("he", re.compile("[\u0590-\u05ff]")),
    ("th", re.compile("[\u0e00-\u0e7f]")),
    ("ar", re.compile("[\u0600-\u06ff]")),
    ("hi", re.compile("[\u0900-\u097f]")),
    ("bn", re.compile("[\u0980-\u09ff]")),
    ("ta", re.compile("[\u0b80-\u0bff]")),
    ("am", re.compile("[\u1200-\u137f]")),
    ("hy", re.compile("[\u0531-\u058f\ufb13-\ufb17]")),
    ("ka", re.compile("[\u10a0-\u10ff\u1c90-\u1cbf]")),
    ("te", re.compile("[\u0c00-\u0c7f]")),
    ("pa", re.compile("[\u0a00-\u0a7f]")),
    ("si", re.compile("[\u0d80-\u0dff]")),
    ("my", re.compile("[\u1000-\u109f]")),
    ("km", re.compile("[\u1780-\u17ff]")),
    ("ru", re.compile("[\u0400-\u04ff]")),
)
# One script, two languages: Farsi writes letters Arabic does not (پ چ ژ گ, and its own
# kāf and yeh), Ukrainian letters Russian does not (і ї є ґ), and the other way round.
_OWN_LETTERS = {
    "ar": ("fa", re.compile("[\u067e\u0686\u0698\u06af\u06a9\u06cc]")),
    "ru": ("uk", re.compile("[іїєґІЇЄҐ]")),
}
_NOT_UKRAINIAN = re.compile("[ыэъёЫЭЪЁ]")
_RUSSIAN = re.compile("[ыэёЫЭЁ]")
# Common words of a wish that only one of the Cyrillic languages writes.
_CYRILLIC_WORDS = {
    "ru": frozenset(
        "прошу пожалуйста спасибо хочу хотел хотела нужно нужен нужна меня только через "
        "рейс рейсы рейсов окна окну прохода ночные ночных звоните самолет".split()
    ),
    "bg": frozenset(
        "моля искам благодаря място мястото съм сме пътеката прозореца полети полет нощни "
        "мерси няма през пречи притеснява искаме".split()
    ),
    "sr": frozenset(
        "молим хвала желим немојте поред седиште летове ноћне прозора енглески".split()
    ),
}
_SERBIAN = re.compile("[ђјљњћџЂЈЉЊЋЏ]")

# Hindi written in Latin letters ("mujhe window seat chahiye"), which langid's model (trained
# on Devanagari) cannot tell: two of its commonest function words that no covered
# language shares say it.
_HINGLISH = frozenset(
    "nahi nahin chahiye mujhe dena bhejna bhejo karo kariye dijiye yaar bhai hai hain aur "
    "raat wali wala waali mera meri mere kabhi accha theek chalega kuch mujhse aap baat "
    "karein karen kijiye dein dijiye likhiye angrezi".split()
)


# Greek in Latin letters ("thelo thesi sto parathyro"), told by words no other covered
# language writes.
_GREEKLISH = frozenset(
    "thelo theloume thelw parakalo parakalw efxaristo euxaristo eyxaristo den mou einai "
    "sto stin ston stis thesi thesh parathyro parathiro diadromo ptisi ptiseis ptisis "
    "nyxterines nixterines mporeite xreiazomai xriazome kai oxi pote milao milaw grapste "
    "grapsete sta ellinika agglika apofygete apofigete dwste doste steilte stilte gia poly "
    "polu ti tin to na".split()
)
_GREEKLISH_OWN = frozenset(
    "thelo theloume thelw parakalo parakalw efxaristo euxaristo eyxaristo thesi thesh "
    "parathyro parathiro diadromo ptisi ptiseis ptisis nyxterines nixterines mporeite "
    "xreiazomai xriazome milao milaw grapste grapsete ellinika agglika apofygete "
    "apofigete".split()
)


def _sibling(code: str, text: str) -> str:
    """The language of a script shared by several: its own letters say which, or langid."""
    if code == "ru":
        return _cyrillic(text)
    if code == "hi":
        return devanagari(text)
    if code == "ar":
        return arabic_script(text)
    if code in _OWN_LETTERS:
        sibling, letters = _OWN_LETTERS[code]
        if letters.search(text):
            return sibling
    return code


def _cyrillic(text: str) -> str:
    """Russian, Ukrainian, Serbian or Bulgarian: letters of one alone, else langid."""
    if _SERBIAN.search(text):
        return "sr"
    if uzbek_cyrillic(text):
        return "uz"
    steppe = _steppe(text)
    if steppe is not None:
        return steppe
    if _OWN_LETTERS["ru"][1].search(text) and not _NOT_UKRAINIAN.search(text):
        return "uk"
    if _RUSSIAN.search(text):
        return "ru"
    words = set(re.findall(r"[а-яёђјљњћџ]+", text.lower()))
    told = [code for code, own in _CYRILLIC_WORDS.items() if words & own]
    if len(told) == 1:
        return told[0]
    # Ukrainian without its letters is read as Russian (its lexicon still matches), as are
    # texts langid cannot tell: a short Russian sentence is often ranked Serbian.
    ranked = dict(_classifier().rank(text))
    best = max(("bg", "sr"), key=lambda code: ranked.get(code, 0.0))
    return best if ranked.get(best, 0.0) > CLEARLY * ranked.get("ru", 0.0) else "ru"


# Kazakh writes letters no other Cyrillic language we read does (ә ғ қ ң ұ һ); Mongolian
# writes ө and ү without them. Both also write ы and э, so they are told before Russian.
_KAZAKH = re.compile("[әғқңұһӘҒҚҢҰҺ]")
_MONGOLIAN = re.compile("[өүӨҮ]")
_STEPPE_WORDS = {
    "kk": frozenset("рахмет өтінемін маған керек емес жоқ арқылы түнгі терезе".split()),
    "mn": frozenset(
        "баярлалаа гуйя надад хэрэгтэй битгий цонхны цонхны суудал нислэг шөнийн англиар "
        "монголоор хүсч хүсэж байна хэлээр ойлгоно".split()
    ),
}


# Uzbek Cyrillic writes ў and ҳ, which no other Cyrillic language we read does; its қ and ғ
# are Kazakh's too, so without ў or ҳ its own words say it (and no letter only Kazakh has).
_UZBEK = re.compile("[ўҳЎҲ]")
_ONLY_KAZAKH = re.compile("[әңұүөһіӘҢҰҮӨҺІ]")
_UZBEK_WORDS = frozenset(
    "илтимос керак эмас менга дераза ёнидаги жой тунги рейслар рейсларни хоҳлайман "
    "истайман ёзинг юборинг беринг раҳмат ўзбекча инглизча орқали майли барибир".split()
)


def uzbek_cyrillic(text: str) -> bool:
    """Is this Cyrillic text Uzbek: ў or ҳ, or two of its words and no Kazakh letter?"""
    if _UZBEK.search(text):
        return True
    words = set(re.findall(r"[а-яёқғ]+", text.lower()))
    return len(words & _UZBEK_WORDS) >= 2 and not _ONLY_KAZAKH.search(text)


# Urdu and Punjabi (Shahmukhi) write letters Arabic and Farsi do not (ٹ ڈ ڑ ں ہ ے ھ);
# Punjabi is told from Urdu by the words of a wish only it writes ("مینوں … چاہیدی اے").
_URDU_LETTERS = re.compile("[\u0679\u0688\u0691\u06ba\u06be\u06c1\u06d2]")
_SHAHMUKHI_WORDS = frozenset(
    "مینوں نوں دی دا دے اے نئیں چاہیدی چاہیدا چاہیدے چاہندا چاہندی سانوں تسیں تہانوں وچ توں "
    "کدے کدی ہن باری اتے دیو ناں پنجابی ایہہ واری گل آؤندی بولدا بولدی".split()
)
_URDU_WORDS = frozenset(
    "ہے ہیں نہیں مجھے چاہیے چاہئے کی کے کا سے کو کریں دیں ہمیں آپ براہ مہربانی اردو آتی "
    "بولتا بولتی جائے".split()
)


def arabic_script(text: str) -> str:
    """Arabic, Farsi, Urdu or Punjabi: the letters each writes, then their own words."""
    words = set(re.findall("[\u0600-\u06ff]+", text))
    punjabi, urdu = len(words & _SHAHMUKHI_WORDS), len(words & _URDU_WORDS)
    if _URDU_LETTERS.search(text) or punjabi or urdu:
        return "pa" if punjabi > urdu else "ur"
    sibling, letters = _OWN_LETTERS["ar"]
    return sibling if letters.search(text) else "ar"


# Hindi, Marathi and Nepali share Devanagari: the commonest words of a wish that only one of
# them writes ("मुझे … चाहिए", "मला … पाहिजे", "मलाई … चाहिन्छ") say which; Hindi if none do.
_DEVANAGARI_WORDS = {
    "hi": frozenset(
        "मुझे मुझको मुझसे चाहिए चाहिये नहीं है हैं मैं मेरी मेरा मेरे दीजिए दीजिये भेजिए करें कीजिए होकर".split()
    ),
    "mr": frozenset(
        "मला मी माझी माझा माझे माझ्या नको नका पाहिजे हवी हवे आहे आहेत नाही नाहीत द्या पाठवा "
        "कळवा चालेल मार्गे मराठीत मराठी आम्हाला आमच्या कृपयाच करू".split()
    ),
    "ne": frozenset(
        "मलाई म मेरो चाहिन्छ चाहियो चाहिँदैन चाहिदैन छैन छ छु हुन्छ हुँदैन गर्नुहोस् "
        "पठाउनुहोस् दिनुहोस् हुँदै भएर नेपालीमा नेपाली सक्दिन बोल्दिन हामीलाई छोरा छोरी एक्लै "
        "श्रीमती बुवा".split()
    ),
}


def _steppe(text: str) -> str | None:
    """Kazakh or Mongolian by their own letters, or by words only they write."""
    if _KAZAKH.search(text):
        return "kk"
    words = set(re.findall(r"[а-яёөүәғқңұһі]+", text.lower()))
    told = [code for code, own in _STEPPE_WORDS.items() if words & own]
    if len(told) == 1:
        return told[0]
    if _MONGOLIAN.search(text):
        return "kk" if "і" in text.lower() else "mn"
    return None


# Azerbaijani, Icelandic, Welsh and Irish, which langid (restricted to the languages we
# read) would hand to Turkish, Danish or English: a letter only one writes (ə; þ, ð), or
# words only it writes — two of them, or one that says it alone.
_OWN_LATIN_LETTERS = {
    "az": re.compile("[əƏ]"),
    "is": re.compile("[þðÞÐ]"),
    "ca": re.compile("l·l|L·L"),  # the Catalan geminate: "col·lega", "Brussel·les"
    "ha": re.compile("[ɓɗƙƴƁƊƘƳ]"),  # Hausa's hooked letters
    "uz": re.compile("[oOgG][ʻʼ]"),  # Uzbek oʻ and gʻ
}
_OWN_LATIN_WORDS = {
    # Not the words Turkish shares ("gece", "uçuş", "pencere", "gönderin").
    "az": frozenset(
        "xahiş xahis edirəm edirem istəmirəm istemirem mənə mene danışmıram danismiram "
        "zəng zeng pəncərə gecə uçuşları göndərin etməyin".split()
    ),
    # Not the words Norwegian or Swedish share ("eg", "vil", "mer", "tala", "takk").
    "is": frozenset(
        "ég ekki vinsamlegast gluggasæti gangsæti næturflug viljum mér hringja sendið "
        "íslensku ensku aldrei".split()
    ),
    # Not English, French or Spanish words ("dim", "yn", "mi", "nos", "le", "do", "go").
    "cy": frozenset(
        "gwelwch dda ddim ffenest ffenestr eil hedfan hediadau hediad eisiau isio hoffwn "
        "peidiwch diolch trwy drwy cymraeg saesneg dw rwy'n dwi sedd neges negeseuon "
        "ffonio byth cadair olwyn".split()
    ),
    "ga": frozenset(
        "thoil cuir chuir ní níl fuinneog fuinneoige pasáiste gaeilge béarla mhaith liom eitilt "
        "eitiltí oíche trí riamh raibh agat agam téacs ríomhphost glaoigh cathaoir rothaí "
        "suíochán taisteal aois fadhb labhraím".split()
    ),
    # Not the words Spanish, Italian, French or Portuguese share ("finestra", "vols").
    "ca": frozenset(
        "vull voldria volem sisplau plau seient seients finestra passadís passadis avió avio "
        "m'importa gràcies català anglès electrònic missatge missatges trucada trucades "
        "amb aquesta aquest vegada només perquè molt tinc puc cadira rodes parlo nit mai "
        "també però sempre eviteu escriviu molesten molesta em m'estimo seure tinc".split()
    ),
    # Not "so", "don", "sama" (Indonesian), "taga" (Tagalog) or "dare" alone.
    "ha": frozenset(
        "ina so son ban bana don allah kujera kujerar taga jirgin jirgi sama dare daddare "
        "keken guragu saƙon sakon waya turanci hausa gode nagode kada kar ku mini min ni "
        "kusa matsala babu hanyar hanya imel tafiya bukata buƙata bukatar buƙatar kawai "
        "koyaushe rubuta aiko tura filin kira damuwa komai makaho makauniya kurma kurame".split()
    ),
    # Not the Turkish and Azerbaijani words ("gece", "uçuş", "istəmirəm").
    "uz": frozenset(
        "iltimos xohlayman xohlamayman istayman istamayman kerak emas deraza yonidagi joy "
        "tungi reys reyslar reyslarni menga yozing yuboring rahmat inglizcha o'zbekcha "
        "gapirmayman orqali hech qachon aravacha mayli muammo faqat qilmang uchmang "
        "baribir yo'q yo'lak yo'lakda bilan uchun bilmayman ingliz tilini tilida mening bor "
        "menda".split()
    ),
}
_OWN_LATIN_ALONE = frozenset(
    "xahiş xahis istəmirəm istemirem danışmıram danismiram göndərin etməyin "
    "vinsamlegast gluggasæti gangsæti næturflug sendið íslensku "
    "gwelwch ddim ffenestr hediadau hoffwn peidiwch diolch cymraeg saesneg "
    "thoil fuinneog fuinneoige gaeilge béarla mhaith liom eitilt eitiltí oíche raibh "
    "ríomhphost suíochán "
    "vull voldria sisplau plau seient seients passadís avió m'importa gràcies català "
    "electrònic missatge missatges trucada trucades amb aquesta aquest vegada només perquè "
    "m'estimo seure anglès castellà "
    "kujera kujerar jirgin guragu saƙon sakon turanci nagode matsala koyaushe buƙata "
    "bukata bukatar buƙatar daddare aiko rubuta makaho makauniya kurma kurame "
    "iltimos xohlayman xohlamayman istayman istamayman kerak emas deraza tungi menga "
    "yozing yuboring inglizcha o'zbekcha gapirmayman orqali qachon aravacha mayli muammo "
    "faqat qilmang uchmang baribir bilmayman".split()
)


_ALONE_NEEDED = frozenset({"ca", "ha", "uz"})
"""Languages whose own-word lists hold words of others too (Catalan "sempre", "però" are
Italian; Hausa "so", "son" English; Uzbek "bor", "joy"): told only by one that says it
alone."""


def own_latin(text: str) -> str | None:
    """Azerbaijani, Icelandic, Welsh, Irish, Catalan, Hausa or Uzbek by a letter or words
    only it writes."""
    told = [code for code, letters in _OWN_LATIN_LETTERS.items() if letters.search(text)]
    if len(told) == 1:
        return told[0]
    words = set(re.findall(r"[\w']+", text.lower()))
    told = [
        code
        for code, own in _OWN_LATIN_WORDS.items()
        if (len(words & own) >= 2 and code not in _ALONE_NEEDED) or words & own & _OWN_LATIN_ALONE
    ]
    return told[0] if len(told) == 1 else None


_NEPALI_VERB = re.compile("(?:न्छ|न्छु|न्छन्|दैन|दैनन्|नुहोस्|दैछ|दैछे|दैछन्)$")
"""Nepali verb endings (चाहिन्छ, चाहिँदैन, गर्नुहोस्, गर्दैछे) no Hindi or Marathi word has."""


def devanagari(text: str) -> str:
    """Hindi, Marathi or Nepali: the one with most words of its own, Hindi on a tie."""
    words = set(re.findall("[\u0900-\u0963\u0966-\u097f]+", text))
    scores = {code: len(words & own) for code, own in _DEVANAGARI_WORDS.items()}
    scores["ne"] += sum(1 for word in words if _NEPALI_VERB.search(word))
    best = max(("mr", "ne"), key=lambda code: scores[code])
    return best if scores[best] > scores["hi"] else "hi"


def greeklish(text: str) -> bool:
    """Is `text` Greek in Latin letters?"""
    words = set(re.findall(r"[a-z]+", text.lower()))
    return len(words & _GREEKLISH) >= 2 and bool(words & _GREEKLISH_OWN)


# Bengali and Tamil in Latin letters, told the same way (no covered language writes these).
_ROMANISED = {
    "bn": frozenset(
        "ami amake amar chai lagbe dorkar diben deben korben pathaben raater rater janala "
        "janalar nei noy cholbe jekono bangla banglay hoye jete".split()
    ),
    "ta": frozenset(
        "enakku venum vennum vendum vendam vendaam venaam illa illai kodunga anuppunga "
        "theriyadhu theriyathu paravalla naan iravu jannal tamizh thamizh vazhiya".split()
    ),
}


# ... one of which says it alone.
_ROMANISED_ALONE = frozenset(
    "pathaben diben korben lagbe dorkar venum vendam vendaam theriyadhu anuppunga kodunga".split()
)


def romanised(text: str) -> str | None:
    """Bengali or Tamil in Latin letters: the one with two of its words, or one of the
    words that say it alone."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    told = [
        code
        for code, own in _ROMANISED.items()
        if len(words & own) >= 2 or words & own & _ROMANISED_ALONE
    ]
    return told[0] if len(told) == 1 else None


# Marathi, Nepali, Zulu and Yoruba in Latin letters (the first two romanised, the others
# their own spelling; langid knows no Yoruba and is not asked about Zulu): two words of
# one of them, one of them a word that says it alone; read folded ("jọ̀wọ́" is "jowo").
_INDIC_AFRICAN_LATIN_WORDS = {
    "mr": frozenset(
        "mala mi majhi majha majhya pahije havi have hava nako naka ahe nahi dya patha pathva "
        "kalva chalel marathi marathit khidki khidkijaval ratrichi ratriche vimaan".split()
    ),
    "ne": frozenset(
        "malai mero meri chahincha chahinchha chainchha chaincha chahiyo chahidaina "
        "chaidaina chhaina chaina cha chha garnus garnuhos pathaunus dinus hunchha "
        "hundaina hudai bhaera nepali nepalima jhyal raati ratiko napathaunus nagarnus "
        "nalaijanus najanus nadinus".split()
    ),
    "zu": frozenset(
        "ngicela sicela ngiyacela ngifuna sifuna angifuni asifuni ngiyabonga siyabonga "
        "angikhulumi ngikhuluma isihlalo esihlalweni ifasitela efasiteleni ubusuku "
        "ebusuku indiza izindiza ngokuthumela ngithumelele ungangishayeli ngiyakwazi "
        "angikwazi isingisi isizulu ngesizulu ngesingisi kodwa futhi ngiyanxusa "
        "ningangidlulisi nginqaba ngokuzithandela angisoze ngandiza ngeke yedwa ngedwa "
        "indodakazi indodana ingane ineminyaka iminyaka yami wami ngiyimpumputhe".split()
    ),
    "yo": frozenset(
        "jowo e jo mo fe ko ki nko emi mi ijoko ferese oju ofurufu oko ale oru "
        "yoruba ede geesi gesi ranse ifiranse ipe pe nipase dakun ejo kan ati ni ti afoju "
        "aditi iranlowo atejise imeeli yoo nikan omo".split()
    ),
}
_INDIC_AFRICAN_LATIN_ALONE = frozenset(
    "pahije pathva kalva nako majhi majhya chalel marathit nadinus chahincha chahinchha chainchha "
    "chaincha chahidaina chaidaina chhaina garnus pathaunus dinus hunchha nepalima "
    "ngicela sicela ngiyacela ngifuna angifuni ngiyabonga angikhulumi isihlalo ifasitela "
    "ubusuku ebusuku izindiza indiza isizulu ngesizulu ngesingisi angisoze ngandiza yedwa "
    "ngedwa indodakazi indodana ineminyaka ngiyimpumputhe nalaijanus napathaunus nagarnus "
    "jowo ofurufu ferese ijoko dakun ifiranse afoju aditi iranlowo atejise yoo".split()
)
_YORUBA_LETTERS = re.compile("[\u1eb9\u1ecd\u1e63\u1eb8\u1ecc\u1e62]")
"""ẹ ọ ṣ: Yoruba, unless Vietnamese marks say Vietnamese (which writes ẹ and ọ too)."""
_VIETNAMESE_MARKS = re.compile("[\u0302\u0306\u031b\u0111]")
"""Circumflex, breve, horn and đ: every Vietnamese sentence has some; Yoruba writes none."""


def indic_african_latin(text: str) -> str | None:
    """Marathi, Nepali, Zulu or Yoruba in Latin letters, when one alone is told."""
    words = set(re.findall(r"[a-z]+", re.sub("[\u0300-\u036f]", "", fold(text))))
    told = [
        code
        for code, own in _INDIC_AFRICAN_LATIN_WORDS.items()
        if words & own & _INDIC_AFRICAN_LATIN_ALONE and (len(words & own) >= 2 or code == "zu")
    ]
    if (
        not told
        and _YORUBA_LETTERS.search(text)
        and not _VIETNAMESE_MARKS.search(unicodedata.normalize("NFKD", text.lower()))
    ):
        told = ["yo"]
    return told[0] if len(told) == 1 else None


# Punjabi and Urdu in Latin letters share most words with romanised Hindi (`_HINGLISH`);
# Punjabi's own ("mainu", "chahidi", "kade") and Urdu's ("meherbani", "parwaz") say which.
_ROMAN_PUNJABI = frozenset(
    "mainu mennu menu tuhanu sanu chahidi chahida chahide chaidi chaida aundi bolda boldi "
    "punjabi panjabi kujh kade hun vich ton nai ni deyo karo ji baari".split()
)
_ROMAN_PUNJABI_ALONE = frozenset(
    "mainu mennu tuhanu sanu chahidi chahida chahide chaidi chaida aundi bolda boldi "
    "punjabi panjabi kujh".split()
)
_ROMAN_URDU = frozenset(
    # Words Urdu speakers write and Hindi speakers do not ("janab", "Allah hafiz",
    # "guzarish"), and Urdu's Latin spellings ("mujhay", "dain", "parhta": Pakistani
    # romanisation writes the final -e as -ay and the retroflex as rh).
    "urdu meherbani meharbani mehrbani baraye parwaz parwazen janab jnab khuda allah hafiz "
    "inshallah mashallah guzarish darkhwast ittila mujhay mujhy humain hamain tumhain "
    "dain karain krain parhta parhti parhna bohat".split()
)
_ROMAN_HINDI_ONLY = frozenset(
    "kripya kripaya krupya dhanyavad dhanyavaad dhanyawad bhasha yatra samay suchna".split()
)


def roman_punjabi_urdu(text: str) -> str | None:
    """Punjabi (two of its words, one its alone) or Urdu (one of its words beside a
    word romanised Hindi shares) in Latin letters."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    punjabi = words & _ROMAN_PUNJABI
    if len(punjabi) >= 2 and punjabi & _ROMAN_PUNJABI_ALONE:
        return "pa"
    if (
        words & _ROMAN_URDU
        and words & (_HINGLISH | _ROMAN_PUNJABI)
        and len(words & _ROMAN_URDU) > len(words & _ROMAN_HINDI_ONLY)
    ):
        return "ur"
    return None


# Czech and Slovak, which langid often confuses on a short text: letters only one writes
# (Czech ě ř ů; Slovak ä ô ĺ ŕ ľ) and the commonest words of a wish each spells its own way.
_CZECH_LETTERS = re.compile("[ěřůĚŘŮ]")
_SLOVAK_LETTERS = re.compile("[äôĺŕľÄÔĹŔĽ]")
_CZECH_SLOVAK_WORDS = {
    "cs": frozenset(
        "chci nechci jsem jsme děkuji teď potřebuji nemluvím letadlo letadla ne se mě "
        "prosil bych nebo jenom nikdy".split()
    ),
    "sk": frozenset(
        "chcem nechcem som sme ďakujem teraz potrebujem nepotrebujem nehovorím lietadlo "
        "lietadla lietadlom nie sa ma pri alebo iba len nevadí ak uličke neposielajte "
        "píšte pošlite".split()
    ),
}


def czech_or_slovak(text: str, likelier: str) -> str:
    """Czech or Slovak by their own letters, else by their own words, else `likelier`."""
    czech, slovak = bool(_CZECH_LETTERS.search(text)), bool(_SLOVAK_LETTERS.search(text))
    if czech != slovak:
        return "cs" if czech else "sk"
    words = set(re.findall(r"\w+", text.lower()))
    scores = {code: len(words & own) for code, own in _CZECH_SLOVAK_WORDS.items()}
    if scores["cs"] != scores["sk"]:
        return max(scores, key=lambda code: scores[code])
    return likelier


def romanised_hindi(text: str) -> bool:
    """Is `text` Hindi in Latin letters?"""
    words = set(re.findall(r"[a-z]+", text.lower()))
    return len(words & _HINGLISH) >= 2


_identifier: Any = None
_lock = threading.Lock()


def _load() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([*COVERED, *CYRILLIC])
    return identifier


def _classifier() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            _identifier = _load()
        return _identifier


def likeliest(text: str) -> float:
    """How likely the likeliest language of `text` is to its classifier (langid, 0 to 1),
    whichever it is: a sure reading of text that is a language, not noise."""
    ranked = _classifier().rank(text)
    return max((float(p) for _, p in ranked), default=0.0)


def written_in(text: str) -> str | None:
    """The BCP 47 code of the language of `text`, or None when too unsure to say."""
    if has_kana(text):
        return "ja"
    if is_cjk(text):
        return "zh"
    for code, script in SCRIPTS:
        # A Latin text quoting one word of another script ("Ελλάδα") is still Latin.
        if len(script.findall(text)) * 2 >= sum(ch.isalpha() for ch in text):
            return _sibling(code, text)
    mine = own_latin(text)
    if mine is not None:
        return mine
    neighbour = roman_punjabi_urdu(text)
    if neighbour is not None:
        return neighbour
    if romanised_hindi(text):
        return "hi"
    if greeklish(text):
        return "el"
    latin = romanised(text)
    if latin is not None:
        return latin
    own = indic_african_latin(text)
    if own is not None:
        return own
    ranked = dict(_classifier().rank(text))
    code = max(COVERED, key=lambda c: ranked.get(c, 0.0))
    group = next((g for g in _CLOSE if code in g), frozenset({code}))
    if sum(ranked.get(c, 0.0) for c in group) < 0.5:
        return None
    if code in ("cs", "sk"):
        return czech_or_slovak(text, code)
    return _SAME_LANGUAGE.get(code, code)
