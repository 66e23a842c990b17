"""The forecast's inputs for every active view, read in two queries (mentions.forecast.day computes it).

The coverage schedule, holidays and targets change a few times a year: they come from memory under the clock
settings' version (retired by any save or delete of them, mentions.apps), so the queue pays two queries for the
forecast (the tickets, the replies), not five."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.db.models.functions import TruncHour

from advocacy.versioned import version_bump, versioned
from mentions.coverage import Coverage, coverage_load
from mentions.forecast.day import ARRIVAL_WINDOW, REPLY_DAYS, FlowBasis, Forecast, day_forecast
from mentions.models import Target, Ticket, View
from mentions.models.play_order import HELD_BACK
from mentions.selectors import CLOCK_RUNNING, view_condition, view_filters

CLOCK_VERSION_KEY = "clock-settings:version"


def clock_settings() -> tuple[Coverage, dict[str, float]]:
    """The coverage schedule and the targets (read-only: shared by every request of this process)."""
    return versioned(CLOCK_VERSION_KEY, "coverage-targets", lambda: (coverage_load(), Target.hours()), ttl=3600)


def clock_settings_changed(**kwargs: Any) -> None:
    version_bump(CLOCK_VERSION_KEY)


def view_target_hours(view: View, targets: dict[str, float]) -> float:
    """The first-reply target a new ticket of the view gets: the high-priority one for a high-priority view."""
    return targets[Target.Group.HIGH_PRIORITY] if view.high_priority_only else targets[Target.Group.ALL]


def view_forecasts(*, now: datetime, views: Iterable[View] | None = None) -> dict[int, Forecast]:
    """Each view's forecast by view id, in two queries: the tickets whose first-reply clock runs and those that
    arrived in the last ARRIVAL_WINDOW (asked on the platform and stored by the desk within it: a backlog read late
    is not an arrival), each marked with the views it counts in (a CASE per view); and the first replies of the
    last REPLY_DAYS days counted per hour and view, of which the hours coverage covered are kept."""
    views = list(View.objects.filter(is_active=True) if views is None else views)
    coverage, targets = clock_settings()
    if not views:
        return {}
    since = now - ARRIVAL_WINDOW
    arrived = Q(requested_at__gte=since, requested_at__lte=now, created_at__gte=since, created_at__lte=now)
    marks: dict[str, ExpressionWrapper] = {}
    for view in views:
        # Assigned or not: an assigned ticket nobody answers breaches as surely as a queued one. Never one held: snoozed
        # (view_condition) or held back as sure noise, which waits for nobody's reply (mentions.models.play_order;
        # issue 69: an empty queue's forecast counted one).
        waits = view_condition(view) & CLOCK_RUNNING & ~HELD_BACK
        marks[f"w_{view.pk}"] = ExpressionWrapper(waits, output_field=BooleanField())
        came = view_filters(view) & arrived & ~HELD_BACK
        marks[f"a_{view.pk}"] = ExpressionWrapper(came, output_field=BooleanField())
    rows = list(
        Ticket.objects.filter(CLOCK_RUNNING | arrived).order_by().annotate(**marks).values("sla_due_at", *marks)
    )
    replies, covered_hours = _replies_in_coverage(views, now=now, coverage=coverage)
    return {
        view.pk: day_forecast(
            due_times=[r["sla_due_at"] for r in rows if r[f"w_{view.pk}"]],
            basis=FlowBasis(
                arrivals=sum(1 for r in rows if r[f"a_{view.pk}"]),
                replies=replies[view.pk],
                covered_hours=covered_hours,
            ),
            now=now,
            coverage=coverage,
            target_hours=view_target_hours(view, targets),
        )
        for view in views
    }


def _replies_in_coverage(views: list[View], *, now: datetime, coverage: Coverage) -> tuple[dict[int, int], float]:
    """Each view's first replies given during coverage over the last REPLY_DAYS days, and the covered hours of
    those days. Counted per hour in the database (at most 24 x REPLY_DAYS rows); an hour counts when coverage
    covers its middle (the schedules start and end on the hour or the half hour)."""
    since = now - timedelta(days=REPLY_DAYS)
    counts = {f"r_{view.pk}": Count("pk", filter=view_filters(view)) for view in views}
    per_hour = (
        Ticket.objects.filter(first_reply_at__gte=since, first_reply_at__lt=now)
        .order_by()
        .annotate(hour=TruncHour("first_reply_at", tzinfo=UTC))
        .values("hour")
        .annotate(**counts)
    )
    replies = dict.fromkeys((view.pk for view in views), 0)
    for row in cast(Iterable[dict[str, Any]], per_hour):
        if coverage.covers(row["hour"] + timedelta(minutes=30)):
            for view in views:
                replies[view.pk] += row[f"r_{view.pk}"]
    return replies, coverage.seconds(since, now) / 3600


def forecasts_attach(summaries: list[Any], *, now: datetime) -> list[Any]:
    """Put each view's forecast on its queue summary (mentions.selectors.ViewSummary): one query for all."""
    forecasts = view_forecasts(now=now, views=[s.view for s in summaries])
    for summary in summaries:
        summary.forecast = forecasts.get(summary.view.pk)
    return summaries
