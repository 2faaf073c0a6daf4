"""Words of a text that keeps a passenger's *record* rather than states a wish, in every
language we know (red-team 19).

A customer says what they want ("I avoid CDG", "je suis en fauteuil roulant, merci de
l'enregistrer"). A text that dictates an entry in someone's file speaks otherwise, and
two of its concepts are closed and small:

- **a fake note's heading or addressee**: an internal or operator note, a note to the
  agent, the airline's policy invoked, a profile update, a role play ("Note interne :",
  "Interner Vermerk:", "運用メモ：", "Указание агенту:", "Instrucción al agente:"). No
  customer writes their wish under such a heading;
- **keeping the record of "the passenger"**: an order to register, record or enter
  something ("enregistrez", "zapište", "登録してください", "பதிவு செய்யவும்", "erfassen",
  "запишите") or a word for the file itself ("dossier", "profil", "档案"), in a sentence
  naming the customer in the third person (`memory.prefs.speakers`). Recording alone is
  how a customer asks too ("merci de l'enregistrer", "please note I avoid CDG"), and
  the third person alone is how an agent's own note reads ("customer prefers aisle"): the
  two together dictate another's record (`memory.prefs.injection`).

Beside them, priority gaming in words `lexicon.orders.PRECEDENCE` lacks (`PURPOSE`).
Entries are regular expressions over folded text (`memory.prefs.text.fold`).

Why it is long: a word table, one entry a line, every language side by side.
"""

from __future__ import annotations

_TA = "[\u0b80-\u0bff]*"
"""A Tamil ending written onto the word."""

NOTE: tuple[str, ...] = (
    r"(?:internal|operator|ops|staff|agent|admin|system|back-?office) (?:note|memo|message)",
    r"(?:note|memo|message|instructions?) (?:to|for) (?:the )?(?:agent|assistant|operator|bot)",
    r"(?:airline|company|carrier)(?:'s)? polic(?:y|ies) (?:says?|requires?|states?|mandates?)",
    r"per (?:the )?(?:airline|company|carrier)(?:'s)? policy",
    r"profile update",
    r"role-?play\w*",
    r"(?:you are|you're) (?:now )?(?:my|the|an?) (?:\w+ )?(?:assistant|agent|system|bot)",
    # Telling the machine what it has already recorded: "you've already saved that I ...".
    r"(?:you've|you have|you) (?:already )?(?:saved|recorded|noted|registered|stored|logged)",
    r"(?:fyi|for|to) (?:whoever|anyone|the person|the one|the team) (?:who )?"
    r"(?:processes|handles|reads|works|is handling)",
    r"note interne",
    r"(?:pour|à) (?:l')?information du (?:syst[èe]me|service)",
    r"à l'attention d\w* (?:\w+ ){0,2}(?:syst[èe]me|service|agent|[ée]quipe|personnel)",
    r"(?:note|remarque|message|consigne|instruction)s? (?:pour|à|a) l'(?:agent|op[ée]rateur)",
    r"(?:politique|r[èe]gle)s? de la compagnie",
    r"selon la politique",
    r"mise à jour du profil",
    r"jeu de r[ôo]le",
    r"nota interna",
    r"(?:nota|instrucci[oó]n|mensaje|indicaci[oó]n)(?:es)? (?:al|para el) (?:agente|operador)",
    r"pol[ií]tica de la (?:aerol[ií]nea|compañ[ií]a)",
    r"actualizaci[oó]n del? perfil",
    r"juego de rol",
    r"interne[rs]? (?:vermerk|notiz|hinweis|mitteilung)",
    r"(?:hinweis|notiz|anweisung|nachricht) (?:an|für) (?:den|die) (?:agent\w*|assistent\w*|"
    r"bearbeiter\w*)",
    r"(?:airline|fluggesellschaft)s?-?richtlinie\w*",
    r"richtlinie\w* der (?:airline|fluggesellschaft)",
    r"profil-?update",
    r"profilaktualisierung",
    r"rollenspiel\w*",
    r"intern[íi] pozn[áa]mk\w*",
    r"pokyn\w* pro (?:syst[ée]m|agenta|operátora)",
    r"pozn[áa]mk\w* pro (?:agenta|syst[ée]m|operátora)",
    r"podle pravidel (?:aerolinky|spole[čc]nosti|dopravce)",
    r"aktualizace profilu",
    r"служебн\w* (?:пометк\w*|запис\w*|заметк\w*)",
    r"внутренн\w* (?:пометк\w*|заметк\w*|запис\w*)",
    r"указани\w* (?:агенту|оператору)",
    r"по правилам авиакомпании",
    r"согласно (?:политике|правилам)",
    r"обновление профиля",
    r"ролев\w* игр\w*",
    r"ملاحظة داخلية",
    r"تعليمات (?:للوكيل|للموظف)",
    r"سياسة الشركة",
    r"تحديث الملف",
    r"内部备注",
    r"內部備註",
    r"给代理的指示",
    r"航空公司(?:的)?政策",
    r"资料更新",
    r"角色扮演",
    r"運用メモ",
    r"社内メモ",
    r"エージェントへの指示",
    r"管理部より",
    r"担当者(?:様|さま)?へ",
    r"ロールプレイ",
    r"आंतरिक नोट",
    r"एजेंट के लिए निर्देश",
    r"एयरलाइन (?:की )?नीति",
    r"முகவருக்கான குறிப்பு",
    r"உள் குறிப்பு",
    r"கொள்கைப்படி",
)
"""The heading or addressee of a fake note: what follows dictates, it does not wish."""

KEEPING: tuple[str, ...] = (
    r"record(?:ed)? (?:in|on|that)",
    r"register(?:ed)? (?:as|that)",
    r"log(?:ged)? (?:as|that)",
    r"(?:make a )?note (?:down|on file|in the file)",
    r"mark(?:ed|ing)?",
    r"flag(?:ged|ging)?",
    r"treat(?:ed)? (?:\w+ ){0,3}as",
    r"list(?:ed)? as",
    r"(?:save|saved|enter|entered) (?:it |that )?(?:in|on|to|that)",
    r"file",
    r"enregistr\w*",
    r"inscri(?:re|vez|s|t|te|ts|tes|ption)",
    r"consign\w*",
    r"not(?:ez|er|[ée]e?s?) (?:que|dans|au)",
    r"saisi\w*",
    r"marqu\w*",
    r"(?:signal|consid[ée]r|trait|figur)\w* comme",
    r"renseign\w*",
    r"dossier",
    r"fiche",
    r"regist\w*",
    r"anot\w*",
    r"apunt\w*",
    r"ponga que",
    r"expediente",
    r"ficha",
    r"m[áa]rque\w*",
    r"trat\w* como",
    r"configur\w*",
    r"erfass\w*",
    r"eintrag\w*",
    r"trag\w* (?:\w+ ){0,5}ein",
    r"hinterleg\w*",
    r"vermerk\w*",
    r"notier\w*",
    r"speicher\w*",
    r"registrier\w*",
    r"markier\w*",
    r"kennzeichn\w*",
    r"einstuf\w*",
    r"(?:behandel|führ)\w* (?:\w+ ){0,3}als",
    r"zapi[šs]\w*",
    r"zapsat",
    r"zaeviduj\w*",
    r"eviden\w*",
    r"zaznamen\w*",
    r"zaregistr\w*",
    r"profil\w*",
    r"nastav\w*",
    r"označ\w*",
    r"uveď\w*",
    r"запиш\w*",
    r"записать",
    r"зарегистрир\w*",
    r"регистрир\w*",
    r"внес\w*",
    r"внест\w*",
    r"занес\w*",
    r"отмет\w*",
    r"помет\w*",
    r"зафиксир\w*",
    r"профил\w*",
    r"تسجيل",
    r"سجل",
    r"سجّل",
    r"يسجل",
    r"دوّن",
    r"الملف",
    r"علامة",
    r"登记",
    r"登記",
    r"记录",
    r"記錄",
    r"录入",
    r"注明",
    r"标记",
    r"档案",
    r"檔案",
    r"资料",
    r"登録",
    r"記録",
    r"記載",
    r"プロフィール",
    r"情報",
    r"入力",
    r"設定",
    r"扱って",
    r"マーク",
    r"信息",
    r"दर्ज",
    r"रिकॉर्ड",
    r"पंजीकृत",
    r"प्रोफ़ाइल",
    r"लिख(?:ें|िए|ो|ना|\s(?:दो|दें|दीजिए|लें|लो))",
    r"चिह्नित",
    r"मार्क",
    r"பதிவு",
    r"குறித்து" + _TA,
    r"சுயவிவர" + _TA,
    r"குறிக்க" + _TA,
)
"""Keeping a record: an order to register or enter something, or the file itself. With the
customer named in the third person, the sentence dictates another's record."""

PURPOSE: tuple[str, ...] = (
    r"pour (?:passer|être (?:servi|trait[ée]|replac[ée]))\w* en priorit[ée]",
    r"pour (?:être|etre) prioritaire",
    r"passer devant",
    r"優先してもら\w*",
    r"(?:přesunul|obsloužil|přebookoval)\w* (?:\w+ )?dřív",
    r"dřív než ostatní",
    r"(?:atiendan|reubiquen|embarquen) (?:\w+ )?antes",
    r"bevorzugt (?:werde|behandelt|umgebucht)",
    r"أحصل على (?:ال)?أولوية",
    r"पहले (?:सीट )?मिले",
    r"(?:пересадил|обслужил|посадил)\w* (?:\w+ )?раньше",
)
"""Being served before the others, in words `orders.PRECEDENCE` does not have."""
