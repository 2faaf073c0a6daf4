"""The hubs' and airlines' names in Punjabi (Gurmukhi), Urdu and Shahmukhi, Uzbek (Latin
and Cyrillic), Hausa and Catalan (data; merged into `places` by it).

Only names that differ from airportsdata's and from the ones `places` already has;
endings written onto a name are left to `entities` (Uzbek "Moskvadan", Gurmukhi
vowel signs), so these are plain forms.
"""

CITY_NAMES: dict[str, tuple[str, ...]] = {
    "LHR": ("ਲੰਡਨ", "Landan"),
    "DXB": ("ਦੁਬਈ", "دبئی", "Dubay"),
    "FRA": ("ਫ੍ਰੈਂਕਫਰਟ", "ਫਰੈਂਕਫਰਟ", "فرینکفرٹ", "فرانکفرٹ"),
    "IST": ("ਇਸਤਾਂਬੁਲ", "ਇਸਤਾਂਬੋਲ", "استنبول", "Истанбул"),
    "SVO": ("ਮਾਸਕੋ", "ماسکو", "Moskva"),
    "DOH": ("ਦੋਹਾ", "دوحہ"),
    "JFK": ("ਨਿਊਯਾਰਕ", "ਨਿਊ ਯਾਰਕ", "نیویارک", "نیو یارک", "Nyu-York"),
    "DEL": ("ਦਿੱਲੀ", "دہلی", "دلی"),
    "JED": ("Jidda",),
    "BRU": ("Brussel·les",),
    "MUC": ("Munic",),
    "ATH": ("Atenes",),
    "VIE": ("Viedeň", "Viedne", "Viedni"),
    "CDG": ("ਪੈਰਿਸ", "پیرس", "Parij", "Paríž"),
}
"""Airport code of a hub → its names in the languages above."""

CARRIERS: dict[str, tuple[str, ...]] = {}
"""Airlines of these languages' home markets (`places` knows them already)."""

CARRIER_NAMES: dict[str, tuple[str, ...]] = {
    "PK": ("پی آئی اے",),
    "HY": ("Oʻzbekiston havo yoʻllari", "O'zbekiston havo yo'llari", "Ўзбекистон ҳаво йўллари"),
    "AI": ("ਏਅਰ ਇੰਡੀਆ", "ایئر انڈیا"),
    "EK": ("ਅਮੀਰਾਤ", "ایمریٹس"),
}
"""More names of airlines `places` knows."""
