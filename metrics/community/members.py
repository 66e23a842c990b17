"""The members behind the mentions: the most active ones, and whether newcomers came back.

A member is a `people.Person`: a ticket is theirs when its requester (people.Requester, the author of its first
mention) is one of their identities. Mentions are counted as metrics.community.counted says.

**Returning members.** A member's first mention is their earliest counted ticket ever, on any channel (ties by
ticket number). Of the members whose first mention fell in the range (on the chosen channel, when one is), how
many had another counted mention, on any channel, within 30 and within 90 days of it; split by whether that first
mention got its first reply within the desk's first-reply target (calendar hours, mentions.Target: 7 h, 5 h for a
high-priority ticket; as the KPI page's "within target"). A window counts only once it has fully passed for the
whole day (UTC) of the first mention: N days after the end of that day (`window_passed`). Until then the member is
left out of that window's figures ("not yet known"), so a late range is not read as nobody coming back. The day's
end rather than the mention's own time, so that a day's row of the rollup is decided as a whole; the tickets' path
applies the same rule, so both paths give the same figures.

On PostgreSQL the figures are summed from CommunityNewcomerDay (metrics.community.newcomer_rollup: per day, first
channel and group, the members and how many came back), itself summed from the CommunityMember rollup
(metrics.community.member_rollup): a year reads at most 365 x 2 rows whatever the tickets. Elsewhere they are
counted from the tickets (one query, whose cost grows with the tickets: bench/analytics_api.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from mentions.models import Target
from metrics.community.counted import counted_requested, counted_tickets
from metrics.community.member_tally import member_tally_rows
from metrics.community.newcomer_rollup import ALL_CHANNELS, WINDOWS, newcomer_targets, newcomers_rebuild
from metrics.community.volume import period_of
from metrics.models import CommunityMember, CommunityNewcomerDay
from metrics.periods import HOUR, day_bounds
from metrics.product_scope import narrowed_product, rollup_narrowed, rollup_product_ids
from metrics.rollups import REFRESH_LOCK, rollups_ensure_fresh, rollups_memo, rollups_supported

PERSON = "requester__identity__person_id"
WITHIN, NOT_WITHIN = "answered_within_target", "not_answered_within_target"
GROUP_LABELS = {WITHIN: "First reply within target", NOT_WITHIN: "Not within target (or not replied)"}


def first_mentions_source(*, start: date, end: date, channel_id: int | None = None) -> list[tuple]:
    """(requested_at, first_reply_seconds, high_priority, back_30, back_90) of every member's first mention ever
    that fell in the range, from the tickets: one query (three correlated subqueries on the member's tickets). The
    reference path, and the embedded SQLite default's."""
    theirs = counted_tickets().filter(requester__identity__person_id=OuterRef(PERSON))
    at = OuterRef("requested_at")
    earlier = theirs.filter(Q(requested_at__lt=at) | Q(requested_at=at, pk__lt=OuterRef("pk")))

    def back(days: int) -> Exists:
        until = ExpressionWrapper(at + timedelta(days=days), output_field=DateTimeField())
        return Exists(theirs.filter(requested_at__gte=at, requested_at__lte=until).exclude(pk=OuterRef("pk")))

    return _ordered(
        counted_requested(start=start, end=end, channel_id=channel_id)
        .filter(requester__isnull=False)
        .exclude(Exists(earlier))
        .annotate(back_30=back(30), back_90=back(90))
        .order_by()
        .values_list("requested_at", "first_reply_seconds", "high_priority", "back_30", "back_90")
    )


def first_mentions_rollup(*, start: date, end: date, channel_id: int | None = None) -> list[tuple]:
    """The same from the CommunityMember rollup (PostgreSQL; the caller refreshed it): one query on its first_at
    index. Back within N days: the member's next counted mention is at most N days after the first (the next one in
    order is the earliest other, so any other within N days means this one is)."""
    since, until = day_bounds(start, end)
    qs = rollup_narrowed(
        CommunityMember.objects.filter(first_at__gte=since, first_at__lt=until), field="first_product_id"
    )
    if channel_id is not None:
        qs = qs.filter(first_channel_id=channel_id)
    return _ordered(
        (
            first_at,
            seconds,
            high_priority,
            *(next_at is not None and next_at <= first_at + timedelta(days=days) for days in WINDOWS),
        )
        for first_at, seconds, high_priority, next_at in qs.values_list(
            "first_at", "first_reply_seconds", "high_priority", "next_at"
        )
    )


def _ordered(rows: Iterable[tuple]) -> list[tuple]:
    """In one order on both paths, to compare them (a first reply may be None)."""
    return sorted(rows, key=lambda r: (r[0], r[1] is None, r[1] or 0, *r[2:]))


def first_mentions(*, start: date, end: date, channel_id: int | None = None) -> list[tuple]:
    if rollups_supported():
        rollups_ensure_fresh()
        return first_mentions_rollup(start=start, end=end, channel_id=channel_id)
    return first_mentions_source(start=start, end=end, channel_id=channel_id)


def last_decided_day(days: int, now: datetime) -> date:
    """The last day (UTC) whose first mentions' `days`-day window has passed for the whole day: `days` days from the
    end of that day. The rule of both paths, which a day's rollup row answers exactly: a day's members are decided
    together, so one who first wrote at 00:05 waits almost a day past their own window."""
    return now.astimezone(UTC).date() - timedelta(days=days + 1)


def window_passed(day: date, days: int, now: datetime) -> bool:
    """Whether the `days`-day window of the first mentions made on `day` (UTC) is decided (last_decided_day)."""
    return day <= last_decided_day(days, now)


Tally = dict[tuple[date, str], dict[str, int]]
_TRUNC = {"week": TruncWeek, "month": TruncMonth}
TALLY_KEYS = ("members", *(f"{what}_{days}" for days in WINDOWS for what in ("decided", "returned")))


def returning_tally_source(
    *, start: date, end: date, by: str, now: datetime, channel_id: int | None, targets: dict
) -> Tally:
    """{(period, group): {"members", "decided_N", "returned_N"}} from the tickets' first mentions, counted here: the
    reference path, and the embedded SQLite default's."""
    return _tally(first_mentions_source(start=start, end=end, channel_id=channel_id), by=by, now=now, targets=targets)


def returning_tally_members(
    *, start: date, end: date, by: str, now: datetime, channel_id: int | None, targets: dict
) -> Tally:
    """The same tally from the CommunityMember rollup, grouped in the database: a read narrowed to a product on
    PostgreSQL (metrics.community.member_tally says why and what it costs)."""
    rollups_ensure_fresh()
    product_id = narrowed_product()
    rows = member_tally_rows(
        start=start,
        end=end,
        by=by,
        decided={days: last_decided_day(days, now) for days in WINDOWS},
        channel_id=channel_id,
        products=rollup_product_ids(product_id) if product_id is not None else [],
        targets=targets,
    )
    return {
        (period, WITHIN if within else NOT_WITHIN): dict(zip(TALLY_KEYS, figures, strict=True))
        for period, within, *figures in rows
    }


def _tally(rows: Iterable[tuple], *, by: str, now: datetime, targets: dict) -> Tally:
    tally: Tally = defaultdict(lambda: dict.fromkeys(TALLY_KEYS, 0))
    for requested_at, seconds, high_priority, *back in rows:
        target = targets[Target.Group.HIGH_PRIORITY if high_priority else Target.Group.ALL] * HOUR
        group = WITHIN if seconds is not None and seconds <= target else NOT_WITHIN
        day = requested_at.astimezone(UTC).date()
        t = tally[(period_of(day, by), group)]
        t["members"] += 1
        for days, came_back in zip(WINDOWS, back, strict=True):
            if window_passed(day, days, now):
                t[f"decided_{days}"] += 1
                t[f"returned_{days}"] += bool(came_back)
    return tally


def newcomers_ensure(targets: dict, *, rebuild: bool = False) -> None:
    """CommunityNewcomerDay counted with these targets (mentions.Target hours): one query when it is, the common
    case (once inside a read); else, the first read after an admin changed a target (or the first ever), every day
    counted again from CommunityMember under the refresh's lock (metrics.community.newcomer_rollup). `rebuild`:
    counted again anyway (a repair, `manage.py kpi_rollups --rebuild`)."""
    wanted = (targets[Target.Group.ALL] * HOUR, targets[Target.Group.HIGH_PRIORITY] * HOUR)

    def built() -> bool:
        with connection.cursor() as cursor:  # the primary's, which the rebuild below writes
            return newcomer_targets(cursor) == wanted

    if not rebuild and rollups_memo(("community-newcomer-targets", wanted), built):
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
        # Unless a concurrent read counted them while this one waited.
        if rebuild or newcomer_targets(cursor) != wanted:
            newcomers_rebuild(cursor, wanted)


def returning_tally_rollup(
    *, start: date, end: date, by: str, now: datetime, channel_id: int | None, targets: dict
) -> Tally:
    """The same tally from the CommunityNewcomerDay rollup (PostgreSQL): one query grouped by period and group, which
    reads at most days x 2 rows however many newcomers the range holds (a year at 1,000,000 tickets is some 200,000)
    and answers periods x 2."""
    rollups_ensure_fresh()
    newcomers_ensure(targets)
    channel = ALL_CHANNELS if channel_id is None else channel_id
    qs = CommunityNewcomerDay.objects.filter(day__gte=start, day__lte=end, channel_id=channel)
    sums: dict[str, Sum] = {"sum_members": Sum("members")}  # (named apart from the columns they sum)
    for days in WINDOWS:
        decided = Q(day__lte=last_decided_day(days, now))
        sums[f"sum_decided_{days}"] = Sum("members", filter=decided, default=0)
        sums[f"sum_returned_{days}"] = Sum(f"back_{days}", filter=decided, default=0)
    period = F("day") if by == "day" else _TRUNC[by]("day")
    rows = qs.annotate(period=period).order_by().values_list("period", "within_target").annotate(**sums)
    return {
        (first, WITHIN if within_target else NOT_WITHIN): dict(zip(TALLY_KEYS, figures, strict=True))
        for first, within_target, *figures in rows
    }


def returning_rows(
    *, start: date, end: date, by: str, now: datetime, channel_id: int | None = None, targets: dict | None = None
) -> list[dict]:
    """[{"period", "group", "members", "decided_30", "returned_30", "returned_30_pct", "decided_90", "returned_90",
    "returned_90_pct"}] per period (of the first mention) and group (WITHIN, NOT_WITHIN), both groups of every
    period with a first mention. decided_N: members whose N-day window has passed; returned_N: of them, those who
    came back; the share is None while no window has passed ("not yet known")."""
    targets = targets or Target.hours()
    tally_of = returning_tally_rollup if rollups_supported() else returning_tally_source
    if rollups_supported() and narrowed_product() is not None:
        tally_of = returning_tally_members
    tally = tally_of(start=start, end=end, by=by, now=now, channel_id=channel_id, targets=targets)
    rows = []
    for period in sorted({p for p, _ in tally}):
        for group in (WITHIN, NOT_WITHIN):
            t = tally.get((period, group), {})
            row: dict = {"period": period, "group": group, "members": t.get("members", 0)}
            for days in WINDOWS:
                decided, returned = t.get(f"decided_{days}", 0), t.get(f"returned_{days}", 0)
                row[f"decided_{days}"] = decided
                row[f"returned_{days}"] = returned
                row[f"returned_{days}_pct"] = round(100.0 * returned / decided, 1) if decided else None
            rows.append(row)
    return rows


def decided_range(*, start: date, end: date, now: datetime, days: int = WINDOWS[0]) -> tuple[date, date] | None:
    """When none of the range's first-mention days has its `days`-day window passed yet (the page's default, the
    last 30 days, always), the latest range of the same length whose every day has: the page points to it rather
    than show only "not yet known". None when the range already has a decided day."""
    last = last_decided_day(days, now)
    if start <= last:
        return None
    return last - (end - start), last
