"""Turn platform HTML into plain text that keeps its links.

The result is stored as plain text and escaped when rendered, so nothing from a platform is
ever emitted as markup. Links survive as visible URLs (only http, https and mailto): an
advocate must see where a link goes before clicking it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import TypeGuard
from urllib.parse import urljoin

_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_BLOCK_TAGS = {"p", "div", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr"}
_DROP_CONTENT = {"script", "style", "template", "noscript"}


def is_safe_url(url: str | None) -> TypeGuard[str]:
    return url is not None and url.strip().lower().startswith(_SAFE_SCHEMES)


def safe_url(url: str | None) -> str:
    """The URL if it is one we are willing to link to, else an empty string."""
    return url.strip() if is_safe_url(url) else ""


class _TextExtractor(HTMLParser):
    def __init__(self, base: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.base = base
        # The link being read: its address and where its label starts. One at a time, as browsers read links: an <a>
        # inside another ends the first (a stack made each closing join every label part since, n² for nested ones).
        self._link: tuple[str, int] | None = None
        self._drop_depth = 0

    def _href(self, attrs: list[tuple[str, str | None]]) -> str:
        href = (dict(attrs).get("href") or "").strip()
        if self.base and href:
            try:
                href = urljoin(self.base, href)
            except ValueError:  # an address urllib cannot read: no link
                return ""
        return safe_url(href)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_CONTENT:
            self._drop_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag == "a":
            self._link_end()
            self._link = (self._href(attrs), len(self.parts))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_CONTENT:
            self._drop_depth = max(0, self._drop_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag == "a":
            self._link_end()

    def _link_end(self) -> None:
        if self._link is not None:
            (href, start), self._link = self._link, None
            label = "".join(self.parts[start:]).strip()
            if not href:
                return
            # HN and others shorten long link labels ("https://example.com/very/lo...").
            shortened = label.rstrip(".").rstrip("…")
            if not label or href.startswith(shortened) or label == href:
                del self.parts[start:]
                self.parts.append(href)
            else:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self._drop_depth:
            self.parts.append(data)


def html_to_text(html: str | None, *, base: str = "") -> str:
    """`base`: the address relative links resolve against (a feed's text); without it only absolute links are kept."""
    if not html:
        return ""
    parser = _TextExtractor(base)
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\x00", "")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def clean_text(text: str | None) -> str:
    """Plain text from a platform: NUL bytes are not storable in PostgreSQL text."""
    return (text or "").replace("\x00", "").strip()
