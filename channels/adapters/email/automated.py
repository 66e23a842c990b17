"""Mail a machine wrote (auto-replies, bounces, bulk mail) never opens a ticket: `automated_reason` says why.

In order of evidence: RFC 3834's Auto-Submitted; the vendors' own auto-reply headers (many
vacation responders never set Auto-Submitted); Precedence; delivery and read reports; then, for
what carries no header at all, an auto-reply subject prefix. MAILER-DAEMON is always a machine;
postmaster@ is a mailbox people write from too, so it counts as a bounce only with bounce
evidence (a report, X-Failed-Recipients, a null Return-Path, or a delivery-failure subject).
"""

from __future__ import annotations

import email.message
import re

from .headers import Headers, collapse, param

# Header -> values that mean "no" (absent from the mapping: any value means an auto-reply).
_VENDOR_HEADERS: dict[str, tuple[str, ...]] = {
    "X-Autoreply": ("no", "false", "0"),
    "X-Autorespond": ("no", "false", "0"),
    "X-Auto-Reply": ("no", "false", "0"),
    "X-Autoreply-From": (),
    "X-Mail-Autoreply": (),
    "X-Vacation": ("no", "false", "0"),
    "X-FC-MachineGenerated": ("false",),
    "X-MS-Exchange-Generated-Message-Source": (),
}
_AUTO_PRECEDENCE = ("bulk", "junk", "auto_reply")
# Subject prefixes auto-responders put before the original subject (English, German, French,
# Spanish, Italian, Dutch, Portuguese): a prefix with its colon, so "Out of office sync fails"
# written by a person is not one.
_AUTO_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto(matic)?[- ]?reply|auto-?response|autoreply|out of (the )?office( reply)?"
    r"|abwesenheitsnotiz|automatische antwort|r[ée]ponse automatique|absence du bureau"
    r"|respuesta autom[áa]tica|fuera de la oficina|risposta automatica|fuori sede"
    r"|automatisch antwoord|afwezig|resposta autom[áa]tica|ausente do escrit[óo]rio)\s*:",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(undeliverable|undelivered mail|delivery status notification|mail delivery (failed|failure|subsystem)"
    r"|returned mail|failure notice|delivery failure|non[- ]?delivery|unzustellbar)",
    re.IGNORECASE,
)


def automated_reason(msg: email.message.Message, headers: Headers, author_address: str) -> str:
    """Why this message was written by a machine (auto-reply, bounce, bulk), or "" when a person wrote it."""
    auto = headers.text("Auto-Submitted").split(";", 1)[0].strip().lower()
    if auto and auto != "no":
        return f"auto-reply (Auto-Submitted: {auto})"
    for name, negatives in _VENDOR_HEADERS.items():
        if not headers.has(name):
            continue
        value = headers.text(name).strip().lower()
        if value not in negatives:
            return f"auto-reply ({name}: {value or 'present'})"
    if headers.text("X-Apple-Action").strip().lower() == "vacation":  # iCloud's vacation responder
        return "auto-reply (X-Apple-Action: vacation)"
    precedence = headers.text("Precedence").strip().lower()
    if precedence in _AUTO_PRECEDENCE:
        kind = "auto-reply" if precedence == "auto_reply" else "bulk mail"
        return f"{kind} (Precedence: {precedence})"
    content_type = msg.get_content_type()
    if content_type in ("multipart/report", "message/delivery-status", "message/disposition-notification"):
        report = param(msg, "report-type")
        return f"bounce or receipt ({content_type}{f'; report-type={report}' if report else ''})"
    # "From: MAILER-DAEMON <>" (DragonFly Mail Agent) carries no address at all: the name is the evidence.
    local = author_address.split("@", 1)[0] or headers.text("From").strip().split(" ", 1)[0].lower()
    subject = headers.text("Subject")
    if local == "mailer-daemon" or (local == "postmaster" and _BOUNCE_SUBJECT.match(subject)):
        return f"bounce (From: {author_address or collapse(headers.text('From'))})"
    if headers.has("X-Failed-Recipients"):
        return "bounce (X-Failed-Recipients)"
    if headers.has("Return-Path") and headers.text("Return-Path").replace(" ", "") == "<>":
        return "bounce or notification (null sender, Return-Path: <>)"
    if _AUTO_SUBJECT.match(subject):
        return f"auto-reply (Subject: {subject.strip()[:80]})"
    return ""
