"""How a reply is shaped on one platform: `ReplyRule`, declared once in the platform's `platform.py`
(`Platform.reply_rule`, and `Platform.message_rule` for its direct messages).

Every place that checks, shows or cuts a reply's length reads it here: the composer's counter and the send's refusal
(mentions.services.reply_plan, replies), the saved replies' lengths in admin and in the picker (answers), a story's
drafts cut to fit (stories.answering.drafts), a direct message's check (mentions.services.direct_messages). The rule
says how the platform counts (X and Mastodon count a link as 23, Bluesky counts graphemes), the most it takes, the
images a reply may carry, and how a link follows an answer. The parts test requires every platform to declare one
(`channels/tests/test_platform_parts.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.utils.module_loading import import_string

# The images a reply may carry anywhere (mentions.services.reply_images checks the bytes, not the name): the four
# kinds every platform below shows inline. SVG is not one: it is a document that can carry script.
IMAGE_TYPES: tuple[str, ...] = ("image/png", "image/jpeg", "image/gif", "image/webp")
MiB = 1024 * 1024


@dataclass(frozen=True)
class ReplyMedia:
    """What images a reply may carry on a platform: at most `count` of them, each at most `max_bytes` after the desk
    strips its metadata, of `types` (content types, a subset of IMAGE_TYPES). The sender uploads them first and
    then posts, so a refused upload posts nothing."""

    count: int
    max_bytes: int
    types: tuple[str, ...] = IMAGE_TYPES
    how: str = ""  # the platform's calls, for admins and the docs ("POST /api/v2/media, then media_ids[]")

    @property
    def type_words(self) -> str:
        """The types as a person names them: "PNG, JPEG, GIF, WebP"."""
        return ", ".join(t.removeprefix("image/").upper().replace("WEBP", "WebP") for t in self.types)


ELLIPSIS = "…"
_CUT_TRIM = " \t\n,;:-\u2013\u2014"  # spaces, punctuation and the dashes a cut must not end on


@dataclass(frozen=True)
class ReplyRule:
    # The most a reply may be, as `count` counts; None: the platform sets no limit the desk knows (e-mail, Slack).
    limit: int | None
    # Dotted path of `(text) -> int`, where the platform does not count code points (X's weighted length, where a
    # link is 23; Bluesky's graphemes). Imported on first use: X's counter loads a 10 MiB table (issue 58).
    count: str = ""
    # How it counts, in words, said beside the composer's counter ("X counts each link as 23 characters").
    note: str = ""
    # The images a reply may carry there; None: text only (no upload API the desk uses, or no replies).
    media: ReplyMedia | None = None
    # Between an answer and the link it ends with (a story's drafts): a paragraph, or a space where a reply is one
    # short line (X, Bluesky).
    link_separator: str = "\n\n"
    # The kinds of reply an advocate chooses between, (value, label), where there is more than one (Stack
    # Exchange: a comment or an answer).
    styles: tuple[tuple[str, str], ...] = ()

    @cached_property
    def _counter(self) -> Callable[[str], int]:
        if not self.count:
            return len
        counter: Callable[[str], int] = import_string(self.count)
        return counter

    @property
    def most(self) -> int:
        """The limit, for a sender's own check at the platform's boundary (ValueError where there is none)."""
        if self.limit is None:
            raise ValueError("the platform sets no limit the desk knows")
        return self.limit

    def length(self, text: str) -> int:
        """`text`'s length as the platform counts it."""
        return self._counter(text)

    def over(self, text: str) -> bool:
        """Whether `text` is longer than the platform takes."""
        return self.length_over(self.length(text))

    def length_over(self, length: int) -> bool:
        """Whether a reply of `length` (as `length` counts) is longer than the platform takes."""
        return self.limit is not None and length > self.limit

    def refusal(self, text: str, *, limit: int | None = None) -> str:
        """Why `text` cannot be posted, in words, or "" (against `limit` where the channel's own is stricter:
        a Mastodon instance's)."""
        most = limit or self.limit
        if most is None or (length := self.length(text)) <= most:
            return ""
        how = f" ({self.note})" if self.note else ""
        return f"The reply is {length} characters; {most} at most here{how}."

    def fit(self, *, address: str, text: str, link: str, limit: int | None = None) -> tuple[str, bool]:
        """`address` + `text` + the link (after `link_separator`, unless the text holds it), cut at a word with an
        ellipsis so it is at most the limit (`limit`, where the channel's is stricter) as the platform counts it;
        the link is always kept. Returns (body, shortened)."""
        most = limit or self.limit
        separator = self.link_separator
        tail = f"{separator}{link}" if link and link not in text else ""
        whole = f"{address}{text}{tail}"
        if not most or self.length(whole) <= most:
            return whole, False

        def cut_at(end: int) -> str:
            head = text[:end].rstrip(_CUT_TRIM)
            keep = tail or (f"{separator}{link}" if link and link not in head else "")
            return f"{address}{head}{ELLIPSIS}{keep}" if head else f"{address}{keep.lstrip()}"

        ends = [m.start() for m in re.finditer(r"\s+", text)]
        best = _longest(ends, lambda end: self.length(cut_at(end)) <= most)
        if best is None:  # not even the first word fits: cut inside it
            best = _longest(list(range(1, len(text))), lambda end: self.length(cut_at(end)) <= most)
        return (cut_at(best) if best is not None else cut_at(0)), True


def _longest(ends: list[int], fits: Callable[[int], bool]) -> int | None:
    """The largest of the increasing `ends` for which `fits` holds (a longer cut never fits when a shorter one does
    not), by bisection."""
    lo, hi, found = 0, len(ends) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if fits(ends[mid]):
            found, lo = ends[mid], mid + 1
        else:
            hi = mid - 1
    return found


# What a platform that takes no text from the desk declares (Hacker News, webhooks): nothing to count against.
NO_REPLIES = ReplyRule(limit=None)
