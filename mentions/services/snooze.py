"""Snooze: an advocate puts a ticket aside until a time, or until the requester answers, and it comes back.

A snoozed ticket leaves the queue's views and Play (mentions.selectors.view_condition) and is listed under
"Snoozed" with when it comes back. The first-reply and next-reply clocks keep running: the requester is still
waiting, and a snoozed ticket that passes its due time is breached like any other (docs/desk.md).

It comes back (`snoozes_wake`, beat every minute, one UPDATE per batch) to its owner, marked "updated" so it
heads their "My tickets" and counts in the navigation (the desk's in-desk notification; the follow-up sweep
returns it to the queue if they do not act), and by Slack DM when they asked for it. An owner who is away
(AdvocateProfile.away_until) or can no longer work the queue does not get it: it goes back to the queue,
unassigned. A follow-up from the requester wakes any snoozed ticket (the ingest: `snooze_woken_by_followup`).

Presets are computed in the advocate's own time zone (AdvocateProfile.time_zone, else the desk's TIME_ZONE).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from channels.adapters.slack.client import slack_configured
from mentions.models import AdvocateProfile, Ticket, TicketEvent
from mentions.products import of_product
from mentions.services.assignment import queue_workers
from mentions.services.events import ensure_can_act, event_record
from mentions.services.versions import ticket_lock

BATCH = 500
# The furthest a snooze may reach. Further is a typo (year 9999 was taken, and a time past year 9999 in UTC cannot
# be stored) or a ticket hidden for good, which is what solving it says.
MAX_AHEAD = timedelta(days=365)
LATER_TODAY_HOURS = 3
MORNING_HOUR = 9
SNOOZED = Q(snoozed_until__isnull=False) | Q(snoozed_until_reply=True)
WOKE_TIME, WOKE_REPLY, WOKE_BY_HAND = "time", "reply", "unsnoozed"
WOKE_SAID = {
    WOKE_TIME: "came back: snooze ended",
    WOKE_REPLY: "came back: the requester answered",
    WOKE_BY_HAND: "snooze ended by hand",
}


@dataclass(frozen=True)
class Woken:
    """A ticket that came back, for the wake hooks (notifications: the Slack DM)."""

    ticket_id: int
    subject: str
    owner_id: int
    reason: str


# Called inside the waking transaction with the tickets whose owner asked for a Slack reminder (registered in
# notifications' AppConfig.ready; mentions never imports notifications).
WAKE_HOOKS: list[Callable[[list[Woken]], None]] = []


def wake_remind(woken: list[Woken]) -> None:
    """The woken tickets whose owner asked for a Slack reminder, to the wake hooks (inside the waking transaction:
    the beat's, or the ingest's for a follow-up)."""
    if woken:
        for hook in WAKE_HOOKS:
            hook(woken)


def advocate_zone(user: Any) -> ZoneInfo:
    """The advocate's time zone, else the desk's."""
    name = AdvocateProfile.objects.filter(user_id=user.pk).values_list("time_zone", flat=True).first()
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (KeyError, ValueError):  # a name no longer known to the system's tz database
        return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    until: datetime | None  # None: until the requester answers


def snooze_presets(*, zone: ZoneInfo, now: datetime | None = None) -> list[Preset]:
    """Later today (+3 h), tomorrow 9:00, next Monday 9:00 (a week on a Monday), and until they answer."""
    local = (now or timezone.now()).astimezone(zone)
    morning = local.replace(hour=MORNING_HOUR, minute=0, second=0, microsecond=0)
    tomorrow = morning + timedelta(days=1)
    monday = morning + timedelta(days=(7 - local.weekday()) or 7)
    later = local + timedelta(hours=LATER_TODAY_HOURS)
    return [
        Preset("later", f"Later today ({later:%H:%M})", later.replace(second=0, microsecond=0)),
        Preset("tomorrow", f"Tomorrow 9:00 ({tomorrow:%a})", _wall(tomorrow, zone)),
        Preset("monday", f"Monday 9:00 ({monday:%b %-d})", _wall(monday, zone)),
        Preset("reply", "Until they answer", None),
    ]


def _wall(local: datetime, zone: ZoneInfo) -> datetime:
    """9:00 on that day as the wall clock shows it (timedelta arithmetic keeps the UTC offset of the start day,
    which is an hour off across a daylight-saving change)."""
    return datetime(local.year, local.month, local.day, local.hour, local.minute, tzinfo=zone)


def until_said(until: datetime | None, zone: ZoneInfo) -> str:
    """ "snoozed until Mon 9:00 (Europe/Berlin)", or until the requester answers."""
    if until is None:
        return "snoozed until the requester answers"
    local = until.astimezone(zone)
    return f"snoozed until {local:%a %b %-d} {local.hour}:{local:%M} ({zone.key})"


def snooze_until_problem(until: datetime, *, now: datetime | None = None) -> str:
    """Why `until` cannot be a snooze's end, in words ("" when it can): a time without its UTC offset means
    nothing on its own, and one more than a year ahead is refused. (That it has passed is the clock's to say,
    at the moment of snoozing: `ticket_snooze`.)"""
    if until.tzinfo is None or until.utcoffset() is None:
        return "Give the time with its UTC offset (Z or +01:00): without it the time is ambiguous."
    latest = (now or timezone.now()) + MAX_AHEAD
    if until > latest:
        return f"Give a time within a year (by {latest:%Y-%m-%d}): a ticket put aside for longer should be solved."
    return ""


def ticket_snooze(
    *,
    ticket: Ticket | int,
    user: Any,
    until: datetime | None = None,
    until_reply: bool = False,
    remind_slack: bool = False,
    seen_version: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Snooze the ticket until `until` (in the future) or until the requester answers. An unassigned ticket
    becomes the snoozer's (it comes back to someone); Play stops serving it. Snoozing again moves the time."""
    now = now or timezone.now()
    if until_reply == (until is not None):
        raise ValidationError({"until": "Give a time, or snooze until the requester answers (not both)."})
    if until is not None and (problem := snooze_until_problem(until, now=now)):
        raise ValidationError({"until": problem})
    if until is not None and until <= now:
        raise ValidationError({"until": "Give a time in the future."})
    # A reminder in Slack is only promised when Slack is connected (a page opened before it was disconnected, or an
    # API client, may still ask): the ticket still comes back, marked, on the desk.
    remind_slack = remind_slack and slack_configured()
    with transaction.atomic():
        locked = ticket_lock(ticket, seen_version=seen_version, related=("channel", "assignee"))
        ensure_can_act(ticket=locked, user=user)
        if locked.status == Ticket.Status.SOLVED:
            raise ValidationError("A solved ticket cannot be snoozed: it is not waiting for anyone.")
        zone = advocate_zone(user)
        if locked.assignee_id is None:
            locked.assignee = user
            event_record(
                ticket=locked, kind=TicketEvent.Kind.ASSIGNED, actor=user, to=user.get_username(), via="snooze"
            )
        locked.snoozed_until, locked.snoozed_until_reply = until, until_reply
        locked.snoozed_by, locked.snooze_remind_slack = user, remind_slack
        locked.served_to = locked.served_view = None
        locked.followup_at = None
        locked.save()
        event_record(
            ticket=locked,
            kind=TicketEvent.Kind.SNOOZED,
            actor=user,
            until=until.isoformat() if until else None,
            until_reply=until_reply,
            zone=zone.key,
            said=until_said(until, zone),
            remind_slack=remind_slack,
        )
    return locked


def ticket_unsnooze(*, ticket: Ticket | int, user: Any, seen_version: int | None = None) -> Ticket:
    """End the snooze now (the ticket stays with its owner). Nothing to do when it is not snoozed."""
    with transaction.atomic():
        locked = ticket_lock(ticket, seen_version=seen_version)
        ensure_can_act(ticket=locked, user=user)
        if not locked.is_snoozed:
            return locked
        locked.snoozed_until, locked.snoozed_until_reply, locked.snooze_remind_slack = None, False, False
        locked.save()
        event_record(
            ticket=locked, kind=TicketEvent.Kind.WOKE, actor=user, reason=WOKE_BY_HAND, said=WOKE_SAID[WOKE_BY_HAND]
        )
    return locked


def owners_away(owner_ids: set[int], *, now: datetime) -> set[int]:
    """Of `owner_ids`, who is away (AdvocateProfile.away_until later than now) or can no longer work the queue."""
    if not owner_ids:
        return set()
    working = set(queue_workers().filter(pk__in=owner_ids).values_list("pk", flat=True))
    away = set(
        AdvocateProfile.objects.filter(user_id__in=owner_ids, away_until__gt=now).values_list("user_id", flat=True)
    )
    return (owner_ids - working) | away


def snoozes_wake(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: wake every ticket whose snooze time came. Idempotent and safe to run twice at once: the due rows
    are locked (SKIP LOCKED) and woken in one UPDATE per destination (owner present / back to the queue), and a
    woken ticket is no longer due."""
    now = now or timezone.now()
    woke = {"to_owner": 0, "to_queue": 0}
    with transaction.atomic():
        due = list(
            Ticket.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(snoozed_until__lte=now)
            .order_by("snoozed_until", "id")
            .values_list("pk", "assignee_id", "assignee__username", "status", "snooze_remind_slack", "subject")[:BATCH]
        )
        if not due:
            return woke
        away = owners_away({row[1] for row in due if row[1] is not None}, now=now)
        back: list[int] = []
        queue: list[int] = []
        events: list[TicketEvent] = []
        remind: list[Woken] = []
        said = WOKE_SAID[WOKE_TIME]
        for pk, owner, name, status, slack, subject in due:
            to_queue = owner is None or owner in away
            (queue if to_queue else back).append(pk)
            data: dict[str, Any] = {"reason": WOKE_TIME, "said": said}
            if to_queue and owner is not None:
                data["said"] = f"{said}; {name} is away, so it went back to the queue"
            events.append(TicketEvent(ticket_id=pk, kind=TicketEvent.Kind.WOKE, data=data))
            if to_queue and owner is not None:
                returned = {"from": name, "reason": "away", "said": data["said"]}
                events.append(TicketEvent(ticket_id=pk, kind=TicketEvent.Kind.RETURNED, data=returned))
            if status == Ticket.Status.PENDING:
                moved = {"from": status, "to": Ticket.Status.OPEN, "reason": said}
                events.append(TicketEvent(ticket_id=pk, kind=TicketEvent.Kind.STATUS, data=moved))
            if not to_queue and slack:
                remind.append(Woken(ticket_id=pk, subject=subject, owner_id=owner, reason=WOKE_TIME))
        cleared: dict[str, Any] = {
            "snoozed_until": None,
            "snoozed_until_reply": False,
            "snooze_remind_slack": False,
            # Back to be looked at: a ticket set aside while waiting on the requester comes back open.
            "status": Case(When(status=Ticket.Status.PENDING, then=Value(Ticket.Status.OPEN)), default="status"),
            "updated_at": now,
        }
        if back:
            woke["to_owner"] = Ticket.objects.filter(pk__in=back).update(followup_at=now, **cleared)
        if queue:
            woke["to_queue"] = Ticket.objects.filter(pk__in=queue).update(
                assignee=None, served_to=None, served_view=None, followup_at=None, **cleared
            )
        TicketEvent.objects.bulk_create(events)
        wake_remind(remind)
    return woke


def snooze_woken_by_followup(ticket: Any) -> dict[str, Any] | None:
    """In memory, for the ingest (a TicketRow it holds the lock of): a follow-up from the requester wakes a
    snoozed ticket, whatever it was snoozed until. Returns the WOKE event's data, or None if it was not snoozed."""
    if ticket.snoozed_until is None and not ticket.snoozed_until_reply:
        return None
    ticket.snoozed_until, ticket.snoozed_until_reply = None, False
    return {"reason": WOKE_REPLY, "said": WOKE_SAID[WOKE_REPLY], "remind_slack": ticket.snooze_remind_slack}


def snoozed_tickets(*, limit: int = 100, product_id: int | None = None) -> Any:
    """The "Snoozed" list: every snoozed ticket, the soonest back first (until-reply ones last); a product's when
    narrowed to it (the queue's link keeps its narrowing, issue 71)."""
    tickets = of_product(Ticket.objects.filter(SNOOZED), product_id)
    return tickets.select_related("channel", "assignee", "snoozed_by").order_by(
        Case(When(snoozed_until__isnull=True, then=Value(1)), default=Value(0)), "snoozed_until", "id"
    )[:limit]
