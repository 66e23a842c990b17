"""Reports read from the PostgreSQL replica; everything else stays on the primary.

With DATABASE_REPLICA_URL set (advocacy/settings/database.py) the "replica" alias exists and this router is
installed. Reads made inside `reports_read()` go to the replica: the KPI page, the monthly report, the CSV and
JSON exports and the scheduled reports, the heavy aggregate reads a manager waits on, all enter it through
metrics.rollups.rollups_read. Everything else, the queue, a ticket page, a claim and every write, stays on
"default": an advocate acts on what they have just done, and a replica a second behind would show them the
ticket before their own reply. A replica lags, so a report shows figures up to that lag behind the primary.

Without the setting the router is not installed and `reports_read()` changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

DEFAULT = "default"
REPLICA = "replica"

# A contextvar, not a thread-local: a page's reads and the ones of an async view's task are told apart alike.
_reports: ContextVar[bool] = ContextVar("desk_reports_read", default=False)


@contextmanager
def reports_read() -> Iterator[None]:
    """Inside, reads go to the replica (when there is one). A read that runs after the block, such as a
    streamed export's rows, keeps its alias by being given it inside: `qs.using(router.db_for_read(Model))`."""
    token = _reports.set(True)
    try:
        yield
    finally:
        _reports.reset(token)


class ReportsReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        # None outside a report: Django then keeps an instance's related reads on the alias it came from.
        return REPLICA if _reports.get() else None

    def db_for_write(self, model: type, **hints: Any) -> str:
        return DEFAULT

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # One database and its copy: a row read from either may point at a row of the other.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        # The replica receives the primary's schema through replication, never by `migrate`.
        return db == DEFAULT
