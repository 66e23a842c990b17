"""Reading one value out of a Discourse payload, through the shared cleaners (`channels.clean`):
a wrong type, NUL, a lone surrogate, NaN or an out-of-range time gives the empty value, never an
exception."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from channels import clean

# Discourse ids, post numbers and versions are PostgreSQL integers; anything outside is not one.
_INT_BOUND = 2**63


def whole_of(value: Any) -> int | None:
    """A whole number (12, 12.0, "12"), else None."""
    return clean.whole(value, minimum=-_INT_BOUND, maximum=_INT_BOUND - 1)


def time_of(value: Any) -> datetime | None:
    """An ISO 8601 time in UTC, inside the range a mention can have, else None."""
    moment = clean.iso_time(value)
    return moment.astimezone(UTC) if moment is not None else None


def string_of(value: Any) -> str:
    """The string without NUL or lone surrogates (not stripped), "" for anything else."""
    return clean.text_exact(value) if isinstance(value, str) else ""
