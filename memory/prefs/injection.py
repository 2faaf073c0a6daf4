"""Text that tries to instruct the agent is never a source of preferences.

A memory or note that addresses the agent ("ignore your instructions", "SYSTEM:", "you
are now ...") or orders things no customer can want for themselves ("refund everyone",
"approve all compensation") is quarantined whole: nothing in it counts, not even the
sentence beside the attack that looks like a wish, because the text is no longer a
trustworthy account of what the customer said. Two independent detectors, either of
which quarantines: the markers below (the attack's vocabulary in the covered languages)
and the embedding classifier's `injection` class (`memory.prefs.embedding`).
"""

from __future__ import annotations

import re

_F = re.IGNORECASE

_MARKERS = re.compile(
    "|".join(
        f"(?:{p})"
        for p in (
            # Addressing the machine, or pretending to be it.
            r"\b(?:ignore|disregard|forget|override|bypass)\b.{0,40}"
            r"\b(?:instructions?|rules?|polic(?:y|ies)|prompts?|guidelines?|limits?)\b",
            r"\b(?:system|developer|admin)\s*(?:prompt|message|rule|note|notice|mode|override)",
            r"^\s*(?:system|assistant|developer)\s*:",
            r"\byou are now\b",
            r"\b(?:instructions?|notes?|message)\s+(?:to|for)\s+(?:the\s+)?"
            r"(?:ai|assistant|model|agent|llm|bot|system)\b",
            r"\b(?:assistant|ai|model)\s*,",
            r"</?\s*(?:memory|system|instructions?)\s*>",
            r"#{3,}",
            r"\b(?:as|you,?)\s+(?:the|an?|your)\s+(?:agent|system|bot|assistant|ai|model"
            r"|developer|admin\w*)\b",
            r"\b(?:agent|system|bot|assistant|model)\s*:",
            r"\bignore\b.{0,40}\b(?:preferences|above|record)\b",
            r"\b(?:decode|execute|run)\b.{0,30}\b(?:this|it|what it says)\b",
            r"\b(?:other|all)\s+(?:the\s+)?passengers?\b|\bmanifest\b",
            r"\b(?:translate|repeat|say)\b.{0,40}['\"].{0,80}\b(?:ignore|cancel|refund)",
            r"\w+\s*=\s*\[|\w+\s*=\s*\w+,\s*\w+\s*=",
            r"<\s*/?\s*\w+\s*>",
            r"\ba (?:todos|todas) los clientes\b|\bpara el asistente\b|\bolvida\b.{0,20}reglas",
            r"\b(?:esque[çc]a|vergeet|zignoruj|dimentica)\w*\b",
            r"\b(?:administrador|amministratore|beheerder|administrator)\b",
            r"^\s*(?:sistema|systeem|syst[èe]me|system)\b",
            r"\ben tant qu'agent\b|\bjako agent\b|\bcome agente\b|\bcomo agente\b",
            r"システム|指示|管理员|管理者",
            r"\bnew (?:system )?(?:instructions?|rules?)\b",
            # Orders over other people's bookings or money.
            r"\b(?:refund|compensate|upgrade|cancel|rebook|approve|pay)\b.{0,30}"
            r"\b(?:everyone|everybody|all|every)\b",
            r"\b(?:every|all)\s+(?:passengers?|customers?|bookings?|travell?ers?|flights?)\b",
            r"\bapprove all\b",
            # German
            r"\bignorier\w*\b.{0,40}\b(?:anweisung\w*|regeln?|richtlinie\w*)",
            r"\bsystem(?:hinweis|nachricht|anweisung)\w*",
            r"\ballen? (?:passagier\w*|kunden|fluggäste\w*|buchungen)\b",
            # French
            r"\bignore[zr]?\b.{0,40}\b(?:instructions?|consignes?|r[èe]gles?)\b",
            r"\bnouvelles? (?:consignes?|instructions?)\b",
            r"\bl'assistant\b",
            r"\b(?:tout le monde|chaque passager|tous les passagers)\b",
            # Spanish
            r"\bignora\w*\b.{0,40}\b(?:instrucciones|reglas|normas)\b",
            r"\bmensaje para el sistema\b",
            r"\btodos los pasajeros\b",
            # Italian
            r"\bignora\w*\b.{0,40}\b(?:istruzioni|regole)\b",
            r"\b(?:rimborsa|rimborsate) tutti\b|\btutti i passeggeri\b",
            # Chinese
            r"忽略|无视|系统(?:通知|提示|指令)|所有乘客|所有的乘客|指令",
        )
    ),
    _F | re.MULTILINE,
)


def looks_injected(text: str) -> bool:
    """Does `text` carry the markers of an attempt to instruct the agent?"""
    return _MARKERS.search(text) is not None
