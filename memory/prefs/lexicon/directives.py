"""The grammar of a directive about someone: words of obligation ("must", "is to be",
"ist ... zu", "doit", "debe", "следует", "يجب", "되어야"), in every language at once.

A closed class of each language's grammar, not phrasings of attacks: what a rule, an
order or a record prescribes for a person. Read only beside the customer named in the
third person by a writer who never says I (`memory.prefs.addressed`): "the traveller is
to be recorded as a wheelchair user" is someone else's order about the passenger; "I
must have an aisle seat" is the passenger.

Entries are regular expressions over folded text (`memory.prefs.text.fold`).
"""

from __future__ import annotations

DIRECTIVE: tuple[str, ...] = (
    # English
    r"must",
    r"shall",
    r"(?:is|are) to be",
    r"(?:has|have|needs?) to be",
    r"should be",
    r"to be (?:recorded|registered|logged|listed|marked|flagged|treated|handled|contacted)",
    # German: modal verbs, and "ist ... zu <infinitive>" (zu führen, umzubuchen)
    r"muss",
    r"müssen",
    r"soll(?:en|te|ten)?",
    r"ist (?:\w+ ){0,5}(?:zu \w+en|\w+zu\w+en)",
    # Dutch, Scandinavian
    r"moet(?:en)?",
    r"dient",
    r"ska(?:ll)?",
    r"måste",
    r"bør",
    r"skal",
    # French
    r"doi(?:t|vent)",
    r"devra(?:it)?",
    r"est à \w+er",
    # Spanish, Portuguese, Italian
    r"debe(?:n|rá|ría)?",
    r"ha de",
    r"deve(?:m|rá|rão)?",
    r"tem de",
    r"dev(?:e|ono)",
    r"dovrà",
    r"va(?:nno)? \w+(?:ato|ata|ati|ate)",
    # Polish, Czech, Slovak, Russian, Ukrainian
    r"ma(?:ją)? zostać",
    r"należy",
    r"powin(?:ien|na|no|ni)",
    r"musi",
    r"следует",
    r"должн\w*",
    r"необходимо",
    r"потрібно",
    r"має бути",
    # Turkish: the necessitative suffix (kaydedilmelidir, yapılmalı)
    r"\w+(?:mali|meli)(?:dir|dır|dur|dür)?",
    # Arabic, Persian, Hebrew
    r"یجب",
    r"ینبغی",
    r"باید",
    r"חייב\w*",
    r"יש ל\w+",
    # Hindi
    r"किया जाए",
    r"जाना चाहिए",
    r"चाहिए",
    # Indonesian, Vietnamese
    r"harus",
    r"wajib",
    r"phải",
    r"cần được",
    # Korean, Japanese, Chinese (unspaced: inside a run)
    r"\w*되어야",
    r"\w*해야",
    r"べき",
    r"すること",
    r"のこと",
    r"必须",
    r"必須",
    r"应当",
    r"應當",
)
