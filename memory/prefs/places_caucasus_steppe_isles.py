"""The hubs' and airlines' names in Azerbaijani, Kazakh, Mongolian, Armenian, Georgian,
Icelandic, Welsh and Irish (data; merged into `places` by it).

Only names that differ from airportsdata's and from the ones `places` already has. Case
endings are left to `entities` (Latin "Frankfurtdan", Cyrillic "Мәскеуден", Armenian
"Ֆրանկֆուրտով", Georgian "ფრანკფურტის"), so these are the plain forms, plus the forms
whose stem changes (Icelandic "Lundúnum", "Kaupmannahafnar") and the Welsh and Irish
mutations, which change a name's first letters ("Llundain" → "i Lundain", "Páras" →
"i bPáras", "Baile Átha Cliath" → "i mBaile Átha Cliath").
"""

CITY_NAMES: dict[str, tuple[str, ...]] = {
    "FRA": ("Ֆրանկֆուրտ", "ფრანკფურტი", "bhFrankfurt"),
    "LHR": (
        "Լոնդոն",
        "ლონდონი",
        "Лондон",
        "Lundúnir",
        "Lundúnum",
        "Lundúna",
        "Llundain",
        "Lundain",
        "Londain",
    ),
    "CDG": ("Փարիզ", "პარიზი", "Parísar", "Páras", "bPáras", "Pháras", "Parisə"),
    "SVO": ("Մոսկվա", "მოსკოვი", "Мәскеу", "Moskvaya"),
    "DXB": ("Դուբայ", "დუბაი", "Dubay"),
    "IST": ("Ստամբուլ", "სტამბოლი", "Стамбұл", "Истанбул", "İstanbul"),
    "VIE": ("Վիեննա", "ვენა", "Vyana", "Вена", "Vín", "Vínar", "Fienna"),
    "MUC": ("Մյունխեն", "მიუნხენი", "Münhen"),
    "AMS": ("Ամստերդամ", "ამსტერდამი", "Амстердам", "Amstardam"),
    "JFK": ("Նյու Յորք", "ნიუ-იორკი", "Нью-Йорк", "Nyu-York", "Efrog Newydd", "Nua-Eabhrac"),
    "CPH": ("Kaupmannahöfn", "Kaupmannahafnar"),
    "OSL": ("Ósló",),
    "FCO": ("Róm", "Rómar", "Rhufain", "Rufain", "Róimh"),
    "DUB": (
        "Baile Átha Cliath",
        "Bhaile Átha Cliath",
        "mBaile Átha Cliath",
        "Dulyn",
        "Ddulyn",
        "Nulyn",
        "Dyflinn",
    ),
    "EDI": ("Caeredin", "Gaeredin", "Nghaeredin", "Dún Éideann", "Edinborg"),
    "MAN": ("Manceinion", "Fanceinion", "Manchain"),
    "PEK": ("Бээжин", "Бээжинг", "Бейжің", "Պեկին", "პეკინი"),
    "ICN": ("Сөүл", "Сеул"),
    "NRT": ("Токио",),
    "KEF": ("Keflavík", "Keflavíkur"),
    "ATH": ("Աթենք", "ათენი", "Afina", "Aþena", "Aþenu"),
    "DOH": ("Доха", "Դոհա", "დოჰა"),
}
"""Airport code of a hub → its names in the languages above."""

AIRPORT_NAMES: dict[str, tuple[str, ...]] = {
    "LHR": ("Хитроу", "Հիթրոու", "ჰითროუ"),
    "LGW": ("Гатвик", "Гэтвик", "Գաթվիք", "გეტვიკი"),
}
"""Airport code → its distinctive name written in these languages' scripts."""

CARRIERS: dict[str, tuple[str, ...]] = {
    "J2": ("AZAL", "Azerbaijan Airlines", "Azərbaycan Hava Yolları"),
    "OM": ("MIAT", "МИАТ", "Mongolian Airlines"),
    "A9": ("Georgian Airways", "ჯორჯიან ეარვეისი"),
    "OG": ("=PLAY", "Fly Play"),
}
"""Airlines of these languages' home markets."""

CARRIER_NAMES: dict[str, tuple[str, ...]] = {
    "KC": ("Эйр Астана", "Эйр-Астана"),
    "TK": ("Türk Hava Yolları", "Թուրքական ավիաուղիներ", "თურქული ავიახაზები"),
    "LH": ("Լյուֆթհանզա", "ლუფთჰანზა", "Люфтганза"),
}
"""More names of airlines `places` knows."""
