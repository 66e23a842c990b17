"""The body of one message as the text an advocate reads: the text/plain part (an HTML-only message through
``channels.text.html_to_text``), attachments listed by name and size and never inlined, PGP/MIME signatures
dropped, an encrypted message saying so. MIME nesting is followed to `MAX_DEPTH`, and nothing here raises on a
broken tree: a part that cannot be decoded is replaced, never fatal.
"""

from __future__ import annotations

import email.message
from dataclasses import dataclass, field

from channels import clean
from channels.text import clean_text, html_to_text

from .headers import Headers, collapse, decode_bytes, decode_words, param, unsurrogate

MAX_BODY_CHARS = 90_000  # the attachment list and the truncation note fit under clean.TEXT_MAX after it
MAX_ATTACHMENTS_LISTED = 20
MAX_DEPTH = 25  # MIME nesting followed before giving up on a branch
_SIGNATURE_TYPES = {"application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature"}


@dataclass(frozen=True)
class Attachment:
    name: str
    size: int
    content_type: str

    def label(self) -> str:
        return f"{self.name} ({format_size(self.size)})"


@dataclass
class Body:
    texts: list[tuple[str, str]] = field(default_factory=list)  # ("plain" | "html", text)
    attachments: list[Attachment] = field(default_factory=list)
    encrypted: bool = False

    def has_text(self) -> bool:
        return any(t.strip() for _kind, t in self.texts)

    def text(self) -> str:
        parts = [t.strip() for _kind, t in self.texts if t.strip()]
        if self.encrypted:
            parts.append("[Encrypted message: it cannot be read here.]")
        text = "\n\n".join(parts)
        if len(text) > MAX_BODY_CHARS:
            text = text[:MAX_BODY_CHARS].rstrip() + "\n[… message truncated]"
        if self.attachments:
            shown = [a.label() for a in self.attachments[:MAX_ATTACHMENTS_LISTED]]
            more = len(self.attachments) - len(shown)
            line = "Attachments: " + ", ".join(shown) + (f", and {more} more" if more > 0 else "")
            text = f"{text}\n\n{line}" if text else line
        # Cut here rather than in clean.text, whose cut could end on a space that a second cleaning strips.
        return clean.text(clean_text(text)[: clean.TEXT_MAX].rstrip())


def walk(part: email.message.Message, body: Body, *, depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    content_type = part.get_content_type()
    maintype, _, subtype = content_type.partition("/")
    if content_type == "message/rfc822" or (maintype == "message" and part.is_multipart()):
        body.attachments.append(_attachment(part, content_type))
        return
    if maintype == "multipart" and part.is_multipart():
        children = [p for p in part.get_payload() if isinstance(p, email.message.Message)]
        if subtype == "encrypted":
            body.encrypted = True
        elif subtype in ("signed", "report"):
            # signed: the second part is the signature; report: the first part is the human-readable one.
            if children:
                walk(children[0], body, depth=depth + 1)
        elif subtype == "alternative":
            _alternative(children, body, depth=depth)
        else:
            for child in children:
                walk(child, body, depth=depth + 1)
        return
    disposition = _disposition(part)
    filename = _filename(part)
    if content_type in _SIGNATURE_TYPES or content_type == "application/pgp-encrypted":
        return
    if content_type == "application/pkcs7-mime" and param(part, "smime-type").lower() == "enveloped-data":
        body.encrypted = True
        return
    is_text = content_type in ("text/plain", "text/html") or maintype == "multipart"  # broken multipart: as text
    if is_text and disposition != "attachment" and not filename:
        text = decode_bytes(_payload(part), _charset(part))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if content_type == "text/html":
            body.texts.append(("html", html_to_text(text)))
        else:
            body.texts.append(("plain", text))
        return
    body.attachments.append(_attachment(part, content_type, filename))


def _alternative(children: list[email.message.Message], body: Body, *, depth: int) -> None:
    """multipart/alternative: the text/plain version when it has text, else the richest one that has text."""
    versions: list[Body] = []
    for child in children:
        version = Body()
        walk(child, version, depth=depth + 1)
        versions.append(version)
    plain = [v for v in versions if v.has_text() and all(kind == "plain" for kind, _t in v.texts)]
    with_text = [v for v in versions if v.has_text() or v.encrypted]
    chosen = plain[0] if plain else (with_text[-1] if with_text else (versions[0] if versions else None))
    if chosen is not None:
        body.texts.extend(chosen.texts)
        body.attachments.extend(chosen.attachments)
        body.encrypted = body.encrypted or chosen.encrypted


def _payload(part: email.message.Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError, AssertionError):
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _charset(part: email.message.Message) -> str | None:
    try:
        return part.get_content_charset()
    except (ValueError, IndexError, TypeError, LookupError):
        return None


def _disposition(part: email.message.Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except (ValueError, IndexError, TypeError):
        return ""


def _filename(part: email.message.Message) -> str:
    try:
        name = part.get_filename() or ""
    except (ValueError, IndexError, TypeError, LookupError):
        name = ""
    if not isinstance(name, str):
        return ""
    name = collapse(decode_words(unsurrogate(name)))
    return name.replace("\\", "/").rsplit("/", 1)[-1][:120]


def _attachment(part: email.message.Message, content_type: str, filename: str = "") -> Attachment:
    if content_type == "message/rfc822" or part.is_multipart():
        inner = part.get_payload(0) if part.is_multipart() else None
        size = 0
        subject = ""
        if isinstance(inner, email.message.Message):
            subject = collapse(decode_words(Headers(inner).raw("Subject")))
            size = _serialised_size(inner)
        name = _filename(part) or (f"{subject[:100]}.eml" if subject else "forwarded message.eml")
        return Attachment(name=name, size=size, content_type=content_type)
    return Attachment(name=filename or f"unnamed {content_type}", size=len(_payload(part)), content_type=content_type)


def _serialised_size(message: email.message.Message) -> int:
    """The size of a forwarded message, 0 when it cannot be told: serialising walks the MIME tree recursively, so
    a tree deeper than `MAX_DEPTH` (found without recursion) is not serialised at all."""
    stack = [(message, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return 0
        payload = node.get_payload()
        if isinstance(payload, list):
            stack.extend((child, depth + 1) for child in payload if isinstance(child, email.message.Message))
    try:
        return len(message.as_bytes())
    except (ValueError, TypeError, LookupError, UnicodeError, AttributeError, RecursionError):
        return 0


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes" if size != 1 else "1 byte"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"
