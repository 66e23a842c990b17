"""Reading one value out of a Stack Exchange payload, through the shared cleaners (`channels.clean`): ids,
epoch times, counts and strings that arrive as text, NaN, huge or negative numbers give the empty value,
never an exception."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from channels import clean

# Post, comment and user ids are positive 32-bit numbers today; anything outside 1..2**53 is not one.
_ID_MAX = 2**53


def id_of(value: Any) -> int | None:
    """A post, comment or user id (12, 12.0, "12"), else None."""
    return clean.whole(value, minimum=1, maximum=_ID_MAX)


def time_of(value: Any) -> datetime | None:
    """An epoch-seconds creation or edit time inside the range a mention can have, else None."""
    return clean.epoch(value)


def count_of(value: Any) -> int | None:
    """A non-negative count (quota_remaining, quota_max), else None."""
    return clean.whole(value, minimum=0, maximum=2**31)


def string_of(value: Any) -> str:
    return value if isinstance(value, str) else ""


def unescaped(value: Any, *, max_length: int = clean.NAME_MAX) -> str:
    """Titles and display names arrive HTML-escaped (`&amp;`, `&#39;`); they are stored as one line of plain text."""
    return clean.line(html.unescape(string_of(value)[: max_length * 8]), max_length=max_length)
