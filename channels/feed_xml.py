"""RSS and Atom bodies read within bounds: the one way the desk hands a feed to feedparser, for the feed channels
(channels/adapters/feed) and for the status pages' and the release blog's feeds (stories.incidents, stories.releases).

feedparser reads whatever it is given, all of it, in Python: on 2 vCPUs about ten thousand elements a second, and its
HTML sanitiser and link resolver as slow again for each tag in an entry's text. Fuzzing the readers (issue 69) found a
4 MB feed of nested elements that took 54 s and 333 MB, and an unknown `encoding=` that raised LookupError out of
them (the poll then said "Internal error"). So a body goes through three steps before feedparser sees it:

1. **Its encoding.** An encoding its XML declaration names and Python does not know is refused (`FeedRefused`).
   Otherwise the body is decoded as feedparser decodes it (its own `convert_to_utf8`: the byte order mark, the
   declaration and the Content-Type's charset, by RFC 3023's rules) into UTF-8, whose declaration then says so.
2. **One pass of expat** (C), with defusedxml's rules (the same three handlers as `defusedxml.expatreader`: no entity
   declaration, no external entity, no unparsed entity, so a "billion laughs" never reaches feedparser), counting as
   it reads. The body is cut short after the last whole entry that fits: at most `limit` entries (the readers keep
   no more), elements nested at most MAX_DEPTH deep, and at most MAX_MARKUP pieces of markup (elements, their
   attributes, and tags written in text, escaped or in CDATA, which the HTML-to-text pass reads). The elements still
   open where it is cut are closed, so what is left is as well-formed as the body was. A body whose first entry
   alone is over the bounds is refused.
3. **A body expat cannot read** (not well-formed: a stray `&` is the usual cause, and feedparser's lenient reader
   copes with most) is cut the same way by counting its bytes (`<` and `&`), within MAX_MARKUP_LENIENT, since the
   lenient reader is slower than the strict one per tag.

Then feedparser reads the UTF-8 from a stream (given a string it would open a file of that name, or fetch a URL),
without its sanitiser and link resolver: the desk never shows a feed's HTML, it keeps text (channels.text.
html_to_text drops scripts and styles, keeps http(s) links only, and resolves relative ones against the `base`
feedparser gives each text). bench/feed_hostile.py measures the hostile shapes at each reader's size cap.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from typing import Any, NoReturn
from xml.parsers import expat

import feedparser

# Honest feeds nest a few levels (rss > channel > item > field), an XHTML entry's text a dozen more.
MAX_DEPTH = 64
# A hundred entries of ten fields with a few dozen tags of text each is a few thousand; feedparser and the
# HTML-to-text pass take about a second on 2 vCPUs for this many, in the costliest shape (bench/feed_hostile.py).
MAX_MARKUP = 10_000
MAX_MARKUP_LENIENT = 5_000
ENTRIES = frozenset({"item", "entry"})  # RSS's and Atom's, whatever their prefix
_DECLARED = re.compile(rb"""\A(?:\xef\xbb\xbf)?\s*<\?xml\s[^>]{0,300}?\bencoding\s*=\s*["']([^"'>]{0,100})["']""")
_LENIENT_ENTRY = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s/>]", re.IGNORECASE)
_LENIENT_MARKUP = re.compile(rb"[<&]")


class FeedRefused(ValueError):
    """The body is not read at all; the message says why in a few words (lower case, no full stop)."""


@dataclass(frozen=True)
class FeedParsed:
    """feedparser's answer for the part of the body read, and why only part of it was ("" when all of it was, or
    when only the readers' own `limit` of entries cut it)."""

    result: Any  # feedparser.FeedParserDict
    cut: str = ""


def feed_parse(body: bytes, *, content_type: str = "", base: str = "", limit: int) -> FeedParsed:
    """feedparser's reading of an RSS or Atom body, its first `limit` entries at most, within the bounds above.
    `base` is the feed's address, which relative links resolve against. Raises FeedRefused."""
    headers = {"content-type": content_type} if content_type else {}
    if base:
        headers["content-location"] = base
    name = _encoding_check(body)
    decoding: dict[str, Any] = {}
    try:
        data = feedparser.encodings.convert_to_utf8(headers, body, decoding)
    except UnicodeError:  # a codec that fails otherwise than feedparser expects ("punycode", "undefined")
        raise FeedRefused(f"the feed declares an encoding the desk cannot read ({name!r})") from None
    kept, cut = _bounded(data, limit)
    if content_type:  # the body is UTF-8 now, whatever the server said
        headers["content-type"] = f"{content_type.split(';')[0].strip()}; charset=utf-8"
    result = feedparser.parse(
        io.BytesIO(kept), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    if decoding.get("bozo") and not result.get("bozo"):  # the decoding's complaint (another encoding than declared)
        result["bozo"], result["bozo_exception"] = True, decoding.get("bozo_exception")
    return FeedParsed(result=result, cut=cut)


def _encoding_check(body: bytes) -> str:
    """The encoding the XML declaration names, as shown in an error ("" for none); FeedRefused when Python does not
    know it."""
    found = _DECLARED.match(body[:512])
    if found is None:
        return ""
    name = found.group(1).decode("ascii", "replace").strip()
    shown = "".join(c if c.isprintable() else "?" for c in name[:40])
    try:
        codecs.lookup(name)
    except LookupError:
        raise FeedRefused(f"the feed declares an encoding the desk cannot read ({shown!r})") from None
    return shown


def _entries(count: int) -> str:
    return "1 entry" if count == 1 else f"{count} entries"


class _Cut(Exception):
    def __init__(self, kept: bytes, why: str) -> None:
        super().__init__(why)
        self.kept, self.why = kept, why


class _Scan:
    """expat's pass over the UTF-8 body: raises _Cut where the body is to be cut, FeedRefused for one refused."""

    def __init__(self, data: bytes, limit: int) -> None:
        self.data, self.limit = data, limit
        self.parser = expat.ParserCreate()  # no namespace processing: the names as written, to close them as written
        self.parser.EntityDeclHandler = self._entity
        self.parser.UnparsedEntityDeclHandler = self._entity
        self.parser.ExternalEntityRefHandler = self._entity
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.open: list[tuple[str, int]] = []  # the open elements: name, where its start tag is
        self.entry = -1  # where in `open` the entry being read is (-1: outside any)
        self.entries = 0  # entries begun
        self.markup = 0

    def _entity(self, *_: Any) -> NoReturn:
        raise FeedRefused("the feed declares XML entities or external references, which are refused")

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self.open.append((name, self.parser.CurrentByteIndex))
        if self.entry < 0 and name.rpartition(":")[2] in ENTRIES:
            if self.entries == self.limit:
                raise self._cut_before(len(self.open) - 1, "")
            self.entries += 1
            self.entry = len(self.open) - 1
        self.markup += 1 + len(attributes)
        if len(self.open) > MAX_DEPTH:
            raise self._over(f"elements nested more than {MAX_DEPTH} deep")
        if self.markup > MAX_MARKUP:
            raise self._over(f"more than {MAX_MARKUP:,} elements, attributes and tags")

    def _end(self, _name: str) -> None:
        self.open.pop()
        if len(self.open) == self.entry:
            self.entry = -1

    def _text(self, data: str) -> None:
        self.markup += data.count("<")
        if self.markup > MAX_MARKUP:
            raise self._over(f"more than {MAX_MARKUP:,} elements, attributes and tags")

    def _over(self, what: str) -> _Cut:
        """Cut before the entry being read (the ones before it are whole), or, outside an entry, before the
        innermost element; refused when that leaves nothing (the first entry, or the root)."""
        if self.entry >= 0:
            if self.entries == 1:
                raise FeedRefused(f"the feed's first entry holds {what}")
            return self._cut_before(
                self.entry, f"only its first {_entries(self.entries - 1)} read: the next holds {what}"
            )
        if len(self.open) <= 1:
            raise FeedRefused(f"the feed holds {what}")
        return self._cut_before(len(self.open) - 1, f"only {_entries(self.entries)} read: then it holds {what}")

    def _cut_before(self, index: int, why: str) -> _Cut:
        closing = "".join(f"</{name}>" for name, _ in reversed(self.open[:index]))
        return _Cut(self.data[: self.open[index][1]] + closing.encode(), why)


def _bounded(data: bytes, limit: int) -> tuple[bytes, str]:
    """The part of the UTF-8 body feedparser reads, and why the rest is not ("" for the whole, or the limit)."""
    scan = _Scan(data, limit)
    try:
        scan.parser.Parse(data, True)
    except _Cut as cut:
        return cut.kept, cut.why
    except expat.ExpatError:
        return _lenient_bounded(data, limit)
    return data, ""


def _lenient_bounded(data: bytes, limit: int) -> tuple[bytes, str]:
    """A body expat cannot read, cut by its bytes: before the entry after the `limit`-th, or before the entry in which
    the MAX_MARKUP_LENIENT-th `<` or `&` falls (the lenient reader closes what is left open)."""
    starts: list[int] = []
    for found in _LENIENT_ENTRY.finditer(data):
        starts.append(found.start())
        if len(starts) > limit:
            break
    end = starts[limit] if len(starts) > limit else len(data)
    over = next(
        (found.start() for n, found in enumerate(_LENIENT_MARKUP.finditer(data, 0, end)) if n == MAX_MARKUP_LENIENT),
        None,
    )
    if over is None:
        return data[:end], ""
    begun = [start for start in starts if start <= over]
    what = f"more than {MAX_MARKUP_LENIENT:,} tags and entities"
    if not begun:
        raise FeedRefused(f"the feed is malformed and holds {what} before its first entry")
    if len(begun) == 1:
        raise FeedRefused(f"the feed is malformed and its first entry holds {what}")
    return data[: begun[-1]], f"malformed, only its first {_entries(len(begun) - 1)} read: the next holds {what}"
