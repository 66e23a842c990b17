"""A post's ``cooked`` HTML as plain text: Discourse's own markup (quotes, oneboxes, emoji, mentions, images
and their lightboxes) rewritten before the shared `html_to_text` renders it."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from channels.text import clean_text, html_to_text, safe_url

from .config import Site

# Quotes nested deeper than this are rendered as plain text inside the deepest one (a hostile post nested
# thousands deep would otherwise cost quadratic time and the stack).
MAX_QUOTE_DEPTH = 8
# Discourse topic titles are at most 255 characters; a longer "title" is cut, not stored whole in every quote.
MAX_TITLE = 300
# A topic made from a blog's feed entry (Discourse's embedding) takes the entry's title as text, its markup too:
# "Prices, Decision Factors and <i>Time Will Run Back</i>" (topic 2081 of a recorded forum). A tag that opens and
# closes around words is that markup and goes; a lone "<div>" in a title about HTML is a word, and stays.
_PAIRED_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?>([^<>]*)</\1\s*>")
# Links in a quote's title line that are the forum's navigation (the topic's category), not the quoted topic.
_NOT_THE_TOPIC = {"badge-category__wrapper", "badge-wrapper", "mention", "mention-group"}


def cooked_to_text(cooked: str, base_url: str = "", *, quote_depth: int = 0) -> str:
    """Plain text of a post's ``cooked`` HTML: links absolute against the forum (when its address is known)
    and kept visible, emoji as ``:code:``, quotes as ``> `` lines under who wrote them and, for a quote of
    another topic, that topic's title and link (``user wrote in “Title” (url):``), link previews as their
    URL, and each image as ``[image: alt] (url)``, the way the desk shows a link (label, then the address),
    with the full-size URL of a lightbox, so an image-only post does not come out empty and says what it was."""
    rewriter = _CookedRewriter(Site(base_url) if base_url else None, quote_depth=quote_depth)
    rewriter.feed(cooked)
    rewriter.close()
    return rewriter.substitute(html_to_text(rewriter.html()))


def title_text(title: str) -> str:
    """A topic title as plain text: the markup a feed entry's title brought in dropped, its words kept (innermost
    pairs first, so ``<i><b>x</b></i>`` is ``x``)."""
    while True:
        stripped = _PAIRED_TAG.sub(r"\2", title)
        if stripped == title:
            return title
        title = stripped


def image_label(alt: str | None) -> str:
    """``[image: alt]``, or ``[image]`` when the alt text says nothing (empty, or Discourse's default "image")."""
    text = clean_text(alt or "").strip()
    return f"[image: {text}]" if text and text.casefold() != "image" else "[image]"


# After these a new line starts: an image's URL just before needs no space to keep it apart from what follows.
_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "blockquote", "aside", "pre", "table", "tr", "td", "th", "hr"}
_BLOCK_TAGS |= {"h1", "h2", "h3", "h4", "h5", "h6"}
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class _Quote:
    """An open quote: who wrote it, the aside depth it closes at, and the topic its title line links to (a quote
    of another topic: ``<div class="title"><img class="avatar"><a href="/t/slug/123/4">Topic title</a></div>``)."""

    username: str
    depth: int
    title: str = ""
    url: str = ""
    title_read: bool = False  # the quote's own title line was read (a later one belongs to something else)

    def header(self) -> str:
        where = f"\u201c{self.title}\u201d" if self.title else ""
        where = f"{where} ({self.url})" if where and self.url else where or self.url
        if self.username:
            return f"{self.username} wrote in {where}:" if where else f"{self.username} wrote:"
        return f"Quoted from {where}:" if where else ""


@dataclass
class _TitleLine:
    """A quote's title line being read: only its first link that is not navigation, and that link's text."""

    divs: int = 1
    in_link: bool = False
    linked: bool = False
    url: str = ""
    text: list[str] = field(default_factory=list)


class _CookedRewriter(HTMLParser):
    """Re-emits cooked HTML for `html_to_text`, with the Discourse-specific parts rewritten. A quote's content
    is rendered on its own (nested quotes included) and stands in the output as a placeholder token."""

    def __init__(self, site: Site | None, *, quote_depth: int = 0) -> None:
        super().__init__(convert_charrefs=True)
        self.site = site
        self.quote_depth = quote_depth  # quotes open around this fragment (a quote's content renders alone)
        self._in_lightbox = False  # inside <a class="lightbox">: its href stands for the image
        self._space_before_data = False  # an image URL was just emitted: keep it apart from the next word
        self.quotes: dict[str, str] = {}
        self._buffers: list[list[str]] = [[]]
        self._quote_stack: list[_Quote] = []  # each open quote
        self._title: _TitleLine | None = None  # the title line of the innermost open quote, being read
        self._aside_depth = 0
        self._skip: tuple[str, int] | None = None  # (tag, depth) of a subtree left out

    def html(self) -> str:
        self._title_end()
        while self._quote_stack:  # unclosed quote in malformed HTML: render what it has
            self._end_quote()
        return "".join(self._buffers[0])

    def substitute(self, text: str) -> str:
        """Put the rendered quotes in place of their tokens."""
        for token, quoted in self.quotes.items():
            text = text.replace(token, quoted)
        return text

    def _emit(self, text: str) -> None:
        self._buffers[-1].append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self.get_starttag_text() or f"<{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self.get_starttag_text() or f"<{tag}>", void=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], source: str, *, void: bool = False) -> None:
        void = void or tag in _VOID_TAGS
        if tag in _BLOCK_TAGS:
            self._space_before_data = False
        if self._title is not None:
            if tag not in ("blockquote", "aside"):
                self._title_start(tag, attrs, void=void)
                return
            self._title_end()  # the title line was never closed (malformed HTML): the quote's content goes on
        if self._skip is not None:
            if tag == self._skip[0] and not void:
                self._skip = (tag, self._skip[1] + 1)
            return
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        if tag == "aside" and "quote" in classes and self.quote_depth + len(self._quote_stack) < MAX_QUOTE_DEPTH:
            self._aside_depth += 1
            self._quote_stack.append(_Quote(clean_text(values.get("data-username") or ""), self._aside_depth))
            self._buffers.append([])
        elif tag == "aside" and "onebox" in classes:
            url = self._absolute(values.get("data-onebox-src"))
            if url:
                escaped = html.escape(url)
                self._emit(f'<p><a href="{escaped}">{escaped}</a></p>')
                self._skip = ("aside", 1)
            else:
                self._aside_depth += 1
                self._emit(source)
        elif tag == "div" and "title" in classes and self._own_title_line():
            self._title = _TitleLine()  # "<avatar> user:", or the quoted topic's title link
        elif tag == "div" and (classes & {"quote-controls", "meta"} or ("title" in classes and self._quote_stack)):
            self._skip = ("div", 1)  # the quote's copy button; an image's file name and size; a nested title
        elif tag in ("svg", "script", "style"):
            self._skip = (tag, 1)
        elif tag == "img" and "emoji" in classes:
            self._emit(html.escape(values.get("alt") or values.get("title") or ""))
        elif tag == "img":
            self._image(values.get("src"), values.get("alt"), classes)
        elif tag == "a" and "lightbox" in classes:
            # <a class="lightbox" href="original"><img src="optimized"><div class="meta">name, size</div></a>:
            # one image: the link to the original, labelled by the image ("[image: alt] (original)").
            url = self._absolute(values.get("href"))
            self._in_lightbox = bool(url)
            self._emit(f'<a href="{html.escape(url)}">' if url else "<a>")
        elif tag == "a" and classes & {"mention", "mention-group"}:
            self._emit("<a>")  # "@name" alone: the profile link adds nothing
        elif tag == "a":
            url = self._absolute(values.get("href"))
            self._emit(f'<a href="{html.escape(url)}">' if url else "<a>")
        else:
            if tag == "aside":
                self._aside_depth += 1
            self._emit(source)

    def handle_endtag(self, tag: str) -> None:
        if self._title is not None:
            if tag != "aside":
                self._title_endtag(tag)
                return
            self._title_end()
        if self._skip is not None:
            if tag == self._skip[0]:
                depth = self._skip[1] - 1
                self._skip = (tag, depth) if depth else None
            return
        if tag == "aside":
            if self._quote_stack and self._quote_stack[-1].depth == self._aside_depth:
                self._aside_depth -= 1
                self._end_quote()
                return
            self._aside_depth = max(0, self._aside_depth - 1)
        if tag == "a" and self._in_lightbox:
            self._in_lightbox = False
            self._space_before_data = True
        elif tag in _BLOCK_TAGS:
            self._space_before_data = False
        if tag not in _VOID_TAGS:
            self._emit(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            if self._title.in_link:
                self._title.text.append(data)
            return
        if self._skip is None:
            if self._space_before_data and data[:1] not in ("", " ", "\n", "\t"):
                data = " " + data
            self._space_before_data = False
            self._emit(html.escape(data, quote=False))

    def _image(self, src: str | None, alt: str | None, classes: set[str]) -> None:
        """An image as ``[image: alt] (url)`` (``[image: alt]`` when it has no usable URL): the post's content
        may be only that image. In a lightbox the label is the lightbox link's, whose address is the original
        image; avatars are not content."""
        if "avatar" in classes:
            return
        label = image_label(alt)
        if self._in_lightbox:
            self._emit(html.escape(label))
            return
        url = self._absolute(src, image=True)
        if not url and not (alt and alt.strip()):
            return  # neither an address nor a description: nothing a reader could use
        shown = f"{label} ({url})" if url else label
        previous = self._buffers[-1][-1] if self._buffers[-1] else ""
        self._emit(
            ("" if not previous or previous[-1:].isspace() or previous.endswith(">") else " ") + html.escape(shown)
        )
        self._space_before_data = True

    def _own_title_line(self) -> bool:
        """A ``div.title`` that is the innermost open quote's own title line: directly in its aside (not in an
        aside nested in it) and the first one."""
        return bool(self._quote_stack) and (
            self._quote_stack[-1].depth == self._aside_depth and not self._quote_stack[-1].title_read
        )

    def _title_start(self, tag: str, attrs: list[tuple[str, str | None]], *, void: bool) -> None:
        title = self._title
        assert title is not None
        if void:
            return  # the avatar
        if tag == "div":
            title.divs += 1
        elif tag == "a" and not title.linked and not title.in_link:
            values = dict(attrs)
            if not set((values.get("class") or "").split()) & _NOT_THE_TOPIC:
                title.in_link, title.url = True, self._absolute(values.get("href"))

    def _title_endtag(self, tag: str) -> None:
        title = self._title
        assert title is not None
        if tag == "a" and title.in_link:
            title.in_link, title.linked = False, True
        elif tag == "div":
            title.divs -= 1
            if not title.divs:
                self._title_end()

    def _title_end(self) -> None:
        """The quote's title line is read: keep its topic's title and link, if it had one."""
        title, self._title = self._title, None
        if title is None or not self._quote_stack:
            return
        quote = self._quote_stack[-1]
        quote.title_read = True
        if title.linked or title.in_link:
            # Cut before the markup goes too, so a hostile title costs no more than a real one.
            quote.title = " ".join(title_text(clean_text("".join(title.text))[: MAX_TITLE * 4]).split())[:MAX_TITLE]
            quote.url = title.url

    def _end_quote(self) -> None:
        quote = self._quote_stack.pop()
        inner = "".join(self._buffers.pop())
        # Quotes nested in this one were rendered into tokens already: they are put back before the
        # lines get their "> ", so a nested quote reads "> > ".
        base_url = self.site.base_url if self.site else ""
        depth = self.quote_depth + len(self._quote_stack) + 1
        text = self.substitute(cooked_to_text(inner, base_url, quote_depth=depth))
        quoted = "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
        header = quote.header()
        block = f"{header}\n{quoted}" if header else quoted
        token = f"\ue000{len(self.quotes)}:{id(self)}\ue001"
        self.quotes[token] = block
        self._emit(f"<p>{token}</p>")

    def _absolute(self, url: str | None, *, image: bool = False) -> str:
        url = (url or "").strip()
        if not url or url.startswith("#"):
            return ""
        if image and url.startswith("//") and self.site is None:
            url = "https:" + url  # a CDN image without the forum's address: https is what the page would use
        if self.site is not None:
            try:
                url = urljoin(self.site.origin + "/", url)
            except ValueError:  # "http://[broken" is no URL
                return ""
        return safe_url(url)
