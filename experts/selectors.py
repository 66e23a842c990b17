"""Reads shared by the experts directory, dashboards and reports."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from django.utils import timezone

from advocacy.durations import duration_display
from experts.models import Expert, Outreach, ProductArea
from experts.suggest import experts_search

GroupBy = Literal["expert", "area", "month"]
OTHER = "Other"
DIRECTORY_DAYS = 90


@dataclass
class FigureRow:
    """Outreach figures for one expert, area or month. `key` is the expert id, the area id (None for experts
    without an area) or the first day of the month."""

    key: int | date | None
    label: str
    asked: int = 0
    answered: int = 0
    declined: int = 0
    answer_seconds: list[int] = field(default_factory=list, repr=False)

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.asked if self.asked else None

    @property
    def median_answer_seconds(self) -> float | None:
        return statistics.median(self.answer_seconds) if self.answer_seconds else None

    @property
    def median_answer_display(self) -> str:
        return duration_display(self.median_answer_seconds)


def outreach_figures(*, start: datetime, end: datetime, group_by: GroupBy) -> list[FigureRow]:
    """Outreaches sent in [start, end): asked, answered, declined, answer rate and median time to answer.

    One query. By area, an outreach counts once for each area of its expert; experts without an area count
    under "Other". By month, months are those of the current time zone, in order; experts and areas by name.
    """
    if group_by not in ("expert", "area", "month"):
        raise ValueError(f"group_by must be expert, area or month, not {group_by!r}")
    # A merged outreach asked the expert about a conversation the outreach it was merged into counts already.
    qs = Outreach.objects.filter(sent_at__gte=start, sent_at__lt=end).exclude(status=Outreach.Status.MERGED)
    if group_by == "expert":
        key_fields = ("expert_id", "expert__name")
    elif group_by == "area":
        key_fields = ("expert__areas__id", "expert__areas__name")
    else:
        key_fields = ("sent_at", "expert_id")  # the label is made from the month below
    values = qs.values_list(
        *key_fields, "status", "answered_at", "answer_seconds", "declined_at", "sent_at", "created_at"
    )

    rows: dict[object, FigureRow] = {}
    for key, label, status, answered_at, answer_seconds, declined_at, sent_at, created_at in values:
        if group_by == "month":
            key = timezone.localtime(key).date().replace(day=1)
            label = key.strftime("%Y-%m")
        elif key is None:
            label = OTHER
        row = rows.setdefault(key, FigureRow(key=key, label=label))
        row.asked += 1
        if status == Outreach.Status.ANSWERED or answered_at is not None:
            row.answered += 1
            seconds = (
                answer_seconds if answer_seconds is not None else _answer_seconds(answered_at, sent_at, created_at)
            )
            if seconds is not None:
                row.answer_seconds.append(seconds)
        if status == Outreach.Status.DECLINED or declined_at is not None:
            row.declined += 1

    if group_by == "month":
        return sorted(rows.values(), key=lambda r: r.label)  # YYYY-MM: sorts as the months do
    return sorted(rows.values(), key=lambda r: (r.key is None, r.label.lower(), str(r.key)))


def _answer_seconds(answered_at: datetime | None, sent_at: datetime | None, created_at: datetime) -> int | None:
    """An answer's time from its send, as outreach_mark_answered counts it, for an outreach whose answer was
    stored without it (the demo's seed, admin's change form): the median then counts every answered outreach,
    not only those the services closed."""
    if answered_at is None:
        return None
    return max(0, int((answered_at - (sent_at or created_at)).total_seconds()))


@dataclass
class DirectoryEntry:
    expert: Expert
    figures: FigureRow


@dataclass
class DirectoryGroup:
    name: str
    slack_channel: str
    entries: list[DirectoryEntry]


def experts_directory(*, now: datetime | None = None, q: str = "") -> list[DirectoryGroup]:
    """Active experts grouped by product area (an expert in several areas is under each; experts without an
    area under "Other"), with their outreach figures for the last 90 days. Five queries."""
    now = now or timezone.now()
    experts = list(experts_search(q=q))
    figures = {
        row.key: row for row in outreach_figures(start=now - timedelta(days=DIRECTORY_DAYS), end=now, group_by="expert")
    }
    by_area: dict[int | None, list[DirectoryEntry]] = defaultdict(list)
    for expert in experts:
        entry = DirectoryEntry(expert=expert, figures=figures.get(expert.pk) or FigureRow(key=expert.pk, label=""))
        area_ids: list[int | None] = [area.pk for area in expert.areas.all()] or [None]
        for area_id in area_ids:
            by_area[area_id].append(entry)

    groups = []
    # Every area is listed, so a stage nobody covers shows as a gap; when searching only those with matches.
    for area in ProductArea.objects.order_by("name"):
        if by_area.get(area.pk) or not q:
            groups.append(DirectoryGroup(name=area.name, slack_channel=area.slack_channel, entries=by_area[area.pk]))
    if by_area.get(None):
        groups.append(DirectoryGroup(name=OTHER, slack_channel="", entries=by_area[None]))
    return groups
