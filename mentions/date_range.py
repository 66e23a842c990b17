"""The dates a filter may name. No desk holds tickets from before 2000, and date arithmetic near year 1
or 9999 (a day past the end of a range, the week before it, UTC from a local midnight) overflows: a filter
outside this range is refused with this message instead of becoming a 500. The KPI pages, the ticket list
and the API share it."""

from __future__ import annotations

from datetime import date

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
DATE_RANGE_ERROR = f"Dates must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}."


def date_in_range(value: date | None) -> bool:
    return value is None or EARLIEST_DATE <= value <= LATEST_DATE
