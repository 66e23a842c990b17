"""Reading one RFC 5322 message (an .eml file, or what IMAP returns for ``BODY.PEEK[]``) into an IncomingMention.

Mail is hostile input: any byte can arrive in any header, charsets are misnamed or unknown, MIME trees are
broken. Nothing here raises on bad input; what cannot be decoded is replaced, and the message still becomes a
mention an advocate can read. Headers are read raw (``Message.raw_items()``) and decoded here, so one malformed
header never takes the whole message down with the standard library's header parser.

Fields (docs/platforms/email.md):

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

import email
import email.parser
import email.policy
import email.utils
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from channels import clean

from ..base import IncomingMention
from .automated import automated_reason
from .body import Attachment, Body, walk
from .headers import Headers, collapse, dedupe, id_key, msg_ids, raw_hash, strip_comments

logger = logging.getLogger(__name__)

MAX_REFERENCES = 50  # the root and the nearest ones are kept
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
_TICKET_HINT = re.compile(r"\[#(\d{1,9})\]")


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
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except RecursionError:
        # The standard parser recurses once per MIME level: a tree thousands deep is read as headers and a body
        # of plain text (the advocate sees the raw MIME), never a crash.
        msg = email.parser.BytesParser(policy=email.policy.default).parsebytes(raw, headersonly=True)
    now = now or datetime.now(tz=UTC)
    headers = Headers(msg)

    message_ids = msg_ids(headers.raw("Message-ID"))
    external_id = id_key(message_ids[0]) if message_ids else raw_hash(raw)
    in_reply_to = [id_key(i) for i in msg_ids(headers.raw("In-Reply-To"))]
    references = dedupe([id_key(i) for i in msg_ids(headers.raw("References"))], drop={external_id})
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

    body = Body()
    walk(msg, body, depth=0)
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


def _created_at(value: str, *, internaldate: datetime | None, now: datetime) -> datetime:
    internaldate = clean.in_range(internaldate, now=now)  # a server's year 1 or 9999 is no time either
    reference = internaldate or now
    parsed: datetime | None = None
    value = strip_comments(value)  # "00:19:00 (EDT) -0400": a comment before the zone would lose the zone
    if value.strip():
        try:
            parsed = email.utils.parsedate_to_datetime(" ".join(value.split()))
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


# --- files

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
