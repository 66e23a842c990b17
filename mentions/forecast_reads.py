"""The forecast's inputs for every active view, read in one query (mentions.forecast computes it).

The coverage schedule, holidays and targets change a few times a year: they come from memory under the clock
settings' version (retired by any save or delete of them, mentions.apps), so the queue pays one query for the
forecast, not four."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q

from advocacy.versioned import version_bump, versioned
from mentions.coverage import Coverage, coverage_load
from mentions.forecast import Forecast, day_forecast
from mentions.models import Target, Ticket, View
from mentions.selectors import view_condition, view_filters

CLOCK_VERSION_KEY = "clock-settings:version"
_CLOCK_RUNNING = Q(status__in=Ticket.WAITING_STATUSES, first_reply_at__isnull=True)


def clock_settings() -> tuple[Coverage, dict[str, float]]:
    """The coverage schedule and the targets (read-only: shared by every request of this process)."""
    return versioned(CLOCK_VERSION_KEY, "coverage-targets", lambda: (coverage_load(), Target.hours()), ttl=3600)


def clock_settings_changed(**kwargs: Any) -> None:
    version_bump(CLOCK_VERSION_KEY)


def view_target_hours(view: View, targets: dict[str, float]) -> float:
    """The first-reply target a new ticket of the view gets: the high-priority one for a high-priority view."""
    return targets[Target.Group.HIGH_PRIORITY] if view.high_priority_only else targets[Target.Group.ALL]


def view_forecasts(*, now: datetime, views: Iterable[View] | None = None) -> dict[int, Forecast]:
    """Each view's forecast by view id, in one query: the tickets whose first-reply clock runs and those that
    arrived since today's coverage began, each marked with the views it counts in (a CASE per view)."""
    views = list(View.objects.filter(is_active=True) if views is None else views)
    coverage, targets = clock_settings()
    if not views:
        return {}
    since = coverage.window(now.astimezone(UTC).date())[0] if coverage.covers(now) else None
    marks: dict[str, ExpressionWrapper] = {}
    for view in views:
        # Assigned or not: an assigned ticket nobody answers breaches as surely as a queued one.
        marks[f"w_{view.pk}"] = ExpressionWrapper(view_condition(view) & _CLOCK_RUNNING, output_field=BooleanField())
        if since is not None:
            arrived = view_filters(view) & Q(requested_at__gte=since)
            marks[f"a_{view.pk}"] = ExpressionWrapper(arrived, output_field=BooleanField())
    rows_of = _CLOCK_RUNNING | Q(requested_at__gte=since) if since is not None else _CLOCK_RUNNING
    rows = list(Ticket.objects.filter(rows_of).order_by().annotate(**marks).values("sla_due_at", *marks))
    return {
        view.pk: day_forecast(
            due_times=[r["sla_due_at"] for r in rows if r[f"w_{view.pk}"]],
            arrivals_today=sum(1 for r in rows if r.get(f"a_{view.pk}")),
            now=now,
            coverage=coverage,
            target_hours=view_target_hours(view, targets),
        )
        for view in views
    }


def forecasts_attach(summaries: list[Any], *, now: datetime) -> list[Any]:
    """Put each view's forecast on its queue summary (mentions.selectors.ViewSummary): one query for all."""
    forecasts = view_forecasts(now=now, views=[s.view for s in summaries])
    for summary in summaries:
        summary.forecast = forecasts.get(summary.view.pk)
    return summaries
