"""What the platforms' cursors (`Channel.cursor`) and walks keep and read back the same way: a map of ids to the
second each was created or handed over, cleaned and cut to its newest; a time read as such a second; a platform's
paging token fit to be stored."""

from __future__ import annotations

from typing import Any

from channels import clean


def stamps(raw: Any) -> dict[str, int]:
    """A stored map of ids to whole epoch seconds, cleaned: what is not an id with a second is dropped."""
    found = {clean.ident(k): clean.whole(v, minimum=0) for k, v in clean.mapping(raw).items()}
    return {k: v for k, v in found.items() if k and v is not None}


def newest(stamped: dict[str, int], limit: int) -> dict[str, int]:
    """The `limit` newest entries of a map of ids to seconds, oldest first (the same second: by id)."""
    return dict(sorted(stamped.items(), key=lambda kv: (kv[1], kv[0]))[-limit:])


def epoch_of(value: Any) -> int | None:
    """An ISO 8601 time as whole epoch seconds; None when it is not one."""
    moment = clean.iso_time(value)
    return int(moment.timestamp()) if moment is not None else None


def token(value: Any, *, max_length: int) -> str | None:
    """A platform's paging token (a cursor, an `after`) the channel's cursor may keep: only a plain short string
    (no NUL, surrogate or control character); None otherwise."""
    fits = isinstance(value, str) and value and len(value) <= max_length and clean.ident(value) == value
    return value if fits else None
