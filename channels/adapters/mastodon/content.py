"""A status's HTML ``content`` as plain text, through the desk's one HTML-to-text helper
(`channels.text.html_to_text`), and its media as lines the advocate can read.

Mastodon's markup has one thing to rewrite first: a mention or a hashtag is a link (``<a class="u-url mention"
href="https://mastodon.social/@trwnh">@<span>trwnh</span></a>``, ``<a class="mention hashtag" href=".../tags/cats">
#<span>cats</span></a>``), which `html_to_text` would render as ``@trwnh (https://mastodon.social/@trwnh)``; it
is kept as its label, ``@trwnh``. A long link's label is split into spans (``invisible`` before and after, an
``ellipsis`` in the middle): together they are the address, which `html_to_text` then shows once.

Media (``media_attachments``: type, url, preview_url, description) are the message's attachments (`media_of`,
shown on the ticket as links), and each is also appended to the text as ``[image: its description]``, so a post
that is only a picture does not come out empty and says what it showed to the judgement and the search.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from typing import Any

from channels import clean
from channels.adapters.base import Media
from channels.text import html_to_text

MEDIA_SHOWN = 10  # Mastodon allows 4 attachments a post; a payload listing more is cut here


class _Rewriter(HTMLParser):
    """Re-emits the content's HTML with mention and hashtag links' addresses dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(_tag(tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(_tag(tag, attrs, closed=True))

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))


def _tag(tag: str, attrs: list[tuple[str, str | None]], *, closed: bool = False) -> str:
    classes = set((dict(attrs).get("class") or "").split())
    if tag == "a" and classes & {"mention", "hashtag"}:
        attrs = [(name, value) for name, value in attrs if name != "href"]
    shown = "".join(f' {name}="{html.escape(value or "")}"' for name, value in attrs)
    return f"<{tag}{shown}{' /' if closed else ''}>"


def content_text(content: Any) -> str:
    """The status's HTML as plain text, mentions and hashtags as their labels."""
    markup = clean.text(content)
    if not markup:
        return ""
    rewriter = _Rewriter()
    rewriter.feed(markup)
    rewriter.close()
    return html_to_text("".join(rewriter.out))


def media_lines(attachments: Any) -> list[str]:
    """Each attachment as ``[type: description]``."""
    lines = []
    for media in clean.objects(attachments)[:MEDIA_SHOWN]:
        kind = clean.line(media.get("type"), max_length=20) or "media"
        said = clean.line(media.get("description"), max_length=1500)
        lines.append(f"[{kind}: {said}]" if said else f"[{kind}]")
    return lines


# Mastodon's attachment types as the desk's (Media.kind): a "gifv" is a looping video.
KINDS = {"image": "image", "gifv": "gif", "video": "video", "audio": "audio"}


def media_of(attachments: Any) -> tuple[Media, ...]:
    """The attachments, each linked to the original (else the remote copy, else the preview)."""
    found = []
    for media in clean.objects(attachments)[:MEDIA_SHOWN]:
        address = (
            clean.url(media.get("url")) or clean.url(media.get("remote_url")) or clean.url(media.get("preview_url"))
        )
        if address:
            kind = KINDS.get(str(media.get("type")), "file")
            alt = clean.line(media.get("description"), max_length=500)
            found.append(Media(kind=kind, url=address, preview_url=clean.url(media.get("preview_url")), alt=alt))
    return tuple(found)


def status_text(status: dict[str, Any]) -> str:
    """What the advocate reads: the content warning (``spoiler_text``) first, the text, then the media."""
    warning = clean.line(status.get("spoiler_text"), max_length=500)
    parts = [
        f"CW: {warning}" if warning else "",
        content_text(status.get("content")),
        *media_lines(status.get("media_attachments")),
    ]
    return "\n\n".join(part for part in parts if part)
