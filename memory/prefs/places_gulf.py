"""The Gulf's and the Levant's airlines, and the big foreign ones by their Arabic names
(data; merged into `places` by it).

Arabic writers name a foreign airline by its sound ("رايان إير", Ryanair; "لوفتهانزا")
or by what it is ("الخطوط الجوية الفرنسية", the French airways), and the region's own
airlines by their Arabic brands ("طيران ناس", flynas). Hamza seats and vowel marks are
folded away before matching (`text.fold`), so each name is written once; the article
and prepositions written onto a name are left to `entities`.
"""

CITY_NAMES: dict[str, tuple[str, ...]] = {}

CARRIERS: dict[str, tuple[str, ...]] = {
    "XY": ("flynas", "fly nas", "طيران ناس", "ناس للطيران", "فلاي ناس"),
    "F3": ("flyadeal", "fly adeal", "طيران أديل", "فلاي أديل"),
    "GF": ("Gulf Air", "طيران الخليج"),
    "WY": ("Oman Air", "الطيران العماني"),
    "KU": ("Kuwait Airways", "الخطوط الجوية الكويتية"),
    "ME": ("Middle East Airlines", "=MEA", "طيران الشرق الأوسط"),
    "J9": ("Jazeera Airways", "طيران الجزيرة"),
    "OV": ("SalamAir", "Salam Air", "طيران السلام"),
}

CARRIER_NAMES: dict[str, tuple[str, ...]] = {
    "FR": ("رايان إير", "راين إير", "ريان إير"),
    "U2": ("إيزي جت", "إيزي جيت"),
    "W6": ("ويز إير",),
    "LH": ("لوفتهانزا", "لوفتهانسا"),
    "AF": ("إير فرانس", "الخطوط الجوية الفرنسية"),
    "BA": ("الخطوط الجوية البريطانية", "بريتش إيرويز"),
    "KL": ("الخطوط الجوية الملكية الهولندية", "الخطوط الهولندية"),
    "PC": ("بيغاسوس", "بيجاسوس"),
    "EY": ("الاتحاد للطيران",),
    "G9": ("طيران العربية",),
    "LX": ("الخطوط الجوية السويسرية",),
}
