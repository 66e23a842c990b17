"""Value cleaners: the one place where anything a platform sends becomes a value we can store.

Adapters read their payloads with these (an id that may come as a number, a time as epoch or ISO
text), and `mention_clean` cleans each `IncomingMention` an adapter makes, once, at the boundary
between channels and intake (channels.adapters.guard.parse_each), so an item that reaches the
database holds only storable values: no NUL, no lone surrogate, no NaN or infinity, a time
inside the range a mention can have, ids and URLs of bounded length. A value that cannot be
cleaned becomes "empty" (``""``, ``None``); a mention that is unusable without it (no id, no
time) raises `Unstorable`, which the poll turns into a quarantined item instead of a stalled
channel. Intake takes a cleaned mention as it is; one that did not come through here (built by
hand: a test, a script) is cleaned by `mention_storable` when it reaches intake, so every stored
mention is cleaned exactly once.

The functions never raise on a wrong type: a platform that sends a number where a string was
documented, or a list where an object was, gets the empty value, not a traceback.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from advocacy.fetch_guard import link_refusal
from channels.text import safe_url

if TYPE_CHECKING:
    from channels.adapters.base import IncomingMention, Media

# Lengths of the columns the values end up in (mentions.Message / Ticket); a longer id or URL
# is not an id or URL we can match or link to, so it is dropped rather than cut.
ID_MAX = 200
URL_MAX = 1000
HANDLE_MAX = 200
NAME_MAX = 200
TITLE_MAX = 300
TEXT_MAX = 100_000
# A mention is never older than the web nor more than a day in the future (clock skew); outside
# that the platform's time is wrong, and date arithmetic near year 1 or 9999 overflows.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
# Raw payloads are kept for reference; a structure deeper than this is cut (a hostile or broken
# payload nested thousands deep would otherwise exhaust the stack wherever it is walked).
RAW_MAX_DEPTH = 32

_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Unstorable(ValueError):
    """An item whose essential values (id, time) cannot be cleaned: it is quarantined."""


def text(value: Any, *, max_length: int = TEXT_MAX) -> str:
    """A string without NUL or lone surrogates, stripped, at most `max_length` characters; ""
    for anything that is not a string (numbers are not silently turned into text)."""
    return text_exact(value).strip()[:max_length] if isinstance(value, str) else ""


def line(value: Any, *, max_length: int = NAME_MAX) -> str:
    """One line of text (a name, a handle, a subject): control characters and line breaks
    become spaces."""
    cleaned = text(value, max_length=max_length * 2)
    cleaned = _CONTROL.sub("", cleaned).replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return " ".join(cleaned.split())[:max_length].rstrip()  # a cut after a space: cleaning again changes nothing


def ident(value: Any, *, max_length: int = ID_MAX) -> str:
    """A platform id as a string: strings and whole numbers are accepted (JSON ids come as
    both), booleans, floats and containers are not. "" if unusable."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        value = str(value)
    elif isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            return ""
        value = str(int(value))
    if not isinstance(value, str):
        return ""
    cleaned = line(value, max_length=max_length + 1)
    return cleaned if cleaned and len(cleaned) <= max_length else ""


def handle(value: Any) -> str:
    return line(value, max_length=HANDLE_MAX)


def url(value: Any) -> str:
    """An http(s)/mailto URL we are willing to link to, else "". Whitespace or control
    characters inside make it no URL at all (they hide where a link goes)."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if not value or len(value) > URL_MAX or _CONTROL.search(value) or _SURROGATES.search(value):
        return ""
    if any(c.isspace() for c in value):
        return ""
    return safe_url(value)


def number(value: Any) -> float | None:
    """A finite number from a JSON value or a numeric string; None for booleans, NaN, infinity,
    text and containers."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        if len(value) > 40:  # int("9" * 5000) is slow by design in Python; no count is that long
            return None
        value = value.strip()
    elif not isinstance(value, int | float):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return result if math.isfinite(result) else None


def whole(value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """A whole number (2, 2.0, "2"), optionally within bounds; None otherwise."""
    result = number(value)
    if result is None or result != int(result):
        return None
    result_int = int(result)
    if (minimum is not None and result_int < minimum) or (maximum is not None and result_int > maximum):
        return None
    return result_int


def in_range(moment: datetime | None, *, now: datetime | None = None) -> datetime | None:
    """An aware datetime inside the range a mention can have, else None."""
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        return None
    latest = (now or datetime.now(UTC)) + FUTURE_SLACK
    try:
        return moment if EARLIEST <= moment <= latest else None
    except OverflowError:
        return None


def epoch(value: Any) -> datetime | None:
    """A Unix time in seconds (int, float or numeric string) as an aware UTC datetime in range."""
    seconds = number(value)
    if seconds is None:
        return None
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return in_range(moment)


def iso_time(value: Any) -> datetime | None:
    """An ISO 8601 time ("2024-05-01T10:00:00Z", with offset or fraction) in range; a time
    without a zone is read as UTC (platforms that omit it mean UTC)."""
    if not isinstance(value, str) or not 10 <= len(value.strip()) <= 40:
        return None
    candidate = value.strip()
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return in_range(moment)


def mapping(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one: lets a parser read nested fields
    (`mapping(item.get("author")).get("name")`) without a type check at every step."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    """The value if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def objects(value: Any) -> list[dict[str, Any]]:
    """The JSON objects of an array (other members skipped)."""
    return [v for v in items(value) if isinstance(v, dict)]


def strings(value: Any, *, max_length: int = NAME_MAX) -> list[str]:
    """The non-empty strings of an array, each cleaned as one line."""
    return [s for s in (line(v, max_length=max_length) for v in items(value)) if s]


def raw(value: Any, *, depth: int = 0) -> Any:
    """A JSON-storable copy of a raw payload: NUL and lone surrogates removed from every string
    (keys included), NaN/infinity as null, nesting cut at RAW_MAX_DEPTH, non-JSON types as text."""
    if depth > RAW_MAX_DEPTH:
        return "…"
    if isinstance(value, str):
        return text_exact(value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {text_exact(str(k)): raw(v, depth=depth + 1) for k, v in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, bytes | bytearray):
        return [raw(v, depth=depth + 1) for v in value]
    return text_exact(str(value))


def text_exact(value: str) -> str:
    """`value` without NUL and lone surrogates, otherwise unchanged (no strip, no cut)."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    if _SURROGATES.search(value):
        value = _SURROGATES.sub("\ufffd", value)
    return value


def _handles(value: Any) -> tuple[str, ...]:
    """Distinct non-empty handles, in order, at most 100 (a post names a few)."""
    cleaned = (handle(candidate).lstrip("@") for candidate in (value if isinstance(value, list | tuple) else ()))
    return tuple(dict.fromkeys(h for h in cleaned if h))[:100]


def mention_clean(mention: IncomingMention) -> IncomingMention:
    """The mention with every field storable, marked `cleaned`, or `Unstorable` naming what is missing.

    Runs over every item an adapter's parser makes (channels.adapters.guard), whatever the parser did,
    so a parser's oversight can cost one field, never the channel."""
    external_id = ident(mention.external_id)
    if not external_id:
        raise Unstorable(f"no usable id (got {str(mention.external_id)[:80]!r})")
    created_at = in_range(mention.created_at)
    if created_at is None:
        raise Unstorable(f"item {external_id}: no usable time (got {str(mention.created_at)[:40]!r})")
    related = tuple(r for r in (ident(r) for r in mention.related_ids or ()) if r)
    hint = mention.ticket_hint
    cleaned = replace(
        mention,
        external_id=external_id,
        created_at=created_at,
        text=text(mention.text),
        author_handle=handle(mention.author_handle),
        author_name=line(mention.author_name),
        author_url=url(mention.author_url),
        permalink=url(mention.permalink),
        title=line(mention.title, max_length=TITLE_MAX),
        parent_id=ident(mention.parent_id),
        thread_id=ident(mention.thread_id),
        related_ids=related,
        ticket_hint=hint if isinstance(hint, int) and not isinstance(hint, bool) and 0 < hint < 2**31 else None,
        deleted=mention.deleted is True,
        edited_at=in_range(mention.edited_at),
        by_us=mention.by_us is True,
        accepted_answer=mention.accepted_answer is True,
        private=mention.private is True,
        mentioned=_handles(mention.mentioned),
        media=media_clean(mention.media),
        **_audience(mention),
        raw=raw(mention.raw) if isinstance(mention.raw, dict) else {},
    )
    object.__setattr__(cleaned, "cleaned", True)  # frozen: the one place the mark is set
    return cleaned


MEDIA_MAX = 10
MEDIA_KINDS = ("image", "video", "gif", "audio", "file")


def _public(link: str) -> str:
    """`link` unless it names this machine or a private network in any spelling a browser reads (``localhost``,
    127.0.0.1, 2130706433, 0x7f.1, [::ffff:127.0.0.1], full-width digits, a user name before the host...): an
    attachment's link is the author's to choose, and one pointing inside the advocate's network would make their
    click a request to it. Nothing is resolved (advocacy.fetch_guard.link_refusal)."""
    return "" if link_refusal(link) else link


def media_clean(items: Any) -> tuple[Media, ...]:
    """The attachments worth keeping: a known kind (else "file"), an http(s) link, the author's description as one
    line; at most MEDIA_MAX (a post with a hundred attachments is not a hundred links on the ticket)."""
    from channels.adapters.base import Media  # the adapters' base imports this module

    kept: list[Media] = []
    for item in items if isinstance(items, (list, tuple)) else ():
        link = _public(url(getattr(item, "url", "")))
        if not isinstance(item, Media) or not link.startswith(("https://", "http://")):
            continue
        kind = item.kind if item.kind in MEDIA_KINDS else "file"
        preview = _public(url(item.preview_url))
        preview = preview if preview.startswith(("https://", "http://")) else ""
        kept.append(Media(kind=kind, url=link, preview_url=preview, alt=line(item.alt, max_length=500)))
        if len(kept) == MEDIA_MAX:
            break
    return tuple(kept)


def media_stored(media: Iterable[Media]) -> list[dict[str, str]]:
    """The attachments as `Message.media` keeps them."""
    return [{"kind": m.kind, "url": m.url, "preview_url": m.preview_url, "alt": m.alt} for m in media]


# What an author's audience counts (people.models.AudienceKind has the same values).
AUDIENCE_KINDS = ("followers", "karma", "reputation")
# No platform counts beyond this; a larger number is not an audience (and would not fit a bigint).
AUDIENCE_MAX = 2**53


def _audience(mention: IncomingMention) -> dict[str, Any]:
    """The author's audience and its kind, both or neither: a count without a known kind says nothing."""
    count = whole(mention.author_audience, minimum=0, maximum=AUDIENCE_MAX)
    if count is None or mention.author_audience_kind not in AUDIENCE_KINDS:
        return {"author_audience": None, "author_audience_kind": ""}
    return {"author_audience": count, "author_audience_kind": mention.author_audience_kind}


def mention_storable(mention: IncomingMention) -> IncomingMention:
    """The mention as intake stores it: itself when `mention_clean` made it, else `mention_clean`'s result
    (a mention built by hand). Either way it is cleaned exactly once."""
    return mention if mention.cleaned else mention_clean(mention)


def keys_shown(keys: Iterable[Any], most: int = 10) -> str:
    """The keys of an object that is not what was expected, for the error that says so: sorted, each one line,
    `most` at most."""
    return ", ".join(sorted({line(str(k), max_length=40) for k in keys})[:most])


_PREVIEW = reprlib.Repr()  # Python 3.11: limits are attributes, not constructor arguments
_PREVIEW.maxlevel, _PREVIEW.maxstring, _PREVIEW.maxother = 3, 120, 120


def preview(value: Any, length: int = 120) -> str:
    """A short one-line form of any JSON value, for error messages and logs. Depth-limited:
    `str` of a list nested thousands deep raises RecursionError."""
    return line(_PREVIEW.repr(value), max_length=length)
