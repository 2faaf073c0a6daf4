"""Bengali: "জানালার পাশের সিট", "রাতের ফ্লাইট চাই না", "দয়া করে". Case endings are written
onto the noun ("জানালার", of the window; "ইমেইলে", by e-mail), so nouns take any Bengali
letters after them (`_B`); negation follows the verb ("চাই না", I don't want)."""

import unicodedata
from collections.abc import Mapping

from memory.prefs.lexicon.base import Lexicon

_B = "[\u0980-\u09ff]*"
"""A Bengali ending written onto the word (its vowel signs are no ``\\w`` to Python)."""


def _n(*words: str) -> tuple[str, ...]:
    return tuple(word + _B for word in words)


def nfkc(group: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Entries as the text is read (NFKC): "য়" is "য" and a nukta there, however typed."""
    return {
        key: tuple(dict.fromkeys(unicodedata.normalize("NFKC", w) for w in words))
        for key, words in group.items()
    }


LEXICON = Lexicon(
    code="bn",
    names=nfkc(
        {
            "bn": (*_n("বাংলা"), r"bangla(?:y|te|ya)?", r"banglay"),
            "en": _n("ইংরেজি", "ইংরেজী", "ইংলিশ"),
            "hi": _n("হিন্দি"),
            "ar": _n("আরবি"),
            "ur": _n("উর্দু"),
        }
    ),
    targets=nfkc(
        {
            "seat:window": (*_n("জানালা", "জানলা", "উইন্ডো"), r"janalar?", r"janlar?"),
            "seat:aisle": _n("আইল", "করিডোর", "আইলের"),
            "channel:sms": _n("এসএমএস", "টেক্সট মেসেজ", "ক্ষুদে বার্তা", "মোবাইল বার্তা"),
            "channel:email": _n("ইমেইল", "ই-মেইল", "ইমেল", "ই-মেল"),
            "channel:other": _n("ফোন", "কল", "হোয়াটসঅ্যাপ"),
            "channel:webhook": _n("অ্যাপ"),
            "night:night": (
                *_n("রাতের ফ্লাইট", "নাইট ফ্লাইট", "রাত্রিকালীন"),
                r"রাতে",
                r"রাতের",
                r"raa?ter flight\w*",
            ),
            "night:day": (*_n("দিনের ফ্লাইট"), r"দিনে"),
            "need:wheelchair": _n("হুইলচেয়ার", "হুইল চেয়ার", "চাকাওয়ালা চেয়ার"),
            "need:reduced mobility": (
                r"হাঁটতে (?:পারি না|অসুবিধা|কষ্ট|সমস্যা)" + _B,
                r"চলাফেরা" + _B + r" (?:অসুবিধা|সমস্যা|করতে পারি না)" + _B,
                *_n("ক্রাচ", "লাঠি", "ওয়াকার"),
            ),
            "need:visual impairment": (
                *_n("অন্ধ", "দৃষ্টিহীন", "দৃষ্টি প্রতিবন্ধী"),
                r"চোখে (?:দেখি না|কম দেখি)",
            ),
            "need:hearing impairment": (
                *_n("বধির", "শ্রবণ প্রতিবন্ধী", "হিয়ারিং এইড", "শ্রবণযন্ত্র"),
                r"কানে (?:শুনি না|কম শুনি)",
            ),
            "need:service animal": _n("গাইড ডগ", "গাইড কুকুর", "সহায়ক কুকুর"),
            "need:unaccompanied minor": (*_n("সঙ্গীহীন শিশু", "একা ভ্রমণকারী শিশু"), r"=UM"),
            "need:oxygen": _n("অক্সিজেন"),
            "need:assistance": _n("সাহায্য", "সহায়তা", "সহযোগিতা"),
            "place:any": _n("বিমানবন্দর", "এয়ারপোর্ট", "এয়ারলাইন", "বিমান সংস্থা"),
        }
    ),
    cues=nfkc(
        {
            "wish": (
                r"দয়া করে",
                r"দয়া করে",
                r"অনুগ্রহ করে",
                r"অনুগ্রহপূর্বক",
                r"চাই",
                r"চাইছি",
                r"পছন্দ" + _B,
                r"ভালো হয়",
                r"দরকার",
                r"প্রয়োজন",
                r"প্রয়োজন",
                r"লাগবে",
                r"পাঠা(?:ন|বেন|ও)",
                r"জানা(?:ন|বেন|ও)",
                r"লিখ(?:ুন|বেন)",
                r"দিন",
                r"দেবেন",
                r"দিবেন",
                r"শুধু",
                r"কেবল",
                r"সবসময়",
                r"সব সময়",
                r"সম্ভব হলে",
                r"ধন্যবাদ",
            ),
            "request": (r"পারবেন", r"পারেন কি"),
            "neg": (r"না", r"নয়", r"নয়", r"নেই", r"কখনো", r"কখনও", r"ছাড়া", r"ছাড়া"),
            "avoid": (
                r"এড়িয়ে" + _B,
                r"এড়িয়ে" + _B,
                r"এড়া(?:তে|নো)" + _B,
                r"আর কখনো",
                r"কোনোভাবেই",
                r"কোনভাবেই",
            ),
            "accept": (
                r"(?:কোনো )?(?:সমস্যা|অসুবিধা|আপত্তি) নেই",
                r"চলবে",
                r"ঠিক আছে",
            ),
            "indifferent": (r"যেকোনো", r"যে কোনো", r"কিছু যায় আসে না", r"পার্থক্য নেই"),
            "native": _n("মাতৃভাষা"),
            "past": (r"গতবার", r"আগেরবার", r"গত বছর", r"একসময়"),
            "now": (r"এখন", r"এবার", r"এইবার", r"এখন থেকে", r"ভবিষ্যতে"),
            "other": (
                r"আমার (?:স্ত্রী|স্বামী|ছেলে|মেয়ে|মেয়ে|মা|বাবা|ভাই|বোন|সহকর্মী|বস|দাদা|দাদি|নানা|"
                r"নানি|বন্ধু)" + _B,
            ),
            "condition": (r"যদি",),
            "contrast": (r"বদলে", r"পরিবর্তে"),
            "fallback": (r"নাহলে", r"না হলে"),
            "state": (r"ছিল", r"ছিলাম"),
            "alone": (r"একা", r"একাকী", r"সঙ্গী ছাড়া"),
            "child": (
                *_n("ছেলে", "মেয়ে", "মেয়ে", "শিশু", "বাচ্চা"),
                r"[0-9০-৯]{1,2} বছর" + _B,
            ),
            "filler": (
                *_n("সিট", "আসন"),
                r"পাশে",
                r"পাশের",
                r"ধারে",
                r"দিয়ে",
                r"দিয়ে",
                r"হয়ে",
                r"হয়ে",
                r"আমাকে",
                r"আমার",
                r"আমি",
                *_n("ফ্লাইট", "বার্তা", "মেসেজ"),
            ),
        }
    ),
    breaks=(r"কিন্তু", r"কারণ", r"তাই", r"তবে"),
    concessive=(r"যদিও",),
    joins=(r"এবং", r"আর"),
    # Bengali in Latin letters ("amake janalar seat diben", "raater flight chai na"), told by
    # its function words (`language_id.romanised`): its short words are everyday words of
    # other languages ("na" is Polish "on"), so they are read only in a text told as Bengali.
    local={
        "neg": (r"na", r"nei", r"noy", r"nai"),
        "wish": (r"chai", r"lagbe", r"dorkar", r"diben", r"deben", r"korben", r"pathaben"),
        "accept": (r"(?:kono )?(?:somossa|problem|osubidha) nei", r"cholbe", r"thik ache"),
        "indifferent": (r"jekono", r"je kono"),
        "filler": (r"ami", r"amake", r"amar", r"diye", r"die", r"hoye"),
    },
    attacks=(
        r"(?:আগের|পূর্ববর্তী) (?:সব )?(?:নির্দেশ|নির্দেশনা)" + _B,
        r"উপেক্ষা কর" + _B,
        r"সব যাত্রী" + _B,
        r"অ্যাডমিন" + _B,
    ),
)
