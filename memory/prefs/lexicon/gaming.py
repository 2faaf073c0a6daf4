"""Priority gaming, by language: words of being served before the others, and of a need
the writer says they do not have — one entry per covered language, so none lacks them.

A need (a wheelchair, assistance) is the one preference that earns its holder a place
ahead of others. A need therefore counts only when the writer states it as the trip's
(they or a companion have it, or they ask for the service), never when

- it is asked *for* being served first: "put me down as a wheelchair user so I'm rebooked
  sooner than the rest", "registrera mig som rullstolsburen så att jag blir ombokad först"
  (`SERVED_FIRST`, read as `orders.PRECEDENCE` is: the clause it is the purpose of goes
  with it, `memory.prefs.attacked`);
- the writer disclaims it: "I can walk fine, but list me as wheelchair", "коляска мне
  вообще-то не нужна, но всё равно запишите" (`DISCLAIMED`, read as
  `claims.DISCLAIMED` is: the sentence's needs are refused, `memory.prefs.needs`).

Blind set 11 found such claims accepted in twelve languages while English was caught: the
concepts were listed for a handful of languages in `orders.PRECEDENCE` and
`claims.DISCLAIMED`, and every other lexicon silently had none. Here each is a table
keyed by language code, and a test checks that every covered lexicon has an entry in
each, so a language added without them fails. "Priority" alone is no sign ("priority
boarding with my wheelchair" is a service): *getting* priority, being first, going before
the others or sooner than the rest is.

Entries are regular expressions over folded text (`memory.prefs.text.fold`), as in every
lexicon.

Why it is long: a word table, one language a row, every covered language at once — on
purpose, so a language without its words is seen missing.
"""

from __future__ import annotations

from collections.abc import Mapping

SERVED_FIRST: Mapping[str, tuple[str, ...]] = {
    "am": (r"ከሌሎች በፊት", r"ቅድሚያ (?:እንዳገኝ|ያገኛል|ላገኝ)", r"መጀመሪያ እንድ\w*"),
    "ar": (
        r"قبل (?:البقية|غيري|باقي)",
        r"(?:أحصل|احصل) على (?:ال)?أولوية",
        r"أسرع من (?:البقية|الآخرين)",
    ),
    "az": (
        r"hamıdan (?:əvvəl|qabaq)",
        r"başqalarından (?:əvvəl|tez)",
        r"üstünlük (?:alım|alaram|əldə)",
    ),
    "bg": (
        r"преди (?:всички|другите|останалите)",
        r"(?:по-)?бързо от (?:другите|останалите)",
        r"(?:получа|имам) предимство",
    ),
    "bn": (r"সবার আগে", r"অন্যদের আগে", r"অগ্রাধিকার (?:পাব|পাই|পেতে|পেয়ে)"),
    "ca": (
        r"abans que (?:els altres|la resta|ningú)",
        r"(?:el|la) prim(?:er|era) (?:a|en)",
        r"tenir prioritat",
        r"passar davant",
    ),
    "cs": (
        r"jako prvn\w*",
        r"dřív (?:než|nežli) (?:ostatní|ostatni)",
        r"předběhnout",
        r"(?:mít|měl\w*|dostanu) přednost",
    ),
    "cy": (r"o flaen pawb", r"cyn pawb arall", r"cael blaenoriaeth"),
    "da": (
        r"(?:ombooket|ombooke|betjent|hjulpet|placeret) (?:\w+ )?først",
        r"før (?:alle )?(?:de )?andre",
        r"springe (?:over )?køen",
        r"(?:få|får) forrang",
    ),
    "de": (
        r"als erste[rn]?",
        r"(?:schneller|früher|eher) (?:\w+ )?als (?:die )?(?:anderen|andere|alle|der rest)",
        r"vordrängeln",
        r"vorrang (?:bekomme|kriege|habe)",
    ),
    "el": (
        r"πριν (?:από )?(?:τους άλλους|όλους)",
        r"πρώτ(?:ος|η) (?:να|θα)",
        r"(?:πάρω|έχω) προτεραιότητα",
    ),
    "en": (
        r"(?:sooner|faster|quicker|earlier) than (?:the )?"
        r"(?:rest|others|everyone|everybody|other \w+)",
        r"(?:get|have|receive|gets|given) (?:\w+ )?priority(?! boarding)",
        r"(?:so|that way) (?:that )?i (?:don'?t|do not|won'?t) (?:have to )?wait",
        r"(?:rebook\w*|moved|served|seated|placed) (?:\w+ ){0,3}before (?:the )?(?:rest|others)",
    ),
    "es": (
        r"antes que (?:al |a )?(?:el )?resto",
        r"(?:tener|tenga|consiga|obtener) prioridad",
        r"el primero en",
        r"saltarme la (?:fila|cola)",
    ),
    "et": (r"enne teisi", r"esimesena", r"(?:saaksin|saan) eelise", r"järjekorrast mööda"),
    "eu": (r"besteen aurretik", r"lehentasuna (?:izan|lortu)"),
    "fa": (r"زودتر از (?:بقیه|دیگران)", r"اولویت (?:بگیرم|داشته باشم|پیدا کنم)", r"قبل از دیگران"),
    "fi": (
        r"(?:pääsen|pääsisin|siirretään|palvellaan)\w* (?:\w+ ){0,3}ensimmäisenä",
        r"ennen muita",
        r"(?:nopeammin|aiemmin) kuin muut",
        r"(?:saan|saisin) etuoikeu\w*",
        r"jonon ohi",
    ),
    "fr": (
        r"(?:plus (?:vite|tôt)|avant) (?:que )?(?:les autres|le reste|tout le monde)",
        r"(?:replac|servi|trait|embarqu|reprogramm|reloge)\w* en priorit[ée]",
        r"(?:le|la) premi(?:er|ère) (?:à|a) être",
        r"doubler (?:la file|tout le monde)",
    ),
    "ga": (r"roimh (?:chách|gach duine)", r"tosaíocht a fháil"),
    "ha": (r"kafin (?:sauran|kowa)", r"fifiko"),
    "he": (r"לפני (?:כולם|האחרים|השאר)", r"(?:אקבל|לקבל) עדיפות"),
    "hi": (
        r"(?:सबसे|सबसे) पहले",
        r"(?:बाकी|दूसरों) से पहले",
        r"प्राथमिकता (?:मिले|मिलेगी|पाने)",
        r"लाइन (?:तोड़|छोड़)\w*",
    ),
    "hr": (
        r"prv(?:i|og|a|u) (?:\w+ )?(?:prebac|prebook|rebook|smjest|uslu)\w*",
        r"(?:prebac|prebook|smjest|uslu)\w* (?:\w+ )?(?:kao )?prv\w*",
        r"prije (?:ostalih|svih|drugih)",
        r"prednost pred",
        r"(?:imao|imala|dobio|dobila|dobijem|imam) prednost",
    ),
    "hu": (
        r"elsőként",
        r"mindenki előtt",
        r"(?:hamarabb|gyorsabban) (?:mint|a többieknél)",
        r"elsőbbséget (?:kapjak|kapok)",
    ),
    "hy": (r"բոլորից առաջ", r"առաջինը", r"առաջնահերթություն (?:ստանամ|ստանալ)"),
    "id": (
        r"lebih (?:dulu|dahulu|cepat) (?:dari|daripada) (?:yang lain|orang lain|penumpang lain)",
        r"(?:dapat|mendapat|dapet) (?:\w+ ){0,2}lebih (?:dulu|dahulu)",
        r"(?:dapat|mendapat|dapet) prioritas",
        r"serobot antrean",
    ),
    "is": (
        r"á undan (?:hinum|öllum|öðrum)",
        r"fyrst(?:ur|ir)? (?:\w+ )?(?:endurbók|afgreidd|í röðinni)\w*",
        r"(?:fá|fæ) forgang",
    ),
    "it": (
        r"per prim[oa]",
        r"prima (?:degli altri|di tutti|del resto)",
        r"(?:avere|ottenere|abbia) (?:la )?priorità",
        r"saltare la (?:fila|coda)",
    ),
    "ja": (
        r"先に(?:振り替|案内|対応|乗せ|手配)",
        r"優先(?:的に|して)?(?:案内|対応|振り替|搭乗|手配)",
        r"優先され",
        r"他の(?:人|乗客|方)より(?:先|早)",
        r"一番に",
    ),
    "ka": (r"სხვებზე ადრე", r"უპირატესობა (?:მივიღო|მექნება)"),
    "kk": (r"басқалардан (?:бұрын|ерте)", r"бірінші болып", r"басымдық (?:алу|аламын)"),
    "km": (r"មុនគេ", r"មុនអ្នកដទៃ"),
    "ko": (
        r"먼저 (?:재예약|처리|탑승|배정)",
        r"다른 (?:사람|승객)들?보다 먼저",
        r"우선권",
        r"우선적으로 (?:재예약|처리|탑승)",
        r"새치기",
    ),
    "lt": (
        r"pirm(?:as|a) (?:\w+ )?(?:perkel|aptarnau)\w*",
        r"prieš (?:kitus|visus)",
        r"(?:gauti|gaučiau|gausiu) pirmenyb\w*",
    ),
    "lv": (
        r"pirm(?:ais|ā) (?:\w+ )?(?:pārcel|apkalpo)\w*",
        r"pirms (?:citiem|visiem)",
        r"(?:saņemt|saņemšu|iegūt) prioritāt\w*",
    ),
    "mn": (r"бусдаас (?:өмнө|түрүүлж)", r"хамгийн түрүүнд", r"давуу эрх (?:авах|авна)"),
    "mr": (r"सर्वांच्या आधी", r"इतरांच्या आधी", r"प्राधान्य (?:मिळेल|मिळावे)"),
    "my": (r"အရင်ဆုံး", r"တခြားသူတွေထက် အရင်"),
    "ne": (r"सबैभन्दा पहिले", r"अरूभन्दा पहिले", r"प्राथमिकता (?:पाउन|पाउँछु|मिल)\w*"),
    "nl": (
        r"eerder (?:\w+ )?dan (?:de )?(?:rest|anderen|iedereen)",
        r"als eerste",
        r"voorrang (?:krijg|krijgen|heb)",
        r"voordringen",
    ),
    "no": (
        r"før (?:alle )?(?:de )?andre",
        r"(?:ombooket|betjent|hjulpet) (?:\w+ )?først",
        r"snike i køen",
        r"(?:få|får) fortrinn",
    ),
    "pa": (r"ਸਭ ਤੋਂ ਪਹਿਲਾਂ", r"ਦੂਜਿਆਂ ਤੋਂ ਪਹਿਲਾਂ", r"ਤਰਜੀਹ (?:ਮਿਲੇ|ਮਿਲੇਗੀ)"),
    "pl": (
        r"jako pierwsz\w*",
        r"(?:szybciej|wcześniej) (?:\w+ ){0,2}niż (?:reszt\w*|inni|innych|pozostali|pozostałych)",
        r"przed (?:resztą|pozostałymi)",
        r"bez kolejki",
    ),
    "pt": (
        r"antes (?:dos outros|de todos|do resto|dos demais)",
        r"(?:ter|tenha|ganhar|obter) prioridade",
        r"(?:o|a) primeir[oa] a",
        r"furar a fila",
    ),
    "ro": (
        r"(?:mutat|reprogramat|servit|îmbarcat|pus)\w* (?:\w+ )?primul",
        r"înaintea (?:celorlalți|altora|tuturor)",
        r"(?:primesc|primi|obțin|am) prioritate",
        r"mai (?:repede|devreme) decât (?:ceilalți|alții)",
    ),
    "ru": (
        r"(?:пересад|посад|обслуж|перебронир|перевед|отправ)\w* (?:\w+ ){0,3}"
        r"(?:в первую очередь|первым|первой)",
        r"(?:в первую очередь|первым|первой) (?:\w+ ){0,2}"
        r"(?:пересад|посад|обслуж|перебронир|перевед)\w*",
        r"(?:быстрее|раньше) (?:остальных|других|всех)",
        r"без очереди",
        r"вне очереди",
    ),
    "si": (r"අනෙක් අයට කලින්", r"ප්‍රමුඛත්වය (?:ලැබෙ|ගන්න)\w*"),
    "sk": (
        r"ako prv\w*",
        r"(?:skôr|rýchlejšie) (?:ako|než) (?:ostatní|ostatni|ostatných|všetci)",
        r"na rad skôr",
        r"(?:mať|mal\w*|dostanem) prednosť",
    ),
    "sr": (
        r"prv(?:i|og|a) (?:\w+ )?(?:prebac|smest|uslu)\w*",
        r"pre (?:ostalih|svih|drugih)",
        r"prednost pred",
        r"пре (?:осталих|свих)",
    ),
    "sv": (
        r"(?:ombokad|betjänad|hjälpt|placerad)\w* (?:\w+ )?först",
        r"före (?:alla )?(?:de )?andra",
        r"(?:gå|gå) före (?:i )?kön",
        r"(?:få|får) förtur",
        r"först av alla",
    ),
    "sw": (r"kabla ya (?:wengine|wote)", r"wa kwanza", r"(?:nipate|kupata|napata) kipaumbele"),
    "ta": (r"மற்றவர்களுக்கு முன்", r"எல்லோருக்கும் முன்", r"முன்னுரிமை (?:கிடைக்க|பெற)\w*"),
    "te": (r"అందరికంటే ముందు", r"ఇతరుల కంటే ముందు", r"ప్రాధాన్యత (?:పొంద|దొరుక)\w*"),
    "th": (r"ก่อนคนอื่น", r"เป็นคนแรก", r"ได้สิทธิ์ก่อน", r"ลัดคิว"),
    "tl": (
        r"mauna sa (?:iba|lahat)",
        r"una sa lahat",
        r"(?:makakuha|makuha) ng priority",
        r"sumingit sa pila",
    ),
    "tr": (
        r"ilk ben",
        r"herkesten önce",
        r"(?:diğerlerinden|başkalarından) önce",
        r"öncelik (?:alayım|alırım|kazan|elde)\w*",
        r"sıra(?:yı)? atla\w*",
    ),
    "uk": (
        r"(?:пересад|посад|обслуг|перебронюв|перевед)\w* (?:\w+ ){0,3}"
        r"(?:в першу чергу|першим|першою)",
        r"(?:швидше|раніше) (?:за )?(?:інших|усіх|всіх)",
        r"без черги",
    ),
    "ur": (r"سب سے پہلے", r"دوسروں سے پہلے", r"ترجیح (?:ملے|ملے گی)"),
    "uz": (r"boshqalardan (?:oldin|avval)", r"birinchi bo'lib", r"ustuvorlik (?:olish|olaman)"),
    "vi": (
        r"trước (?:những người khác|mọi người|người khác)",
        r"(?:được )?ưu tiên (?:trước|hơn)",
        r"chen hàng",
    ),
    "yo": (r"ṣáájú (?:àwọn yòókù|gbogbo ènìyàn)", r"àǹfààní àkọ́kọ́"),
    "zh": (
        r"(?:先|优先|優先)(?:被)?(?:改签|改簽|安排|处理|處理|登机|登機)",
        r"比别人先",
        r"比其他(?:人|乘客)(?:先|早)",
        r"插队|插隊",
    ),
    "zu": (r"ngaphambi kwabanye", r"ukubekwa phambili"),
}
"""Being served before the others — going first, before or sooner than the rest, getting
priority, skipping the queue — as the purpose a need is claimed for."""

DISCLAIMED: Mapping[str, tuple[str, ...]] = {
    "am": (r"በእርግጥ አያስፈልገኝም", r"አያስፈልገኝም ግን"),
    "ar": (r"في الحقيقة لا (?:أحتاج|احتاج)",),
    "az": (r"əslində (?:\w+ )?lazım deyil",),
    "bg": (r"всъщност (?:\w+ ){0,2}не (?:ми )?(?:трябва|е нужн\w*)",),
    "bn": (r"আসলে (?:\S+ ){0,3}(?:লাগে না|দরকার নেই|প্রয়োজন নেই)",),
    "ca": (r"en realitat no (?:\w+ )?necessit\w*",),
    "cs": (r"ve skutečnosti (?:\w+ ){0,2}nepotřeb\w*",),
    "cy": (r"(?:does|dw i) ddim (?:\w+ )?angen (?:go iawn|mewn gwirionedd)",),
    "da": (r"(?:har|behøver) (?:faktisk|egentlig) ikke (?:brug for )?", r"kan sagtens gå"),
    "de": (
        r"kann (?:eigentlich |ganz |sehr )?(?:gut|problemlos|ganz normal) (?:laufen|gehen)",
        r"brauche (?:\w+ )?(?:eigentlich|gar) kein\w*",
    ),
    "el": (r"στην πραγματικότητα δεν (?:\w+ )?χρειάζομαι",),
    "en": (
        r"i can walk (?:fine|perfectly|just fine|normally|without (?:any )?(?:help|problems?))",
    ),
    "es": (r"en realidad no (?:\w+ )?necesit\w*",),
    "et": (r"tegelikult (?:\w+ )?(?:ei vaja|pole vaja)",),
    "eu": (r"egia esan ez (?:dut )?behar",),
    "fa": (r"در واقع (?:\S+ ){0,2}(?:لازم ندارم|نیاز ندارم)",),
    "fi": (r"en (?:oikeasti|oikeastaan|edes) tarvitse",),
    "fr": (r"en fait (?:\w+ )?(?:je )?n'en ai pas besoin",),
    "ga": (r"níl (?:\w+ )?ag teastáil i ndáiríre",),
    "ha": (r"a gaskiya ba na bukata",),
    "he": (r"(?:בעצם|למעשה) (?:\S+ )?(?:לא צריך|לא צריכה)",),
    "hi": (r"असल में (?:\S+ ){0,3}(?:ज़रूरत|जरूरत) नहीं",),
    "hr": (r"zapravo (?:\w+ ){0,2}ne treba\w*",),
    "hu": (r"valójában nincs szükségem",),
    "hy": (r"իրականում (?:\S+ )?պետք չէ",),
    "id": (r"sebenarnya (?:\w+ ){0,2}(?:tidak|tak|nggak|gak) (?:butuh|perlu)",),
    "is": (r"þarf (?:\w+ )?(?:ekki|eiginlega ekki) (?:\w+ )?í raun",),
    "it": (r"in realtà non (?:\w+ )?(?:serve|ho bisogno)",),
    "ja": (r"本当は(?:\S{0,12}?)(?:要らない|いらない|不要|必要ない)", r"ということにして"),
    "ka": (r"სინამდვილეში არ მჭირდება",),
    "kk": (r"шынында (?:\w+ )?керек емес",),
    "km": (r"តាមពិតខ្ញុំមិនត្រូវការ",),
    "ko": (r"사실 (?:\S+ )?필요 없",),
    "lt": (r"iš tikrųjų (?:\w+ )?nereik\w*",),
    "lv": (r"patiesībā (?:\w+ )?nav vajadzīg\w*",),
    "mn": (r"үнэндээ (?:\w+ )?хэрэггүй",),
    "mr": (r"खरं तर (?:\S+ )?गरज नाही",),
    "my": (r"တကယ်တော့ မလိုပါဘူး",),
    "ne": (r"वास्तवमा (?:\S+ )?चाहिँदैन",),
    "nl": (r"eigenlijk (?:\w+ ){0,2}(?:niet nodig|geen nodig)",),
    "no": (r"(?:trenger|har) (?:egentlig|faktisk) ikke", r"kan fint gå"),
    "pa": (r"ਅਸਲ ਵਿੱਚ (?:\S+ )?ਲੋੜ ਨਹੀਂ",),
    "pl": (r"(?:tak )?naprawdę nie potrzebuj\w*",),
    "pt": (r"na verdade não (?:\w+ )?precis\w*",),
    "ro": (r"de fapt nu (?:\w+ )?(?:am nevoie|îmi trebuie)",),
    "ru": (r"вообще-?то (?:\w+ ){0,2}не нуж\w*", r"на самом деле (?:\w+ ){0,2}не нуж\w*"),
    "si": (r"ඇත්තටම (?:\S+ )?අවශ්‍ය නැහැ",),
    "sk": (r"v skutočnosti (?:\w+ ){0,2}nepotrebuj\w*",),
    "sr": (r"zapravo (?:\w+ ){0,2}ne treba\w*", r"заправо (?:\w+ ){0,2}не треба\w*"),
    "sv": (
        r"behöver egentligen (?:ingen|inte)",
        r"jag (?:kan|klarar att) gå (?:utmärkt|normalt|alldeles utmärkt)",
    ),
    "sw": (r"kwa kweli sihitaji",),
    "ta": (r"உண்மையில் (?:\S+ )?தேவை\w*ல்லை",),
    "te": (r"నిజానికి (?:\S+ )?అవసరం లేదు",),
    "th": (r"จริงๆ(?:แล้ว)?ไม่(?:ได้)?(?:ต้องการ|จำเป็น)",),
    "tl": (r"(?:hindi ko naman|di ko naman) kailangan",),
    "tr": (r"aslında (?:\w+ )?(?:ihtiyacım yok|gerek yok)",),
    "uk": (r"насправді (?:\w+ ){0,2}не потріб\w*",),
    "ur": (r"اصل میں (?:\S+ )?ضرورت نہیں",),
    "uz": (r"aslida (?:\w+ )?kerak emas",),
    "vi": (r"thật ra (?:\w+ ){0,2}không cần",),
    "yo": (r"ní tòótọ́ kò (?:\w+ )?nílò",),
    "zh": (r"其实(?:我)?(?:不需要|不用|用不着)",),
    "zu": (r"empeleni angikudingi",),
}
"""A need the writer says they do not have: "actually I don't need it", "I can walk fine"."""


def every(table: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Every language's entries of `table` at once (attacks mix languages)."""
    return tuple(word for words in table.values() for word in words)
