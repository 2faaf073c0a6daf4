"""Telugu: "కిటికీ పక్క సీటు కావాలి", "రాత్రి విమానం వద్దు", "దయచేసి". Case endings
are written onto the noun ("కిటికీ పక్కన", by the window; "ఈమెయిల్‌లో", by e-mail;
"దుబాయ్ మీదుగా", via Dubai), so nouns are stems followed by any Telugu letters (`_n`);
negation follows the verb or is written into it ("వద్దు", not wanted; "రాదు", I do not
know it; "చేయకండి", do not)."""

from memory.prefs.lexicon.base import Lexicon

_T = "(?:\u200c?[\u0c00-\u0c7f])*"
"""A Telugu ending written onto the word (a zero-width non-joiner may stand after a
virama: "ఈమెయిల్‌లో")."""


def _n(*words: str) -> tuple[str, ...]:
    """Words with their last virama dropped and any ending after them."""
    return tuple(word.rstrip("\u0c4d") + _T for word in words)


LEXICON = Lexicon(
    code="te",
    names={
        "te": (*_n("తెలుగు"), r"telugu\w*"),
        "en": _n("ఇంగ్లీష్", "ఇంగ్లిష్", "ఆంగ్ల"),
        "hi": _n("హిందీ"),
        "ta": _n("తమిళ"),
    },
    targets={
        "seat:window": (*_n("కిటికీ", "కిటికి", "విండో"), r"kitiki\w*"),
        "seat:aisle": _n("నడవ", "ఐల్", "మధ్య దారి", "కారిడార్"),
        "channel:sms": _n("ఎస్ఎంఎస్", "ఎస్.ఎం.ఎస్", "సందేశ", "మెసేజ్"),
        "channel:email": _n("ఈమెయిల్", "ఇమెయిల్", "ఈ-మెయిల్", "మెయిల్"),
        "channel:other": _n("ఫోన్", "కాల్", "వాట్సాప్"),
        "channel:webhook": _n("యాప్"),
        "night:night": (
            *_n("రాత్రి విమాన", "రాత్రి ఫ్లైట్", "నైట్ ఫ్లైట్", "రాత్రిపూట"),
            r"రాత్రి" + _T,
        ),
        "night:day": _n("పగటి విమాన", "పగటి ఫ్లైట్", "పగలు"),
        "need:wheelchair": _n("వీల్‌చైర్", "వీల్ చైర్", "వీల్చైర్", "చక్రాల కుర్చీ"),
        "need:reduced mobility": (
            r"నడవ(?:లేను|డం కష్టం|లేరు)" + _T,
            *_n("ఊతకర్ర", "కర్ర", "క్రచెస్"),
        ),
        "need:visual impairment": (*_n("అంధుడ", "అంధురాల", "చూపు లేని", "దృష్టి లోప"), r"కనిపించదు"),
        "need:hearing impairment": (*_n("చెవిటి", "వినికిడి లోప", "వినికిడి యంత్ర"), r"వినిపించదు"),
        "need:service animal": _n("గైడ్ డాగ్", "గైడ్ కుక్క", "సహాయక కుక్క"),
        "need:unaccompanied minor": (r"=UM",),
        "need:oxygen": _n("ఆక్సిజన్"),
        "need:assistance": _n("సహాయ", "సాయం", "సహకార"),
        "place:any": _n("విమానాశ్రయ", "ఎయిర్‌పోర్ట్", "ఎయిర్పోర్ట్", "ఎయిర్‌లైన్", "ఎయిర్లైన్"),
    },
    cues={
        "wish": (
            r"దయచేసి",
            r"దయ చేసి",
            *_n("కావాలి", "కోరుకుంటున్నాను", "ఇష్టం", "ఇవ్వండి", "పంపండి", "తెలియజేయండి"),
            *_n("రాయండి", "చేయండి", "మాత్రమే", "ఎప్పుడూ", "వీలైతే", "అవసరం"),
        ),
        "request": _n("చేయగలరా", "ఇవ్వగలరా"),
        "neg": (
            *_n("వద్దు", "లేదు", "కాదు", "రాదు", "లేను", "చేయకండి", "పంపకండి", "చేయవద్దు"),
            *_n("ఎప్పుడూ", "లేకుండా", "మాట్లాడను"),
        ),
        "avoid": (*_n("తప్పించండి", "నివారించండి"), r"ఎప్పటికీ వద్దు", r"అస్సలు వద్దు"),
        "accept": (r"పర్వాలేదు", r"పరవాలేదు", r"సమస్య లేదు", r"అభ్యంతరం లేదు", r"సరే", r"ఓకే"),
        "indifferent": (r"ఏదైనా", r"ఏదైనా సరే", r"తేడా లేదు"),
        "native": _n("మాతృభాష"),
        "past": (r"గత సారి", r"పోయిన సారి", r"పోయిన సంవత్సరం", r"ఇంతకు ముందు"),
        "now": (r"ఇప్పుడు", r"ఈ సారి", r"ఇకపై", r"ఇక నుండి"),
        "other": (
            r"(?:నా|మా) (?:భార్య|భర్త|కొడుకు|కూతురు|అమ్మ|నాన్న|తల్లి|తండ్రి|అన్న|తమ్ముడు|అక్క|"
            r"చెల్లి|స్నేహితుడు|బాస్|అమ్మమ్మ|తాత)" + _T,
        ),
        "condition": _n("అయితే", "ఐతే"),
        "contrast": _n("బదులు"),
        "except": _n("తప్ప"),
        "fallback": _n("లేకపోతే"),
        "state": (r"ఉండేది", r"ఉండేవాడిని"),
        "alone": _n("ఒంటరిగా", "ఒక్కడే", "ఒక్కతే", "ఒంటరి"),
        "child": (*_n("కొడుకు", "కూతురు", "పిల్ల", "బాబు", "పాప"), r"\d{1,2} (?:ఏళ్ల|సంవత్సరాల)" + _T),
        "filler": (*_n("సీటు", "సీట్", "పక్క", "విమాన", "ఫ్లైట్", "మీదుగా", "ద్వారా"), r"నాకు", r"నన్ను", r"నేను"),
    },
    breaks=(r"కానీ", r"ఎందుకంటే", r"అందుకే"),
    concessive=(r"అయినప్పటికీ",),
    joins=(r"మరియు",),
    local={
        "neg": (r"vaddu", r"ledu", r"raadu", r"radu"),
        "wish": (r"kaavali", r"kavali", r"ivvandi", r"pampandi"),
        "accept": (r"parvaledu", r"paravaledu"),
        "filler": (r"naaku", r"naku", r"meeduga"),
    },
    attacks=(
        r"(?:మునుపటి|గత|అన్ని) (?:సూచన|ఆదేశ)" + _T,
        r"పట్టించుకోక" + _T,
        r"విస్మరించ" + _T,
        r"అందరు ప్రయాణికుల" + _T,
        r"అడ్మిన్" + _T,
    ),
)
