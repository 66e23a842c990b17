"""The team model's daily budget: requests per UTC day, counted in TeamModelUsage.

A request is counted before it is sent by one atomic UPDATE that also checks the budget (`requests < budget`), so
two workers can never both take the last request of the day. Past the budget nothing is sent; the first refusal of
the day is logged (once: an UPDATE that flips the day's flag), every refusal counted."""

from __future__ import annotations

import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from mentions.models import TeamModelUsage

logger = logging.getLogger("mentions.assistant")


def utc_day() -> date:
    return timezone.now().date()  # aware and in UTC (USE_TZ): the budget's day is the UTC day


def budget_take(budget: int, *, use: str) -> bool:
    """Count one request against today's budget; False (nothing counted as sent) when it is spent."""
    day = utc_day()
    if _take(day, budget):
        return True
    if not TeamModelUsage.objects.filter(day=day).exists():
        try:
            with transaction.atomic():
                TeamModelUsage.objects.create(day=day)
        except IntegrityError:
            pass  # another worker made today's row first
        if _take(day, budget):
            return True
    TeamModelUsage.objects.filter(day=day).update(over_budget=F("over_budget") + 1, updated_at=timezone.now())
    if TeamModelUsage.objects.filter(day=day, over_budget_logged=False).update(over_budget_logged=True):
        logger.warning(
            "team model: the daily budget of %d requests is spent; nothing is sent until midnight UTC",
            budget,
            extra={"use": use, "budget": budget},
        )
    return False


def _take(day: date, budget: int) -> bool:
    # The one atomic UPDATE per request: counted only while under the budget.
    return bool(
        TeamModelUsage.objects.filter(day=day, requests__lt=budget).update(
            requests=F("requests") + 1, updated_at=timezone.now()
        )
    )


def failure_count(*, rate_limited: bool) -> None:
    """A request that failed (and one answered 429 also as such)."""
    changes = {"failures": F("failures") + 1, "updated_at": timezone.now()}
    if rate_limited:
        changes["rate_limited"] = F("rate_limited") + 1
    TeamModelUsage.objects.filter(day=utc_day()).update(**changes)


def usage_days(days: int = 14) -> list[TeamModelUsage]:
    """The last `days` days that had any use, newest first (admin's table)."""
    return list(TeamModelUsage.objects.order_by("-day")[:days])
