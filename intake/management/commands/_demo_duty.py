"""The demo's team hours and a reply waiting for approval (issue 44), seeded once by `seed_demo`:

- two offices, Amsterdam and New York, 09:00-17:00 in their own time zones (in winter their union is the default
  08:00-22:00 UTC, so the demo week's clocks read as before), and a weekend duty on release day, taken by the
  month's release advocate (the rota seed_demo fills);
- Pat, an engineer working the desk for the day through an "Advocate for a day" grant, whose reply to a waiting
  Mastodon mention waits for an advocate's approval (the queue lists it; the ticket shows Approve and send).

Only where nothing of the kind exists yet: an admin's own schedules and users are never touched."""

from __future__ import annotations

from datetime import time, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mentions.models import AdvocateGrant, CoverageSchedule, ReplyApproval, Ticket
from mentions.services.approvals import reply_submit

WEEKDAYS = [1, 2, 3, 4, 5]
PAT_REPLY = (
    "Thanks for reporting this, and for the details: they help. I've passed it to the team that owns this part of "
    "GitLab and will follow up here as soon as I hear back."
)


def duty_seed() -> list[str]:
    """Seed what is missing; returns what was made, in words, for seed_demo's output."""
    made = []
    if not CoverageSchedule.objects.exists():
        for name, zone in (("Amsterdam office", "Europe/Amsterdam"), ("New York office", "America/New_York")):
            CoverageSchedule.objects.create(name=name, weekdays=WEEKDAYS, start=time(9), end=time(17), time_zone=zone)
        CoverageSchedule.objects.create(
            name="Weekend release duty",
            weekdays=[6, 7],
            start=time(10),
            end=time(16),
            time_zone="Europe/Amsterdam",
            release_day_only=True,
            duty_only=True,
        )
        made.append("coverage: two offices and a weekend release-day duty")
    if _approval_seed():
        made.append("a reply by Pat (advocate for a day) waiting for approval")
    return made


def _approval_seed() -> bool:
    User = get_user_model()
    if User.objects.filter(username="pat").exists() or ReplyApproval.objects.exists():
        return False
    # Unusable password: Pat is a character of the demo; an admin who wants to sign in as Pat sets one.
    pat = User.objects.create_user(username="pat", first_name="Pat", last_name="Engineer")
    now = timezone.now()
    AdvocateGrant.objects.create(
        user=pat,
        reason="Release week: helping with runner questions",
        starts_at=now - timedelta(hours=1),
        expires_at=now + timedelta(hours=23),
    )
    waiting = Ticket.objects.filter(
        status__in=Ticket.WAITING_STATUSES, assignee__isnull=True, first_reply_at__isnull=True
    ).order_by("-requested_at")
    # The newest waiting mention on a channel the desk can post to (the submission checks it, as Send does).
    for ticket in waiting[:40]:
        try:
            reply_submit(ticket=ticket, user=User.objects.get(pk=pat.pk), body=PAT_REPLY, status=Ticket.Status.PENDING)
        except (ValidationError, PermissionDenied):
            continue  # an account that cannot post there, a ticket taken meanwhile: the next one
        return True
    return False
