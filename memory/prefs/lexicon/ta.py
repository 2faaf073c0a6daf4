"""Tamil: "ஜன்னல் இருக்கை", "இரவு விமானம் வேண்டாம்", "தயவுசெய்து". Case endings are
written onto the noun and replace its last virama ("ஜன்னல்" → "ஜன்னலோர", by the window;
"மின்னஞ்சலில்", by e-mail), so nouns are stems followed by any Tamil letters (`_n`);
negation follows the verb ("வேண்டாம்", not wanted; "தெரியாது", not known)."""

from memory.prefs.lexicon.base import Lexicon
from memory.prefs.lexicon.bn import nfkc

_T = "[\u0b80-\u0bff]*"
"""A Tamil ending written onto the word."""


def _n(*words: str) -> tuple[str, ...]:
    """Words with their last virama dropped and any ending after them."""
    return tuple(word.rstrip("\u0bcd") + _T for word in words)


LEXICON = Lexicon(
    code="ta",
    names=nfkc(
        {
            "ta": (*_n("தமிழ்"), r"tamizh\w*", r"thamizh\w*", r"tamil-?la"),
            "en": _n("ஆங்கிலம்", "ஆங்கில", "இங்கிலீஷ்"),
            "hi": _n("ஹிந்தி", "இந்தி"),
            "si": _n("சிங்களம்", "சிங்கள"),
            "ml": _n("மலையாளம்"),
        }
    ),
    targets=nfkc(
        {
            "seat:window": (*_n("ஜன்னல்", "சன்னல்", "விண்டோ"), r"jannal\w*"),
            "seat:aisle": _n("நடைபாதை", "இடைகழி", "ஐல்", "நடைவழி"),
            "channel:sms": _n("எஸ்எம்எஸ்", "குறுஞ்செய்தி", "எஸ்.எம்.எஸ்"),
            "channel:email": _n("மின்னஞ்சல்", "இமெயில்", "ஈமெயில்", "ஈ-மெயில்", "மெயில்"),
            "channel:other": _n("தொலைபேசி", "போன்", "அழைக்க", "கால்"),
            "channel:webhook": _n("செயலி", "ஆப்"),
            "night:night": (*_n("இரவு விமான", "இரவு நேர", "இரவில்"), r"இரவு", r"iravu flight\w*"),
            "night:day": _n("பகல் விமான", "பகலில்", "பகல் நேர"),
            "need:wheelchair": _n("சக்கர நாற்காலி", "வீல்சேர்", "வீல் சேர்"),
            "need:reduced mobility": (
                r"நடக்க (?:முடியாது|சிரமம்|கஷ்டம்)" + _T,
                r"நடப்பதில் (?:சிரமம்|கஷ்டம்)" + _T,
                *_n("ஊன்றுகோல்", "கைத்தடி", "வாக்கர்"),
            ),
            "need:visual impairment": (
                *_n("பார்வையற்ற", "பார்வை குறைபாடு", "குருட", "பார்வையில்லாத"),
                r"கண் தெரியாது",
            ),
            "need:hearing impairment": (
                *_n("காது கேளாத", "செவித்திறன் குறைபாடு", "செவிடு", "காது கேட்கும் கருவி"),
                r"காது கேட்காது",
            ),
            "need:service animal": _n("வழிகாட்டி நாய்", "உதவி நாய்"),
            "need:unaccompanied minor": (
                *_n("துணையில்லாத குழந்தை", "தனியாக பயணிக்கும் குழந்தை"),
                r"=UM",
            ),
            "need:oxygen": _n("ஆக்சிஜன்", "ஆக்ஸிஜன்", "பிராணவாயு"),
            "need:assistance": _n("உதவி"),
            "place:any": _n("விமான நிலைய", "ஏர்போர்ட்", "விமான நிறுவன", "ஏர்லைன்"),
        }
    ),
    cues=nfkc(
        {
            "wish": (
                r"தயவுசெய்து",
                r"தயவு செய்து",
                *_n("வேண்டும்", "விரும்புகிறேன்", "விருப்பம்", "தேவை"),
                *_n("அனுப்புங்கள்", "அனுப்பவும்", "தெரிவிக்கவும்", "தெரிவியுங்கள்"),
                *_n("எழுதுங்கள்", "கொடுங்கள்", "மட்டும்", "எப்போதும்", "முடிந்தால்", "நன்றி"),
            ),
            "request": _n("முடியுமா"),
            "neg": (
                *_n("வேண்டாம்", "இல்லை", "முடியாது", "தெரியாது", "கூடாது"),
                *_n("ஒருபோதும்", "இல்லாமல்"),
            ),
            "avoid": (*_n("தவிர்க்க", "தவிர்த்து", "தவிருங்கள்"), r"ஒருபோதும் வேண்டாம்"),
            "accept": (*_n("பரவாயில்லை"), r"பிரச்சனை இல்லை", r"ஆட்சேபனை இல்லை", r"சரி"),
            "indifferent": (*_n("எதுவானாலும்"), r"எதுவாக இருந்தாலும்", r"கவலை இல்லை"),
            "native": _n("தாய்மொழி"),
            "past": (r"கடந்த முறை", r"போன முறை", r"கடந்த ஆண்டு", r"போன வருடம்", r"முன்பு"),
            "now": (r"இப்போது", r"இந்த முறை", r"இனிமேல்", r"இனி"),
            "other": (
                r"(?:என்|எனது) (?:மனைவி|கணவர்|மகன்|மகள்|அம்மா|அப்பா|தாய்|தந்தை|சகோதர|அண்ணன்|"
                r"தம்பி|அக்கா|தங்கை|நண்பர்|சக ஊழியர்|முதலாளி|பாட்டி|தாத்தா)" + _T,
            ),
            "condition": _n("என்றால்"),
            "contrast": _n("பதிலாக"),
            "except": _n("தவிர"),
            "fallback": _n("இல்லையென்றால்", "இல்லாவிட்டால்"),
            "state": (r"இருந்தது", r"இருந்தேன்"),
            "alone": _n("தனியாக", "தனியே", "தனித்து", "துணையில்லாமல்"),
            "child": (*_n("மகன்", "மகள்", "குழந்தை", "பையன்"), r"\d{1,2} வயது" + _T),
            "filler": (
                *_n("இருக்கை", "சீட்", "அருகில்", "ஓர"),
                r"எனக்கு",
                r"என்னை",
                *_n("வழியாக", "மூலம்", "விமான", "செய்தி"),
            ),
        }
    ),
    breaks=(r"ஆனால்", r"ஏனெனில்", r"ஏனென்றால்", r"அதனால்"),
    concessive=(r"இருந்தாலும்",),
    joins=(r"மற்றும்",),
    # Tamil in Latin letters ("enakku window seat venum", "night flight vendam"), told by its
    # function words (`language_id.romanised`) and read only in a text told as Tamil.
    local={
        "neg": (
            r"venda+m",
            r"venaam",
            r"illa",
            r"illai",
            r"mudiyadhu",
            r"theriyadh?u",
            r"theriyathu",
        ),
        "wish": (r"venum", r"vennum", r"vendum", r"kodunga", r"anuppunga", r"sollunga"),
        "accept": (r"paravalla", r"paravaillai", r"prachanai illa"),
        "indifferent": (r"edhuvanaalum", r"ethuvanalum"),
        "filler": (r"enakku", r"naan", r"vazhiya", r"moolama"),
    },
    attacks=(
        r"(?:முந்தைய|முன்பு) (?:அனைத்து )?(?:அறிவுறுத்தல்|கட்டளை)" + _T,
        r"புறக்கணி" + _T,
        r"அனைத்து பயணி" + _T,
        r"நிர்வாகி" + _T,
    ),
)
