"""schemathesis hooks: the two rules of the API's dates that OpenAPI cannot state, taught to the generator.

OpenAPI describes each parameter alone, so schemathesis takes `?from=2026-11-25&to=2026-10-29` for a valid
request, and the API refuses it (400, as the pages do). For the requests schemathesis means to be valid
(positive mode) these hooks make the pair agree; invalid (negative) requests are left as drawn:

- the ticket list: `from` not after `to` (the later one becomes `to`);
- the KPI and the Community figures (KPI_RANGED): `from` not after `to` and at most MAX_DAYS days (`to` becomes
  `from` when the pair breaks either);
  a date alone is always taken (the API fills in the other), so it is left as drawn;
- a snooze: `until` in the future and within a year (a month from now) and never with `until_reply: true`, and
  one of the two (the schema's anyOf, which the coverage phase draws past once bodies are closed);
- a reply's rejection (`/approval/`) with its reason: the schema says so (an anyOf), which the coverage phase draws
  past;
- `?product=` on the ticket list, the views, the KPI and the Community figures: one of the desk's products (issue 71),
  which a schema made once for every desk cannot list; the fuzzing desk has none, so a valid request leaves it out
  (any drawn value is a 400, which the negative mode checks).

Loaded by the suite (api/tests/test_schema.py) and by the long run (bench/schemathesis_api.py, through
SCHEMATHESIS_HOOKS); plain Python, no Django, so schemathesis's own command line can load it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import schemathesis

MAX_DAYS = 366  # metrics.forms.MAX_DAYS (test_schema.py checks they are the same)


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _snooze_until() -> str:
    """A month from now: in the future, and within the year a snooze may reach (mentions.services.snooze)."""
    return (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0).isoformat()


# The operations that take the KPI page's range (api.params.KpiParams): `from` not after `to`, at most MAX_DAYS days.
KPI_RANGED = (
    "/api/kpi/",
    "/api/analytics/share-of-voice/",
    "/api/analytics/volume/",
    "/api/analytics/returning/",
    "/api/analytics/accuracy/",
)


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return case
    body = case.body
    if case.operation.path == "/api/tickets/{id}/snooze/" and isinstance(body, dict):
        if isinstance(body.get("until"), str):
            body["until"] = _snooze_until()
        if body.get("until") is not None and body.get("until_reply") is True:
            body["until_reply"] = False
        if "until" not in body and body.get("until_reply") is not True:  # neither: drawn past the anyOf
            body["until_reply"] = True
        return case
    if case.operation.path == "/api/tickets/{id}/approval/" and isinstance(body, dict):
        if body.get("action") == "reject" and "reason" not in body:
            body["reason"] = "Link the docs page instead."
        return case
    if not isinstance(case.query, dict):
        return case
    query = case.query
    if case.operation.path in ("/api/tickets/", "/api/views/", *KPI_RANGED):
        query.pop("product", None)
    start, end = _day(query.get("from")), _day(query.get("to"))
    if case.operation.path == "/api/tickets/" and start and end and start > end:
        query["from"], query["to"] = query["to"], query["from"]
    elif case.operation.path in KPI_RANGED and start and end and not 0 <= (end - start).days < MAX_DAYS:
        query["to"] = query["from"]
    return case
