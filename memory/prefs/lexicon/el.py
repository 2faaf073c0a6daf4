"""Greek: endings change with case ("ο διάδρομος", "στον διάδρομο"), so nouns are stems
with any ending; negation is "δεν"/"μη(ν)" before the verb and "όχι" before a noun.
Matched without accents (`text.fold` strips the Greek tonos too).

Greek is also typed in Latin letters ("Greeklish": "thelo thesi sto parathyro"), each
letter as it looks or sounds (θ as "th" or "8", η and ι as "i", ω as "o" or "w", χ as "x"
or "h"); those words are here too, in `_GREEKLISH`. Greek being a script of its own, they
are read only in a text told as Greek (`language_id.greeklish`)."""

from dataclasses import replace

from memory.prefs.lexicon.base import Lexicon

_PTISI = r"(?:πτήσ\w*|πτήση|ταξίδ\w*|πτήσεις)"
_PTISI_LATIN = r"(?:pt[iyh]s\w*|ptish|ptisi)"

_GREEKLISH = {
    "seat:window": (r"parath[yiu]r\w*", r"para8[yiu]r\w*"),
    "seat:aisle": (r"diadrom\w*",),
    "channel:sms": (r"minyma\w*", r"minima\w*", r"mhnyma\w*"),
    "channel:other": (r"tilefon\w*", r"thlefwn\w*", r"tilefwn\w*"),
    "night:night": (
        r"n[iyu]xterin\w*",
        r"n[iyu]hterin\w*",
        r"vradin\w* " + _PTISI_LATIN,
        _PTISI_LATIN + r" (?:ti|th|tin) n[iyu]xta",
    ),
    "night:day": (r"(?:proin|prwin|imerisi|hmerisi)\w* " + _PTISI_LATIN,),
    "need:wheelchair": (r"amaxid\w*", r"anapiriko karotsi", r"karotsaki"),
    "need:reduced mobility": (r"perpata\w* dyskola", r"perpata\w* diskola", r"mpastoun\w*"),
    "need:visual impairment": (r"tyfl\w*", r"tifl\w*"),
    "need:hearing impairment": (r"kwf(?:os|h|i)", r"kof(?:os|i)", r"varik[oi]\w*"),
    "need:assistance": (r"voith(?:eia|ia|eias)", r"voi8eia", r"vohtheia", r"synodeia"),
    "place:any": (r"aerodromi\w*", r"aerodromio"),
}
"""Greek in Latin letters: targets."""
_GREEKLISH_CUES = {
    "wish": (
        r"parakal[ow]",
        r"parakaloume",
        r"thel[ow]",
        r"8el[ow]",
        r"tha (?:ithela|h8ela|hthela|itela)",
        r"protim[ow]",
        r"mono",
        r"panta",
        r"(?:ef|eu|ey)xarist[ow]",
        r"xreiazomai",
        r"xriazome",
        r"steil\w+ mou",
        r"stil\w+ mou",
        r"grap?s\w+ mou",
    ),
    "request": (r"mporeite na", r"borite na"),
    "neg": (r"den", r"oxi", r"ohi", r"mh", r"mi", r"min", r"pote", r"xwris", r"xoris"),
    "avoid": (r"apofyg\w*", r"apofig\w*", r"apofeug\w*", r"pote (?:xana|pia)"),
    "accept": (
        r"den me (?:peirazei|pirazi)",
        r"ent?ax[ei]+",
        r"endaksi",
        r"kanena provlima",
        r"den exw provlima",
    ),
    "indifferent": (r"den me (?:noiazei|niazi|noiazi)", r"adiaforo", r"otidipote"),
    "past": (r"(?:ef|eu|ey)xarist[ow] (?:\w+ ){0,2}gia",),
    "filler": (r"thes[ih]", r"8esi", r"sto", r"ston", r"stin", r"sth", r"mou", r"meso", r"mesw"),
}
"""Greek in Latin letters: cues."""

LEXICON = Lexicon(
    code="el",
    names={
        "en": (r"αγγλικ\w*", r"a[gn]glika", r"a[gn]gliki"),
        "de": (r"γερμανικ\w*",),
        "fr": (r"γαλλικ\w*",),
        "es": (r"ισπανικ\w*",),
        "it": (r"ιταλικ\w*",),
        "pt": (r"πορτογαλικ\w*",),
        "nl": (r"ολλανδικ\w*",),
        "pl": (r"πολωνικ\w*",),
        "zh": (r"κινεζικ\w*",),
        "ja": (r"ιαπωνικ\w*",),
        "el": (r"ελληνικ\w*", r"ell?inika", r"ell?iniki"),
        "tr": (r"τουρκικ\w*",),
        "ru": (r"ρωσικ\w*",),
        "ar": (r"αραβικ\w*",),
        "sv": (r"σουηδικ\w*",),
        "ko": (r"κορεατικ\w*",),
    },
    targets={
        "seat:window": (r"παράθυρ\w*",),
        "seat:aisle": (r"διάδρομ\w*",),
        "channel:sms": (r"sms", r"γραπτ\w* μήνυμ\w*", r"μήνυμ\w* στο κινητό"),
        "channel:email": (
            r"ιμέιλ",
            r"μειλ",
            r"ηλεκτρονικ\w* αλληλογραφ\w*",
            r"e-?mail\w*",
            r"μέιλ",
            r"ηλεκτρονικ\w* ταχυδρομ\w*",
        ),
        "channel:other": (r"κλήσ\w*", r"whats-?app", r"viber", r"τηλεφων\w*", r"τηλέφωνο"),
        "channel:webhook": (r"webhook\w*", r"εφαρμογ\w*"),
        "night:night": (
            r"νυχτεριν(?:ή|ές|ών|ό|ούς)",
            r"βραδιν\w* " + _PTISI,
            r"ολονύχτι\w*",
            r"μέσα στη νύχτα",
            r"αργά το βράδυ",
            r"νυχτεριν\w* " + _PTISI,
            _PTISI + r" (?:τη |της )?νύχτα\w*",
            r"νυχτερινές",
            r"μεταμεσονύκτι\w*",
        ),
        "night:day": (r"(?:πρωιν|ημεριν|απογευματιν)\w* " + _PTISI,),
        "need:wheelchair": (
            r"καροτσάκι",
            r"αναπηρικό καροτσάκι",
            r"αναπηρικ\w* (?:αμαξίδι\w*|καρότσι\w*)",
            r"αμαξίδι\w*",
        ),
        "need:reduced mobility": (
            r"κινούμαι δύσκολα",
            r"δεκανίκ\w*",
            r"περιορισμένη κινητικότητα",
            r"(?:δεν μπορώ|δυσκολεύομαι) να περπατήσω",
            r"κινητικ\w* (?:πρόβλημ|δυσκολ|αναπηρ)\w*",
            r"μειωμένη κινητικότητα",
            r"δυσκολεύομαι (?:να|στο) περπατ\w*",
            r"περπατ\w* (?:\w+ )?δύσκολα",
            r"δύσκολα (?:\w+ )?περπατ\w*",
            r"μπαστούνι",
        ),
        "need:visual impairment": (
            r"δεν βλέπω",
            r"βλέπω ελάχιστα",
            r"τυφλ\w*",
            r"(?:προβλήματα|πρόβλημα|μειωμένη) (?:όρασης|όραση)",
            r"οπτικ\w* αναπηρ\w*",
        ),
        "need:hearing impairment": (
            r"δεν ακούω",
            r"ακούω ελάχιστα",
            r"ακουστικ\w* βαρηκοΐας",
            r"κωφ\w*",
            r"βαρήκο\w*",
            r"(?:προβλήματα|πρόβλημα) ακοής",
            r"ακουστικό βαρηκο\w*",
        ),
        "need:service animal": (
            r"σκύλ\w*[- ]συνοδ\w*",
            r"σκύλ\w*[- ]οδηγ\w*",
            r"σκύλ\w* βοηθ\w*",
            r"ζώ\w* βοήθειας",
        ),
        "need:unaccompanied minor": (r"ασυνόδευτ\w* (?:ανήλικ|παιδ)\w*", r"=UM"),
        "need:oxygen": (r"οξυγόν\w*",),
        "need:assistance": (r"βοήθει\w*", r"συνοδ\w*", r"βοήθεια", r"συνοδεία", r"συνοδό"),
        "place:any": (r"αεροπορικ\w*", r"αεροδρόμι\w*", r"αεροπορικ\w* εταιρ\w*"),
    },
    cues={
        "wish": (
            r"θέλουμε",
            r"παρακαλούμε",
            r"καλύτερα",
            r"ενημερ\w+ με",
            r"ειδοποι\w+ με",
            r"βάλτε με",
            r"κλείστε μου",
            r"δώστε μου",
            r"αν είναι δυνατόν",
            r"σας παρακαλώ",
            r"παρακαλώ",
            r"προτιμώ",
            r"προτιμούμε",
            r"θα (?:ήθελα|προτιμούσα)",
            r"θέλω",
            r"μόνο",
            r"πάντα",
            r"ευχαριστώ",
            r"στείλ\w+ μου",
            r"γράψ\w+ μου",
            r"επικοινων\w+ μαζί μου",
            r"χρειάζομαι",
            r"αν γίνεται",
        ),
        "request": (r"(?:μπορείτε|θα μπορούσατε) να",),
        "neg": (r"όχι", r"δεν", r"μη", r"μην", r"ποτέ", r"καθόλου", r"χωρίς"),
        "avoid": (
            r"σε καμία περίπτωση",
            r"με τίποτα",
            r"όχι μέσω",
            r"απαγορεύεται",
            r"αποφ\w+",
            r"ποτέ (?:ξανά|πια)",
            r"όχι (?:ξανά|πια)",
        ),
        "accept": (
            r"δεν έχω αντίρρηση",
            r"δεν με ενοχλεί",
            r"(?:είναι|μια χαρά) εντάξει",
            r"μου κάνει",
            r"κανένα πρόβλημα",
            r"δεν (?:με )?πειράζει",
            r"δεν έχω (?:κανένα )?πρόβλημα",
            r"εντάξει",
            r"μια χαρά",
        ),
        "indifferent": (
            r"(?:μου είναι|είναι) αδιάφορο",
            r"ό,?τι θέλετε",
            r"οποιαδήποτε",
            r"οποιοδήποτε",
            r"το ίδιο μου κάνει",
            r"δεν μου κάνει διαφορά",
            r"δεν (?:με )?νοιάζει",
            r"αδιάφορο",
            r"οτιδήποτε",
            r"δεν έχει σημασία",
            r"ό,?τι να ναι",
        ),
        "native": (r"μητρική",),
        "past": (
            r"ήθελα",
            r"ευχαριστώ (?:\w+ ){0,2}(?:για|που)",
            r"(?:την )?(?:τελευταία|προηγούμενη) φορά",
            r"παλιότερα",
            r"πέρσι",
            r"παλιά",
        ),
        "now": (r"από (?:τώρα|εδώ και πέρα)", r"πλέον", r"τώρα", r"αυτή τη φορά"),
        "reaffirm": (r"όπως (?:την )?(?:τελευταία|προηγούμενη) φορά", r"όπως πάντα"),
        "apart": (
            r"(?:άλλη|ξεχωριστή|δική του|δική της) (?:κράτηση|πτήση)",
            r"δεν (?:ταξιδεύει|έρχεται|πετάει) μαζί (?:μου|μας)",
        ),
        "other": (
            r"(?:η|ο|τη|το|τον|της|του) (?:γυναίκα|άντρας|σύζυγ\w*|γιος|γιο|κόρη|μητέρα|πατέρα\w*"
            r"|μαμά|μπαμπά\w*|αδερφ\w*|αδελφ\w*|φίλ\w*|συνάδελφ\w*) μου",
        ),
        "ask": (r"ρώτησε", r"αναρωτιέμαι"),
        "withdraw": (
            r"δεν (?:το )?χρειάζομαι (?:πια|πλέον)",
            r"δεν χρειάζεται (?:πια|πλέον)",
            r"αφαιρέστε",
            r"διαγράψτε",
        ),
        "condition": (
            "αν",
            "εάν",
        ),
        "hypothetical": (r"(?:αν|εάν) ποτέ", r"(?:αν|εάν) (?:ήμουν|ταξίδευα|είχα)"),
        "contrast": (r"αντί (?:για|να)?",),
        "except": (r"εκτός (?:από)?",),
        "fallback": (r"αλλιώς", r"διαφορετικά", r"αν δεν (?:γίνεται|υπάρχει)"),
        "state": (r"ήταν", r"ήμουν"),
        "alone": (r"μόν(?:ος|η|ο) (?:του|της)", r"ασυνόδευτ\w*"),
        "child": (r"γιο\w*", r"κόρη", r"παιδί\w*", r"\d{1,2} (?:ετών|χρονών)"),
        "filler": (
            r"θέση\w*",
            r"στο",
            r"στον",
            r"στη",
            r"στην",
            r"την",
            r"τη",
            r"το",
            r"η",
            r"ο",
            r"με",
            r"για",
            r"μου",
            r"μέσω",
            r"ειδοποιήσεις",
            r"ενημερώσεις",
            r"επικοινωνία",
            r"γραπτή",
        ),
    },
    breaks=(r"αλλά", r"όμως", r"γιατί", r"επειδή", r"αν", r"εάν", r"οπότε"),
    concessive=(r"αν και", r"παρόλο που", r"παρ' όλο που"),
    joins=(r"και",),
    attacks=(
        r"αγνό\w+ (?:\w+ ){0,3}(?:οδηγίες|εντολές|κανόνες)",
        r"(?:νέες|προηγούμενες) (?:οδηγίες|εντολές)",
        r"(?:όλ\w+) (?:τους |τις |τα )?(?:επιβάτες|πελάτες|κρατήσεις)",
        r"διαχειριστ\w*",
        r"μήνυμα συστήματος",
    ),
)


def _with(
    group: dict[str, tuple[str, ...]], more: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    return {**group, **{key: (*group.get(key, ()), *words) for key, words in more.items()}}


LEXICON = replace(
    LEXICON,
    targets=_with(dict(LEXICON.targets), _GREEKLISH),
    cues=_with(dict(LEXICON.cues), _GREEKLISH_CUES),
)
