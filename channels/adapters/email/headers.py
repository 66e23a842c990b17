"""Header values of one message, read raw and decoded here: RFC 2047 encoded words (split multi-byte characters
joined), raw 8-bit bytes (UTF-8, else Windows-1252), folded lines, comments, and the Message-ID family.

Headers are read from ``Message.raw_items()`` rather than through the policy's header parser, so one malformed
header never takes the whole message down. Nothing here raises on bad input.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email.message
import email.utils
import hashlib
import quopri
import re

EXTERNAL_ID_MAX = 200  # mentions.Message.external_id
_NO_CHARSET = {"", "unknown", "unknown-8bit", "x-unknown", "8bit", "default", "x-user-defined", "none"}

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BRACKETED_ID = re.compile(r"<\s*([^<>]*?)\s*>")
_BARE_ADDRESS = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Headers:
    """Raw header values of one message, decoded on demand without the policy's header parser."""

    def __init__(self, msg: email.message.Message) -> None:
        self._values: dict[str, list[str]] = {}
        # Raw 8-bit header bytes that are not UTF-8 are most often in the charset the body declares (GB2312, KOI8-R).
        try:
            self._charset = msg.get_content_charset() or None
        except (ValueError, IndexError, TypeError, LookupError):
            self._charset = None
        for name, value in msg.raw_items():
            self._values.setdefault(str(name).strip().lower(), []).append(value if isinstance(value, str) else "")

    def has(self, name: str) -> bool:
        return name.lower() in self._values

    def raw(self, name: str) -> str:
        values = self._values.get(name.lower())
        return unfold(unsurrogate(values[0], self._charset)) if values else ""

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


def unsurrogate(value: str, charset: str | None = None) -> str:
    """Raw 8-bit header bytes (kept as surrogate escapes by the parser) decoded as UTF-8, else in the message's
    declared ``charset`` when it is a real one other than UTF-8, else Windows-1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    data = value.encode("utf-8", "surrogateescape")
    if _codec(charset) in ("", "ascii", "utf-8"):
        return decode_bytes(data, None)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return decode_bytes(data, charset)


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
        except (LookupError, UnicodeError):  # "zlib_codec", "base64" are no charsets; "idna" refuses "replace"
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
    return [_CONTROL.sub("", ident) for m in _BRACKETED_ID.finditer(value) if (ident := "".join(m.group(1).split()))]


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


def dedupe(ids: list[str], *, drop: set[str]) -> list[str]:
    return [ident for ident in dict.fromkeys(ids) if ident not in drop]


def param(msg: email.message.Message, name: str) -> str:
    try:
        value = msg.get_param(name)
    except (ValueError, IndexError, TypeError):
        return ""
    return collapse(str(value)) if isinstance(value, str) else ""
