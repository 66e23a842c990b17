"""A reply's text as Bluesky counts and marks it.

Length: Bluesky's limit for a post is 300 graphemes (the `app.bsky.feed.post` lexicon: `maxGraphemes: 300`, and
3,000 bytes), counted as extended grapheme clusters (Unicode UAX #29): a family emoji built of five code points,
a flag of two, an "é" written as e plus a combining accent, are one each. The `regex` package's `\\X` matches an
extended grapheme cluster (docs/decisions.md, "Dependencies").

Facets: a post's links and @mentions are not parsed from its text by readers; the post carries them as facets,
each a byte range of the text's UTF-8 encoding (`index.byteStart`, `index.byteEnd`) and a feature
(`app.bsky.richtext.facet#link` with its `uri`, `#mention` with the DID of the handle). docs.bsky.app,
"Links, mentions, and rich text". A handle that does not resolve gets no facet (its text stays as written).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import regex

from .config import handle_of
from .platform import PLATFORM

MAX_GRAPHEMES = PLATFORM.reply_rule.most
MAX_BYTES = 3000
_GRAPHEME = regex.compile(r"\X")
# A mention: "@" and a handle, at the start or after a space or an opening bracket.
_MENTION = re.compile(r"(?<![^\s(\[])@([a-zA-Z0-9][a-zA-Z0-9.-]*[a-zA-Z0-9])")
# A link: http(s) up to the next space; trailing punctuation and an unbalanced closing bracket are left out.
_LINK = re.compile(r"(?<![^\s(\[])https?://[^\s<>\"]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\""

Resolve = Callable[[str], str | None]  # handle -> its DID, or None when it does not resolve


def grapheme_length(text: str) -> int:
    return len(_GRAPHEME.findall(text))


def length_problem(text: str) -> str:
    """Why Bluesky would refuse the text for its length, in words, or ""."""
    graphemes = grapheme_length(text)
    if graphemes > MAX_GRAPHEMES:
        return (
            f"The reply is {graphemes} characters as Bluesky counts them (each emoji or accented letter is one); "
            f"Bluesky takes {MAX_GRAPHEMES} at most. Shorten it by {graphemes - MAX_GRAPHEMES}."
        )
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        return f"The reply is {size} bytes of text; Bluesky takes {MAX_BYTES} at most. Shorten it."
    return ""


def _byte_range(text: str, start: int, end: int) -> dict[str, int]:
    before = len(text[:start].encode("utf-8"))
    return {"byteStart": before, "byteEnd": before + len(text[start:end].encode("utf-8"))}


def _link_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    if text[end - 1 : end] == ")" and text.count("(", start, end) < text.count(")", start, end):
        end -= 1
    return end


def facets_of(text: str, resolve: Resolve) -> list[dict[str, object]]:
    """The facets of `text`: its links, and its @mentions whose handle `resolve` finds, in text order."""
    found: list[tuple[int, dict[str, object]]] = []
    for match in _LINK.finditer(text):
        end = _link_end(text, match.start(), match.end())
        if end - match.start() > len("https://"):
            feature = {"$type": "app.bsky.richtext.facet#link", "uri": text[match.start() : end]}
            found.append((match.start(), {"index": _byte_range(text, match.start(), end), "features": [feature]}))
    for match in _MENTION.finditer(text):
        handle = handle_of(match.group(1).rstrip("."))
        did = resolve(handle) if handle else None
        if did:
            end = match.start() + 1 + len(handle)
            feature = {"$type": "app.bsky.richtext.facet#mention", "did": did}
            found.append((match.start(), {"index": _byte_range(text, match.start(), end), "features": [feature]}))
    found.sort(key=lambda item: item[0])
    return [facet for _start, facet in found]
