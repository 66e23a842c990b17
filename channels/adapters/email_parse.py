"""Reading one RFC 5322 message (an .eml file, or what IMAP returns for ``BODY.PEEK[]``) into an IncomingMention.

Mail is hostile input: any byte can arrive in any header, charsets are misnamed or unknown, MIME trees are
broken. Nothing here raises on bad input; what cannot be decoded is replaced, and the message still becomes a
mention an advocate can read. Headers are read raw (``Message.raw_items()``) and decoded here, so one malformed
header never takes the whole message down with the standard library's header parser.

Fields (see channel-apis.md, "7. Email over IMAP"):

* ``external_id``: the Message-ID without ``<>``; when there is none, ``sha256:<hash of the raw bytes>`` (line
  endings normalised to LF first, so the .eml on disk and the same message over IMAP hash alike). A Message-ID
  longer than the column (200) becomes ``msgid-sha256:<hash of the id>``, the same everywhere it is referenced.
* ``parent_id``: the first id of ``In-Reply-To`` (comments such as ``(Lars's message of ...)`` removed); when the
  header is missing, the last id of ``References`` (RFC 5322 3.6.4: the parent comes last).
* ``thread_id``: the first id of ``References`` (the root); ``related_ids``: the other References ids, nearest
  (last) first. The ingest joins the first of parent, thread, related that is in a ticket.
* ``ticket_hint``: N from ``[#N]`` in the Subject, which our own replies carry.
* ``text``: the text/plain part; an HTML-only message goes through ``channels.text.html_to_text`` (scripts
  dropped, only http/https/mailto links kept). Attachments are listed, never inlined: ``Attachments: a.pdf
  (12 KB), b.png (3 KB)``. PGP/MIME signatures are dropped; an encrypted message says so.
* ``created_at``: the Date header in UTC; INTERNALDATE when Date is missing, unreadable or implausible (before
  1990 or more than a day after INTERNALDATE/now); else now.
* ``raw``: the interesting headers decoded, the attachment list, INTERNALDATE and the size; never the body.

Automated mail never opens a ticket (``skip_reason`` says why): ``Auto-Submitted`` other than ``no`` (RFC 3834),
``Precedence: bulk`` or ``junk``, ``multipart/report`` (delivery and read reports), MAILER-DAEMON or postmaster
as sender, a null ``Return-Path: <>``, ``X-Failed-Recipients``, ``X-Autoreply``/``X-Autorespond``.

``Precedence: list`` is *not* a skip reason here: it marks mail a person wrote to a mailing list (RFC 3834 asks
auto-responders not to answer it, it is not automated), and real threads carry it on some messages and not on
others (the notmuch fixtures), so dropping it would split conversations. ``mailing_list`` reports it, and the
channel setting ``skip_list_mail`` drops such mail when polling.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email
import email.message
import email.policy
import email.utils
import hashlib
import logging
import quopri
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from channels.text import clean_text, html_to_text

from .base import IncomingMention

logger = logging.getLogger(__name__)

EXTERNAL_ID_MAX = 200  # mentions.Message.external_id
MAX_BODY_CHARS = 100_000
MAX_ATTACHMENTS_LISTED = 20
MAX_REFERENCES = 50  # the root and the nearest ones are kept
MAX_DEPTH = 25  # MIME nesting followed before giving up on a branch
RAW_HEADERS = (
    "From",
    "To",
    "Cc",
    "Reply-To",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
    "Precedence",
    "List-Id",
)
_RAW_HEADER_MAX = 2000
_EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)
_SIGNATURE_TYPES = {"application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature"}
_BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}
_NO_CHARSET = {"", "unknown", "unknown-8bit", "x-unknown", "8bit", "default", "x-user-defined", "none"}

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_TICKET_HINT = re.compile(r"\[#(\d{1,9})\]")
_BRACKETED_ID = re.compile(r"<\s*([^<>]*?)\s*>")
_BARE_ADDRESS = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Attachment:
    name: str
    size: int
    content_type: str

    def label(self) -> str:
        return f"{self.name} ({format_size(self.size)})"


@dataclass(frozen=True)
class ParsedEmail:
    """Everything read from one message. ``skip_reason`` is non-empty for automated mail (no ticket)."""

    mention: IncomingMention
    skip_reason: str = ""
    mailing_list: str = ""  # the List-Id, or "Precedence: list"
    attachments: tuple[Attachment, ...] = ()


def parse_message(raw: bytes, *, internaldate: datetime | None = None) -> IncomingMention | None:
    """The mention for one message, or None for an auto-reply, bounce or bulk mail."""
    parsed = read_message(raw, internaldate=internaldate)
    if parsed.skip_reason:
        return None
    return parsed.mention


def read_message(raw: bytes, *, internaldate: datetime | None = None, now: datetime | None = None) -> ParsedEmail:
    """Parse one message, automated or not. Never raises on bad input."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    now = now or datetime.now(tz=UTC)
    headers = _Headers(msg)

    message_ids = msg_ids(headers.raw("Message-ID"))
    external_id = id_key(message_ids[0]) if message_ids else raw_hash(raw)
    in_reply_to = [id_key(i) for i in msg_ids(headers.raw("In-Reply-To"))]
    references = _dedupe([id_key(i) for i in msg_ids(headers.raw("References"))], drop={external_id})
    if len(references) > MAX_REFERENCES:
        references = [references[0], *references[-(MAX_REFERENCES - 1) :]]
    parent_id = next((i for i in in_reply_to if i != external_id), "") or (references[-1] if references else "")
    thread_id = references[0] if references else ""
    related = tuple(i for i in reversed(references) if i not in (parent_id, thread_id))

    subject = collapse(headers.text("Subject"))
    hint = _TICKET_HINT.search(subject)
    author_name, author_address = headers.address("From")
    if not author_address:
        author_name, author_address = headers.address("Sender")

    body = _Body()
    _walk(msg, body, depth=0)
    text = body.text()

    attachments = tuple(body.attachments)
    raw_dict: dict[str, Any] = {name: value for name in RAW_HEADERS if (value := headers.text(name)[:_RAW_HEADER_MAX])}
    raw_dict["attachments"] = [{"name": a.name, "size": a.size, "content_type": a.content_type} for a in attachments]
    raw_dict["size"] = len(raw)
    if internaldate is not None:
        raw_dict["internaldate"] = internaldate.astimezone(UTC).isoformat()

    mention = IncomingMention(
        external_id=external_id,
        created_at=_created_at(headers.text("Date"), internaldate=internaldate, now=now),
        text=text,
        author_handle=author_address,
        author_name=author_name,
        author_url="",
        permalink="",
        title=subject,
        parent_id=parent_id,
        thread_id=thread_id,
        related_ids=related,
        ticket_hint=int(hint.group(1)) if hint else None,
        raw=raw_dict,
    )
    precedence = headers.text("Precedence").strip().lower()
    list_id = collapse(headers.text("List-Id"))
    return ParsedEmail(
        mention=mention,
        skip_reason=automated_reason(msg, headers, author_address),
        mailing_list=list_id or ("Precedence: list" if precedence == "list" else ""),
        attachments=attachments,
    )


def automated_reason(msg: email.message.Message, headers: _Headers, author_address: str) -> str:
    """Why this message was written by a machine (auto-reply, bounce, bulk), or "" when a person wrote it."""
    auto = headers.text("Auto-Submitted").split(";", 1)[0].strip().lower()
    if auto and auto != "no":
        return f"auto-reply (Auto-Submitted: {auto})"
    for name in ("X-Autoreply", "X-Autorespond"):
        value = headers.text(name).strip().lower()
        if headers.has(name) and value not in ("no", "false", "0"):
            return f"auto-reply ({name}: {value or 'present'})"
    precedence = headers.text("Precedence").strip().lower()
    if precedence in ("bulk", "junk"):
        return f"bulk mail (Precedence: {precedence})"
    content_type = msg.get_content_type()
    if content_type in ("multipart/report", "message/delivery-status", "message/disposition-notification"):
        report = _param(msg, "report-type")
        return f"bounce or receipt ({content_type}{f'; report-type={report}' if report else ''})"
    local = author_address.split("@", 1)[0]
    if local in _BOUNCE_SENDERS:
        return f"bounce (From: {author_address})"
    if headers.has("X-Failed-Recipients"):
        return "bounce (X-Failed-Recipients)"
    if headers.has("Return-Path") and headers.text("Return-Path").replace(" ", "") == "<>":
        return "bounce or notification (null sender, Return-Path: <>)"
    return ""


# --- headers ---------------------------------------------------------------------------


class _Headers:
    """Raw header values of one message, decoded on demand without the policy's header parser."""

    def __init__(self, msg: email.message.Message) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in msg.raw_items():
            self._values.setdefault(str(name).strip().lower(), []).append(value if isinstance(value, str) else "")

    def has(self, name: str) -> bool:
        return name.lower() in self._values

    def raw(self, name: str) -> str:
        values = self._values.get(name.lower())
        return unfold(unsurrogate(values[0])) if values else ""

    def text(self, name: str) -> str:
        return decode_words(self.raw(name))

    def address(self, name: str) -> tuple[str, str]:
        """(display name, lowercased address) of the first address in a header."""
        value = self.raw(name)
        if not value:
            return "", ""
        try:
            display, address = email.utils.parseaddr(value)
        except (ValueError, IndexError, TypeError):
            display, address = "", ""
        if "@" not in address:
            match = _BARE_ADDRESS.search(value)
            address = match.group(0) if match else address
            display = display if match else collapse(decode_words(value))
        display = collapse(decode_words(display)).strip("\"' ")
        address = _CONTROL.sub("", address).strip().lower()
        return display, address


def unsurrogate(value: str) -> str:
    """Raw 8-bit header bytes (kept as surrogate escapes by the parser) decoded as UTF-8, else Windows-1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return decode_bytes(value.encode("utf-8", "surrogateescape"), None)


def unfold(value: str) -> str:
    return re.sub(r"\r?\n(?=[ \t])", "", value).replace("\r", "").replace("\n", " ")


def collapse(value: str) -> str:
    return " ".join(_CONTROL.sub("", value).split())


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words; adjacent words in one charset are joined before decoding, since mailers
    split multi-byte characters across them, and the whitespace between encoded words is dropped."""
    if "=?" not in value:
        return value
    pieces: list[tuple[bytes, str] | str] = []
    pos = 0
    previous_was_word = False
    for match in _ENCODED_WORD.finditer(value):
        between = value[pos : match.start()]
        if not (previous_was_word and not between.strip()):
            pieces.append(between)
        charset = match.group(1).split("*", 1)[0]  # RFC 2231 language suffix: utf-8*en
        data = _decode_word_bytes(match.group(2).upper(), match.group(3))
        if data is None:
            pieces.append(match.group(0))
            previous_was_word = False
        else:
            last = pieces[-1] if pieces else None
            if isinstance(last, tuple) and last[1].lower() == charset.lower():
                pieces[-1] = (last[0] + data, last[1])
            else:
                pieces.append((data, charset))
            previous_was_word = True
        pos = match.end()
    pieces.append(value[pos:])
    return "".join(p if isinstance(p, str) else decode_bytes(p[0], p[1]) for p in pieces)


def _decode_word_bytes(encoding: str, text: str) -> bytes | None:
    try:
        if encoding == "B":
            return base64.b64decode(text + "=" * (-len(text) % 4))
        return quopri.decodestring(text.replace("_", " ").encode("ascii", "replace"), header=True)
    except (binascii.Error, ValueError):
        return None


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text from bytes in a declared charset, tolerating lies: an unknown or missing charset tries UTF-8, then
    Windows-1252, then Latin-1 (which never fails); a known charset replaces what does not decode."""
    codec = _codec(charset)
    if codec and codec not in ("ascii", "utf-8"):
        try:
            return data.decode(codec, errors="replace")
        except LookupError:  # a bytes-to-bytes codec ("zlib_codec", "base64") is no charset
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if codec == "utf-8":
        return data.decode("utf-8", errors="replace")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _codec(charset: str | None) -> str:
    name = (charset or "").strip().strip("\"'").lower()
    if name in _NO_CHARSET:
        return ""
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return ""


def msg_ids(value: str) -> list[str]:
    """The ids of a Message-ID, In-Reply-To or References header, in order, without ``<>``, comments removed."""
    if not value:
        return []
    found = _ids_in(strip_comments(value)) or _ids_in(value)
    if not found:  # broken mailers write ids without angle brackets
        found = [token for token in value.split() if "@" in token and "(" not in token and '"' not in token]
    return found


def _ids_in(value: str) -> list[str]:
    ids = []
    for match in _BRACKETED_ID.finditer(value):
        ident = "".join(match.group(1).split())
        if ident:
            ids.append(_CONTROL.sub("", ident))
    return ids


def strip_comments(value: str) -> str:
    """Remove RFC 5322 comments ``(...)`` (nested, with quoted pairs), leaving quoted strings alone."""
    out: list[str] = []
    depth = 0
    quoted = False
    escaped = False
    for ch in value:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(ch)
            continue
        if ch == "\\":
            escaped = True
            if depth == 0:
                out.append(ch)
            continue
        if depth == 0 and ch == '"':
            quoted = not quoted
            out.append(ch)
        elif quoted:
            out.append(ch)
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def id_key(message_id: str) -> str:
    """A Message-ID as stored: itself, or a hash when it is longer than the external id column."""
    if len(message_id) <= EXTERNAL_ID_MAX:
        return message_id
    return "msgid-sha256:" + hashlib.sha256(message_id.encode("utf-8", "surrogatepass")).hexdigest()


def raw_hash(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()


def _dedupe(ids: list[str], *, drop: set[str]) -> list[str]:
    seen = set(drop)
    out = []
    for ident in ids:
        if ident not in seen:
            seen.add(ident)
            out.append(ident)
    return out


def _created_at(value: str, *, internaldate: datetime | None, now: datetime) -> datetime:
    reference = internaldate or now
    parsed: datetime | None = None
    if value.strip():
        try:
            parsed = email.utils.parsedate_to_datetime(value.strip())
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed = None
    if parsed is not None:
        if parsed.tzinfo is None:  # "-0000": the time is UTC, the zone unknown (RFC 5322 3.3)
            parsed = parsed.replace(tzinfo=UTC)
        try:
            parsed = parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            parsed = None
    if parsed is not None and _EARLIEST_DATE <= parsed <= reference + timedelta(days=1):
        return parsed
    if internaldate is not None:
        return internaldate.astimezone(UTC)
    return now


def _param(msg: email.message.Message, name: str) -> str:
    try:
        value = msg.get_param(name)
    except (ValueError, IndexError, TypeError):
        return ""
    return collapse(str(value)) if isinstance(value, str) else ""


# --- body ------------------------------------------------------------------------------


@dataclass
class _Body:
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
        return clean_text(text)


def _walk(part: email.message.Message, body: _Body, *, depth: int) -> None:
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
                _walk(children[0], body, depth=depth + 1)
        elif subtype == "alternative":
            _alternative(children, body, depth=depth)
        else:
            for child in children:
                _walk(child, body, depth=depth + 1)
        return
    disposition = _disposition(part)
    filename = _filename(part)
    if content_type in _SIGNATURE_TYPES or content_type == "application/pgp-encrypted":
        return
    if content_type == "application/pkcs7-mime" and _param(part, "smime-type").lower() == "enveloped-data":
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


def _alternative(children: list[email.message.Message], body: _Body, *, depth: int) -> None:
    """multipart/alternative: the text/plain version when it has text, else the richest one that has text."""
    versions: list[_Body] = []
    for child in children:
        version = _Body()
        _walk(child, version, depth=depth + 1)
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
            subject = collapse(decode_words(_Headers(inner).raw("Subject")))
            try:
                size = len(inner.as_bytes())
            except (ValueError, TypeError, LookupError, UnicodeError, AttributeError):
                size = 0
        name = _filename(part) or (f"{subject[:100]}.eml" if subject else "forwarded message.eml")
        return Attachment(name=name, size=size, content_type=content_type)
    return Attachment(name=filename or f"unnamed {content_type}", size=len(_payload(part)), content_type=content_type)


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes" if size != 1 else "1 byte"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


# --- files -----------------------------------------------------------------------------

_MBOX_SEPARATOR = re.compile(rb"(?:\A|\r?\n)From [^\r\n]*\r?\n")


def split_messages(data: bytes) -> list[bytes]:
    """One .eml, or an mbox (messages each after a ``From `` line; ``>From`` quoting left as it is)."""
    if not data.startswith(b"From "):
        return [data]
    return [chunk for chunk in _MBOX_SEPARATOR.split(data) if chunk.strip()]


_HEADER_LINE = re.compile(rb"[A-Za-z][A-Za-z0-9-]*[ \t]*:")
_KNOWN_HEADER = re.compile(
    rb"(?im)^(from|to|cc|subject|date|message-id|received|return-path|mime-version|delivered-to|sender)[ \t]*:"
)


def looks_like_message(raw: bytes) -> bool:
    """Header lines first, one of them a header every message has: not a JSON file, not an empty one."""
    head = raw.lstrip()[:65536].replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    return bool(_HEADER_LINE.match(head) and _KNOWN_HEADER.search(head))
