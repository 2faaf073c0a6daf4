"""What a passenger's SMS or e-mail answer chooses, read from their words.

The outbound message asks them to answer with a number or a word: 1 (or yes) keeps the
offered flights, 2..N picks another option, REFUND (or no) takes their money back. A
reply that is exactly one of those — in the languages our messages are sent in — is
that choice; anything else is their own words and goes to the operator desk (never read
as an instruction, never guessed at).
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr

from streams.replies import Choice

_ACCEPT = re.compile(
    r"^(?:1|yes|y|ok|okay|accept|keep|ja|oui|s[ií]|d'accord|akzeptiert?|acepto|accetto"
    r"|好|好的|可以|是)$",
    re.IGNORECASE,
)
_DECLINE = re.compile(
    r"^(?:no|n|refund|money back|nein|erstattung|r[üu]ckerstattung|non|remboursement"
    r"|reembolso|rimborso|退款|不要)$",
    re.IGNORECASE,
)
_OPTION = re.compile(
    r"^(?:option|opt|choice|nr\.?|n[°o]\.?|numero|n[úu]mero|选项)?\s*#?\s*([1-9])$", re.IGNORECASE
)


@dataclass(frozen=True)
class Interpreted:
    choice: Choice
    option: int | None = None


def interpret(text: str) -> Interpreted:
    """The choice a short answer makes; ``text`` when it is not one of the answers asked for."""
    words = re.sub(r"[\s.!,;:()\"'*]+", " ", text).strip()
    if _ACCEPT.match(words):
        return Interpreted("accept")
    if _DECLINE.match(words):
        return Interpreted("decline")
    if m := _OPTION.match(words):
        number = int(m.group(1))
        return Interpreted("accept") if number == 1 else Interpreted("option", number)
    return Interpreted("text")


@dataclass(frozen=True)
class MailReply:
    sender: str
    subject: str
    answer: str
    message_id: str


_QUOTED_HEADER = re.compile(
    r"^(?:On .+ wrote:|Am .+ schrieb .+:|Le .+ a écrit ?:|El .+ escribió:)$"
)


def read_mail(raw: bytes) -> MailReply:
    """The sender, subject, the passenger's own answer (without the quoted message below
    it) and the Message-ID of an RFC 5322 e-mail.

    Raises:
        ValueError: no sender or no text part.
    """
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    sender = parseaddr(str(message.get("From", "")))[1]
    if not sender:
        raise ValueError("the e-mail has no sender")
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        raise ValueError("the e-mail has no text part")
    content = part.get_content()
    own: list[str] = []
    for line in str(content).splitlines():
        if line.startswith(">") or _QUOTED_HEADER.match(line.strip()):
            break
        own.append(line)
    return MailReply(
        sender=sender.lower(),
        subject=str(message.get("Subject", "")),
        answer="\n".join(own).strip(),
        message_id=str(message.get("Message-ID", "")).strip("<> "),
    )
