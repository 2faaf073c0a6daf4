"""Who a sentence is about and what its writer claims, in every language we know.

Beside the concepts of an order (`lexicon.orders`), three things decide whether a
sentence can be a wish of the writer's own trip, whatever its language:

- **someone else**: a stranger picked out by a seat ("the guy in 22C"), another passenger
  ("this passenger", "pasaherong ito"), everyone on a booking, someone else's booking. A
  preference only steers the writer's own trip, so a sentence changing another person
  orders (`memory.prefs.injection.speaks_for_another`);
- **a membership**: a carrier named beside a loyalty word ("Delta Diamond", "Gold with
  BA") is a programme the writer belongs to, not an airline to avoid (`memory.prefs.marks`);
- **a disclaimer**: a need the writer says they do not have ("I'm not actually disabled
  but tick the wheelchair") is none of the trip's (`memory.prefs.needs`).

Entries are regular expressions over folded text (`memory.prefs.text.fold`), as in
`lexicon.orders`.
"""

from __future__ import annotations

from memory.prefs.lexicon.gaming import DISCLAIMED as DISCLAIMED_BY_LANGUAGE
from memory.prefs.lexicon.gaming import every

OTHERS: tuple[str, ...] = (
    # A stranger picked out by a seat ("the guy in 22C", "la dame au 14A", "der Mann auf
    # 3F"): nobody the writer travels with is named so.
    r"(?:guy|man|woman|lady|gentleman|person|passenger|pax|dude|kid|girl|boy|chap|fellow|"
    r"someone|somebody|mann|frau|herr|dame|monsieur|madame|homme|femme|señora?|hombre|mujer|"
    r"chic[oa]|signora?|uomo|donna|ragazz[oa]|meneer|mevrouw|pan(?:i)?|passagier\w*|"
    r"fahrgast|passager\w*|pasajer[oa]|passegger[oa]|passageir[oa])"
    r"(?: \w+){0,2} (?:in|at|on|from|of|auf|am|im|von|au|en|du|de|del|dans|al|nel|sul|op|na|w)"
    r"(?: (?:seat|row|sitz\w*|platz|reihe|siège|rang|asiento|fila|posto|stoel|rij|miejsc\w*))?"
    r" \d{1,2}\s?[a-k]\b",
    # A passenger pointed at as an agent speaks of one ("this passenger"); "another
    # passenger" or "the other passengers" is how a complaint speaks, and is not here.
    r"(?:this|that) (?:passenger|pax|traveller|traveler|customer|guest)s?",
    r"(?:dies\w*) (?:passagier\w*|fahrgast|fahrgäste|kund\w*|reisend\w*)",
    r"(?:ce|cet|cette) (?:passag\w*|voyageu\w*|client\w*)",
    r"(?:este|esta) (?:pasajer\w*|viajer\w*|client\w*)",
    r"(?:questo|questa) (?:passegger\w*|viaggiator\w*|client\w*)",
    r"(?:deze) (?:passagier\w*|reiziger\w*|klant\w*)",
    r"(?:ten|ta|tego|tej) (?:pasażer\w*|klient\w*)",
    r"pasahero\w*",  # Tagalog: the passenger ("pasaherong ito", this passenger)
    # Everyone on a booking or a flight, someone else's booking.
    r"(?:everyone|everybody|all(?: the)? (?:passengers|travell?ers|people|names|pax))"
    r"(?: \w+){0,2} (?:on|in) (?:the |this |that )?(?:booking|reservation|pnr|flight|group)",
    r"(?:alle|jede[nrm]?)(?: \w+){0,2} (?:auf|in) (?:der |dieser )?(?:buchung|reservierung)",
    r"tout le monde (?:sur|dans) (?:la |cette )?réservation",
    r"(?:todos|todo el mundo) (?:en|de) (?:la |esta )?reserva",
    r"tutti (?:sulla|nella|della) prenotazione",
    r"(?:his|her|their|someone else'?s|another) (?:booking|reservation|pnr|ticket)",
    r"(?:seine[rm]?|ihre[rm]?) (?:buchung|reservierung)",
    r"(?:sa|leur) réservation",
    # The seat named first ("Seat 14C (not me, some guy)", "passageira do assento 22A").
    r"(?:seat|row|sitz\w*|platz|siège|asiento|posto|stoel|miejsc\w*|assento|poltrona|lugar)"
    r" ?\d{1,2}\s?[a-k]\b\W{0,3}(?:\w+\W{1,3}){0,2}(?:not me|some (?:guy|man|woman|lady|"
    r"person|passenger|dude|kid|girl|boy)|someone|somebody|not mine|nicht ich|pas moi|no soy yo|"
    r"não sou eu|non sono io|niet ik|to nie ja)",
    r"(?:passagei\w*|pessoa|senhora?|moço|moça|rapaz) (?:\w+ ){0,2}(?:do|da|no|na) "
    r"(?:assento|poltrona|lugar|fila) \d{1,2}\s?[a-k]\b",
)
"""Another person or booking as the one a sentence changes: an order over other people
("remove the wheelchair from the guy in 22C", "email everyone on booking 7HXK2L"). A
companion named as the writer's own ("my son", "my wife and I") is not here: their needs
are the booking's (`memory.prefs.needs`)."""

COPIED: tuple[str, ...] = (
    r"cop(?:y|ies|ied|ying)(?! of)",
    r"paste",
    r"pasted",
    r"duplicate",
    r"clone",
    r"transfer (?:\w+ ){0,2}(?:preferences|profile|settings|details|data)",
    r"same (?:profile|preferences|settings|details) as",
    r"kopier\w*",
    r"übertrag\w*",
    r"übernehm\w* (?:\w+ ){0,2}(?:daten|profil|einstellungen|präferenzen|angaben)",
    r"copi(?:e|ez|er|a|ar|ate|are|ie)\b",
    r"transf[eé]r\w* (?:\w+ ){0,2}(?:préférences|profil|données|preferencias|perfil|datos|"
    r"preferências|dados)",
    r"transfira",
    r"(?:skopiuj|kopiuj|przenieś)\w*",
    r"(?:скопируй|копируй|перенеси|скопіюй|копіюй|перенес)\w*",
    r"kopyala\w*",
    r"sao chép|chép",
    r"salin\w*",
    r"kopioi\w*",
    r"kopiera\w*",
    r"αντίγραψ\w*|αντιγράψ\w*",
    r"copiaz\w*",
    r"másol\w*",
    r"nakili",
    r"kopyahin|i-?copy",
    r"انسخ\w*|نسخ",
    r"کپی",
    r"[ו]?(?:העתק\w*|תעתיק\w*|תעבירו|להעביר|תעביר)",
    r"คัดลอก|ก๊อป",
    r"कॉपी",
    r"复制|複製|照搬|转到我|轉到我",
    r"コピー|写して|引き継",
    r"복사|옮겨",
)
"""Copying or carrying a record over ("copy it onto mine", "copia aqui", "transfer the
preferences from booking X to mine"): with a word for a record (`RECORD`), the sentence
brings someone else's data in — what it names is theirs, not the writer's wish."""

RECORD: tuple[str, ...] = (
    r"profile?s?",
    r"details",
    r"data",
    r"info(?:rmation)?",
    r"preferences",
    r"settings",
    r"record",
    r"profil\w*",
    r"daten",
    r"angaben",
    r"einstellungen",
    r"präferenzen",
    r"données",
    r"coordonnées",
    r"préférences",
    r"paramètres",
    r"perfil",
    r"datos",
    r"dados",
    r"preferencias",
    r"preferências",
    r"profilo",
    r"dati",
    r"preferenze",
    r"impostazioni",
    r"profiel",
    r"gegevens",
    r"voorkeuren",
    r"instellingen",
    r"dane|danych",
    r"ustawienia",
    r"профил\w*",
    r"данн\w*",
    r"настройк\w*",
    r"предпочтени\w*",
    r"налаштуван\w*",
    r"уподобан\w*",
    r"bilgi\w*",
    r"tercih\w*",
    r"hồ sơ",
    r"thông tin",
    r"dữ liệu",
    r"tiedot",
    r"uppgifter",
    r"inställningar",
    r"στοιχεία",
    r"ρυθμίσεις",
    r"preferin\w*",
    r"setări",
    r"adat\w*",
    r"beállítás\w*",
    r"wasifu",
    r"taarifa",
    r"mapendeleo",
    r"detalye",
    r"impormasyon",
    r"بيانات",
    r"تفضيلات",
    r"اطلاعات",
    r"تنظیمات",
    r"ترجیحات",
    # Hebrew writes "the", "of", "to" onto the word ("ההעדפות", the preferences).
    r"[ובהלמשכ]{0,2}(?:פרטים|נתונים|העדפות|הגדרות|פרופיל)",
    r"ข้อมูล",
    r"โปรไฟล์",
    r"जानकारी",
    r"प्रोफाइल",
    r"资料|資料|档案|檔案|偏好|设置|設定",
    r"プロフィール|情報|データ",
    r"프로필|정보|설정",
)
"""A person's record: profile, data, preferences, settings."""

OTHER_PERSON: tuple[str, ...] = (
    r"him",
    r"his",
    r"them",
    r"ihn",
    r"ihm",
    r"lui",
    r"hem",
    r"jego",
    r"jemu",
)
"""Third-person objects; beside a booking reference, someone else's booking is changed
("my colleague (PNR QW8ERT) ..., switch him to SMS"). "her"/"ihr"/"su" are left out: they
are also possessives and "you" in German."""

BOOKING_CODE = (
    r"(?:pnr|booking|reservation|ref(?:erence)?|buchung\w*|réservation|reserva|prenotazione|boeking|"
    r"rezerwacj\w*|bokning)\s*(?:ref\w*|code|nr|no|number)?\s*[:#.]?\s*"
    r"(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{5,8}\b"
)
"""A booking reference as one is written ("PNR QW8ERT", "booking 7HXK2L")."""

MEMBERSHIP: tuple[str, ...] = (
    r"diamond",
    r"platinum",
    r"platin\w*",
    r"gold",
    r"silver",
    r"medallion",
    r"elite",
    r"premier",
    r"executive club",
    r"senator",
    r"hon circle",
    r"skywards",
    r"skymiles",
    r"flying blue",
    r"avios",
    r"oro",
    r"frequent fl\w*",
    r"miles",
    r"member\w*",
    r"status",
    r"card",
    r"karte",
    r"mitglied\w*",
    r"vielflieger\w*",
    r"membre",
    r"carte",
    r"statut",
    r"socio",
    r"tarjeta",
    r"tessera",
    r"lid",
    r"kaart",
    r"złot\w*",
    r"członek",
    r"ゴールド",
    r"会员",
    r"金卡",
)
"""Words of a loyalty membership: a carrier named with one ("Delta Diamond", "Gold with
BA", "Platinum Medallion") is a programme the writer belongs to, not an airline avoided."""

DISCLAIMED: tuple[str, ...] = (
    r"(?:not|isn't|aren't|never been) (?:actually |really |even |technically )?"
    r"(?:disabled|handicapped|injured|blind|deaf|in a wheelchair|a wheelchair user)",
    r"(?:don'?t|do not|doesn'?t|does not) (?:actually |really |even )?need (?:it|one|them|any)",
    r"pretend\w*",
    r"fake\w*",
    r"skip (?:the )?(?:queue|line)",
    r"(?:nicht|kein) (?:wirklich |eigentlich )?(?:behindert\w*|rollstuhlfahrer\w*)",
    r"(?:brauche|braucht) (?:\w+ )?(?:ihn|es|sie|keinen) (?:eigentlich |wirklich )?nicht",
    r"vorbeimogeln|vordrängeln",
    r"(?:pas|ne suis pas) (?:vraiment |réellement )?(?:handicapé\w*|invalide)",
    r"n'en ai pas (?:vraiment )?besoin",
    r"(?:no soy|no estoy) (?:realmente )?(?:discapacitad\w*|minusválid\w*)",
    r"no (?:la|lo) necesito",
    r"(?:non sono|non è) (?:davvero )?(?:disabile|invalid\w*)",
    r"non (?:ne ho|mi serve) (?:davvero )?bisogno",
    r"saltare la (?:fila|coda)",
    r"colar(?:me)? (?:en )?la (?:fila|cola)",
    r"(?:niet|geen) (?:echt )?(?:gehandicapt|invalide)",
    r"(?:nie jestem|nie jest) (?:naprawdę )?(?:niepełnospraw\w*|inwalid\w*)",
    r"(?:ce n'est|c'est) pas vrai",
    r"c'est faux",
    r"(?:it's|it is|that's|that is) not true",
    r"no es (?:cierto|verdad)",
    r"brauche ich (?:eigentlich|gar|wirklich) nicht",
    r"nepotřebuj\w*",
    r"本当は(?:不要|必要(?:ない|ありません)|いらない)",
    r"実際は不要",
    r"其实不(?:需要|用)",
    r"لا أحتاج\w*",
    r"(?:ज़रूरत|जरूरत) नहीं",
    r"на самом деле (?:нет|не нужн\w*)",
    r"உண்மையில் (?:தேவையில்லை|வேண்டாம்)",
    *every(DISCLAIMED_BY_LANGUAGE),
)
"""A need the writer disclaims ("I'm not actually disabled but tick the wheelchair", "don't
need it but", "so I skip the queue"): no need of the trip is said, whatever is asked. Every covered
language has its words in `lexicon.gaming.DISCLAIMED`, which this list takes in."""
