"""X ids: 64-bit numbers sent as strings, compared as ints, never as floats; Snowflake ids carry their time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from channels import clean

from ..base import PayloadError

SNOWFLAKE_EPOCH_MS = 1288834974657
# Ids below this predate Snowflake (Nov 2010: sequential, about 3e10 at most) and carry no time.
FIRST_SNOWFLAKE_ID = 1 << 40
MAX_ID = (1 << 64) - 1


def as_id(value: Any) -> str | None:
    """A post/user id as a string of digits (no leading zeros), or None. Ints are accepted (never floats)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if 0 <= value <= MAX_ID else None
    text = clean.ident(value, max_length=20) if isinstance(value, str) else ""
    if not text or not text.isascii() or not text.isdigit() or int(text) > MAX_ID:
        return None
    return str(int(text))


def max_id(*ids: str | None) -> str | None:
    present = [i for i in ids if i]
    return max(present, key=int) if present else None


def snowflake_time(tweet_id: str) -> datetime:
    """The creation time encoded in a Snowflake id (ms precision)."""
    number = int(tweet_id)
    if number < FIRST_SNOWFLAKE_ID:
        raise PayloadError(
            f"Post {tweet_id} has no created_at and its id predates Snowflake ids, so it carries no time: "
            "request it with tweet.fields=created_at."
        )
    ms = (number >> 22) + SNOWFLAKE_EPOCH_MS
    return datetime.fromtimestamp(ms // 1000, tz=UTC) + timedelta(milliseconds=ms % 1000)


# X lets a post be edited for 30 minutes after it was posted (docs.x.com, "Edit Posts"); a little more is
# allowed for clocks and created_at kept to the second.
EDIT_WINDOW = timedelta(minutes=35)


def original_window(version_id: str) -> tuple[datetime, datetime] | None:
    """When the original of a post version `version_id` was posted, if the version is an edit: at most
    EDIT_WINDOW before the version's own (Snowflake) time. None for an id that carries no time."""
    number = as_id(version_id)
    if number is None or int(number) < FIRST_SNOWFLAKE_ID:
        return None
    at = snowflake_time(number)
    return at - EDIT_WINDOW, at + timedelta(seconds=1)
