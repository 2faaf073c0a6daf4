"""Uzbek, in Latin letters ("deraza yonidagi joy, iltimos", "tungi reyslar kerak emas")
and in Cyrillic ("дераза ёнидаги жой", "тунги рейс керак эмас"). The Latin oʻ and gʻ are
typed with ʻ, ʼ, ' or ` (folded to ') or with nothing: entries accept each. Suffixes are
written onto the word ("derazaga", "Moskvadan"), so stems carry ``\\w*``; negation is a
suffix of the verb ("xohlamayman", I do not want; "yubormang", do not send), so negated
verbs are cues of their own."""

import re
from collections.abc import Mapping

from memory.prefs.lexicon.base import Lexicon


def _apostrophes(group: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Entries whose ʻ and ʼ match any apostrophe, or none."""
    return {key: tuple(re.sub("[ʻʼ]", "[ʻʼ']?", w) for w in words) for key, words in group.items()}


_REYS = r"(?:reys\w*|parvoz\w*|uchish\w*|рейс\w*|парвоз\w*)"

LEXICON = Lexicon(
    code="uz",
    names=_apostrophes(
        {
            "uz": (r"oʻzbek(?:cha| tili\w*)", r"ўзбек(?:ча| тили\w*)"),
            "en": (r"ingliz(?:cha| tili\w*)", r"инглиз(?:ча| тили\w*)"),
            "ru": (r"rus(?:cha| tili\w*)", r"рус(?:ча| тили\w*)"),
            "tr": (r"turk(?:cha| tili\w*)",),
        }
    ),
    targets=_apostrophes(
        {
            "seat:window": (r"deraza\w*", r"illyuminator\w*", r"дераза\w*"),
            "seat:aisle": (r"yoʻlak\w*", r"oʻtish joy\w*", r"йўлак\w*"),
            "channel:sms": (r"sms\w*", r"qisqa xabar\w*", r"смс\w*", r"қисқа хабар\w*"),
            "channel:email": (
                r"elektron pochta\w*",
                r"e-?mail\w*",
                r"imeyl\w*",
                r"электрон почта\w*",
                r"имейл\w*",
            ),
            "channel:other": (r"qoʻngʻiroq\w*", r"telefon qil\w*", r"қўнғироқ\w*"),
            "night:night": (
                r"tungi " + _REYS,
                r"тунги " + _REYS,
                r"kechasi uch\w*",
                r"tunda uch\w*",
                r"кечаси уч\w*",
            ),
            "night:day": (r"kunduzgi " + _REYS, r"кундузги " + _REYS),
            "need:wheelchair": (
                r"nogironlar? aravacha\w*",
                r"aravacha\w*",
                r"nogironlik aravas\w*",
                r"ногиронлар? аравача\w*",
                r"аравача\w*",
            ),
            "need:reduced mobility": (
                r"yura olmayman",
                r"yurishim qiyin",
                r"hassa\w*",
                r"qoʻltiqtayoq\w*",
                r"юра олмайман",
            ),
            "need:visual impairment": (
                r"koʻzi ojiz\w*",
                r"koʻr(?:man|dir)",
                r"koʻrmayman",
                r"кўзи ожиз\w*",
            ),
            "need:hearing impairment": (
                r"kar(?:man|dir)",
                r"eshitmayman",
                r"eshitish apparat\w*",
                r"эшитмайман",
            ),
            "need:service animal": (r"yoʻlboshchi it\w*", r"yetakchi it\w*", r"йўлбошчи ит\w*"),
            "need:unaccompanied minor": (r"kuzatuvchisiz\w*", r"=UM"),
            "need:oxygen": (r"kislorod\w*", r"кислород\w*"),
            "need:assistance": (r"yordam\w*", r"koʻmak\w*", r"ёрдам\w*"),
            "place:any": (
                r"aeroport\w*",
                r"aviakompaniya\w*",
                r"havo yoʻllari",
                r"аэропорт\w*",
                r"авиакомпания\w*",
            ),
        }
    ),
    cues=_apostrophes(
        {
            "wish": (
                r"iltimos",
                r"xohlayman",
                r"xohlaymiz",
                r"xohlardim",
                r"istayman",
                r"istardim",
                r"kerak",
                r"zarur",
                r"afzal koʻraman",
                r"yozing",
                r"yuboring",
                r"xabar bering",
                r"bering",
                r"faqat",
                r"har doim",
                r"doim",
                r"rahmat",
                r"imkon boʻlsa",
                r"илтимос",
                r"хоҳлайман",
                r"истайман",
                r"керак",
                r"ёзинг",
                r"юборинг",
                r"беринг",
                r"фақат",
                r"доим",
                r"раҳмат",
            ),
            "request": (r"qila olasizmi", r"mumkinmi", r"мумкинми"),
            "neg": (
                r"xohlamayman",
                r"xohlamaymiz",
                r"istamayman",
                r"kerak emas",
                r"kerakmas",
                r"emas",
                r"yoʻq",
                r"hech qanday",
                r"gapirmayman",
                r"bilmayman",
                r"tushunmayman",
                r"yubormang",
                r"qilmang",
                r"yozmang",
                r"bermang",
                r"хоҳламайман",
                r"истамайман",
                r"керак эмас",
                r"эмас",
                r"йўқ",
                r"гапирмайман",
                r"билмайман",
                r"тушунмайман",
                r"юборманг",
                r"қилманг",
            ),
            "avoid": (
                r"hech qachon",
                r"qoching",
                r"chetlab oʻting",
                r"uchmang",
                r"uchmayman",
                r"oʻtkazmang",
                r"ҳеч қачон",
                r"учманг",
                r"учмайман",
                r"ўтказманг",
            ),
            "accept": (
                r"muammo emas",
                r"muammo yoʻq",
                r"qarshi emasman",
                r"qarshiligim yoʻq",
                r"boʻladi",
                r"mayli",
                r"муаммо эмас",
                r"муаммо йўқ",
                r"қарши эмасман",
                r"бўлади",
                r"майли",
            ),
            "indifferent": (r"farqi yoʻq", r"baribir", r"istalgan", r"фарқи йўқ", r"барибир"),
            "native": (r"ona tili\w*", r"она тили\w*"),
            "past": (
                r"oʻtgan safar",
                r"avval",
                r"oldin",
                r"oʻtgan yili",
                r"ўтган сафар",
                r"аввал",
                r"олдин",
            ),
            "now": (r"bu safar", r"bundan buyon", r"endi", r"бу сафар", r"энди"),
            "other": (
                r"(?:xotinim|turmush oʻrtogʻim|erim|oʻgʻlim|qizim|onam|otam|akam|ukam|opam|"
                r"singlim|doʻstim|boshligʻim|hamkasbim|buvim|bobom)\w*",
                r"(?:хотиним|эрим|ўғлим|қизим|онам|отам|акам|укам|опам|синглим|дўстим)\w*",
            ),
            "withdraw": (
                r"endi kerak emas",
                r"oʻchiring",
                r"olib tashlang",
                r"энди керак эмас",
                r"ўчиринг",
            ),
            "condition": (r"agar", r"агар"),
            "hypothetical": (r"agar qachondir",),
            "contrast": (r"oʻrniga", r"ўрнига"),
            "except": (r"dan tashqari",),
            "fallback": (r"aks holda",),
            "state": (r"edi", r"эди"),
            "alone": (r"yolgʻiz", r"yakka oʻzi", r"ёлғиз"),
            "child": (r"oʻgʻl\w*", r"qiz\w*", r"bola\w*", r"\d{1,2} yosh\w*", r"ўғл\w*"),
            "filler": (
                r"joy\w*",
                r"oʻrindiq\w*",
                r"yonida\w*",
                r"tomon\w*",
                r"orqali",
                r"bilan",
                r"menga",
                r"meni",
                r"reys\w*",
                r"parvoz\w*",
                r"xabar\w*",
                r"жой\w*",
                r"ёнида\w*",
                r"орқали",
                r"билан",
                r"менга",
                r"рейс\w*",
                r"хабар\w*",
            ),
        }
    ),
    breaks=(r"lekin", r"ammo", r"chunki", r"лекин", r"аммо", r"чунки"),
    joins=(r"va", r"ва"),
    attacks=_apostrophes(
        {
            "attack": (
                r"oldingi (?:koʻrsatma|yoʻriqnoma)\w*",
                r"koʻrsatma\w* (?:e'tiborsiz|unut|e'tibor bermang)\w*",
                r"e'tibor bermang",
                r"barcha yoʻlovchi\w*",
                r"tizim (?:xabar|koʻrsatma)\w*",
                r"олдинги кўрсатма\w*",
                r"барча йўловчи\w*",
            )
        }
    )["attack"],
)
