"""What the KPI reads share: a range of days as UTC bounds, the tickets requested in it, and rounding.

Every KPI read takes keyword-only `datetime.date` bounds; the range is `requested_at` (or the event time) in
[start 00:00 UTC, end + 1 day 00:00 UTC). Medians and percentiles are computed in the database on PostgreSQL
(`percentile_cont ... WITHIN GROUP`), with a Python fallback giving identical numbers on other databases.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Aggregate, BinaryField

from mentions.models import Ticket, TicketEvent
from metrics.product_scope import tickets_narrowed

HOUR = 3600.0
OVERDUE_LIMIT = 50
EXPORT_CHUNK = 2000  # rows read at a time by the Python fallbacks and the export
SOLVED = Ticket.Status.SOLVED.value
HANDLING_KINDS = (
    TicketEvent.Kind.REPLIED.value,
    TicketEvent.Kind.REPLY_SENT.value,
    TicketEvent.Kind.STATUS.value,
    TicketEvent.Kind.MACRO.value,
)
REPLY_KINDS = (TicketEvent.Kind.REPLIED.value, TicketEvent.Kind.REPLY_SENT.value)


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00 UTC, end + 1 day 00:00 UTC)."""
    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )


def in_hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / HOUR


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def stats_json(stats: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """A reply-time figures dataclass as the JSON export gives it: each field but `leave_out`, in order, the
    `median_*` and `p90_*` hours rounded."""
    shown = {f.name: getattr(stats, f.name) for f in fields(stats) if f.name not in leave_out}
    return {k: rounded(v) if k.startswith(("median_", "p90_")) else v for k, v in shown.items()}


class BytesAgg(Aggregate):
    """string_agg(bytea): a group's rollup values as one blob (order does not matter: they are selected)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ''::bytea)"
    output_field = BinaryField()


def tickets_requested(*, start: date, end: date, channel_id: int | None = None):
    """The tickets requested in the range, of the channel when given and of the read's product when narrowed."""
    since, until = day_bounds(start, end)
    qs = tickets_narrowed(Ticket.objects.filter(requested_at__gte=since, requested_at__lt=until))
    if channel_id is not None:
        qs = qs.filter(channel_id=channel_id)
    return qs
