"""Experts nudged, and asked next (issue 44): an outreach without an answer is nudged once in its Slack thread, and
on silence after the nudge, or on the expert's "Not me", its advocate is told and the next expert offered.

The clock is the coverage schedule's (mentions.coverage): DESK_OUTREACH_NUDGE_HOURS business hours after the
outreach was sent it is due for its nudge; as long again after the nudge, for the silence. Each step is claimed by
a conditional UPDATE of its own field (`nudged_at`, `silence_told_at`) before anything is said, so two beat runs,
or two workers, never nudge or tell twice: at most once, not at least once (a worker killed between the claim and
the post loses that nudge; the advocate is still told of the silence later).

Posting is notifications' (notifications.outreach_nudge, the beat task): experts knows which outreach is due and
what the advocate is told; the Slack DM to the advocate is a hook notifications registers (ADVOCATE_TOLD_HOOKS).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from experts.models import Outreach
from experts.services import outreach_note
from mentions.coverage import Coverage, coverage_load
from mentions.models import Ticket

BATCH = 200
SILENT, SILENT_UNNUDGED, NOT_ME = "silent", "silent_unnudged", "not_me"
NUDGE_FAILED = "Its nudge did not go out."  # how outreach_nudged starts the outreach's last_error
TOLD_SAID = {
    SILENT: "{expert} has not answered, even after a nudge",
    SILENT_UNNUDGED: "{expert} has not answered, and the nudge could not go out (Slack refused it)",
    NOT_ME: "{expert} said it is not theirs",
}


@dataclass(frozen=True)
class AdvocateTold:
    """What the advocate who asked is told: the ticket, who, and why (SILENT, SILENT_UNNUDGED or NOT_ME)."""

    ticket_id: int
    subject: str
    advocate_id: int
    expert_name: str
    why: str

    @property
    def said(self) -> str:
        return TOLD_SAID[self.why].format(expert=self.expert_name)


# Called inside the telling transaction (notifications registers the Slack DM in its AppConfig.ready; experts
# never imports notifications).
ADVOCATE_TOLD_HOOKS: list[Callable[[list[AdvocateTold]], None]] = []


def nudge_hours() -> float:
    return float(settings.DESK_OUTREACH_NUDGE_HOURS)


def outreaches_due_nudge(*, now: datetime, coverage: Coverage | None = None) -> list[Outreach]:
    """Sent outreaches, never nudged, whose expert has been silent the set business hours. Covered hours are never
    more than calendar hours, so only outreaches sent at least that long ago are read."""
    hours = nudge_hours()
    rows = list(
        Outreach.objects.select_related("expert", "ticket")
        .filter(status=Outreach.Status.SENT, nudged_at__isnull=True, sent_at__lte=now - timedelta(hours=hours))
        .exclude(slack_ts="")
        .order_by("sent_at", "pk")[:BATCH]
    )
    if not rows:
        return []
    coverage = coverage or coverage_load()
    return [o for o in rows if o.sent_at is not None and coverage.business_after(o.sent_at, hours) <= now]


def outreach_nudge_claim(*, outreach_id: int, now: datetime) -> bool:
    """Claim the outreach's one nudge: True for the one caller whose UPDATE found it still unnudged and open."""
    claimed = Outreach.objects.filter(pk=outreach_id, status=Outreach.Status.SENT, nudged_at__isnull=True).update(
        nudged_at=now, updated_at=now
    )
    return claimed == 1


def outreach_nudge_release(*, outreach_id: int, claimed_at: datetime) -> None:
    """Slack was busy: the claim is given back so the next beat tries again (only the claim this run made)."""
    Outreach.objects.filter(pk=outreach_id, nudged_at=claimed_at).update(nudged_at=None)


def outreach_nudged(outreach: Outreach, **data: Any) -> None:
    """The nudge is posted (or refused for good): said in the ticket's history. A refusal is said on the outreach
    too, so its row on the ticket page says the nudge did not go out (Slack not connected) instead of nothing."""
    outreach_note(outreach, None, nudged=True, **data)
    if data.get("error"):
        Outreach.objects.filter(pk=outreach.pk).update(
            last_error=f"{NUDGE_FAILED} {data['error']}.", updated_at=timezone.now()
        )


def outreaches_silent_tell(*, now: datetime, coverage: Coverage | None = None) -> list[AdvocateTold]:
    """Nudged outreaches still unanswered the set business hours after their nudge: each advocate told once."""
    hours = nudge_hours()
    rows = list(
        Outreach.objects.select_related("expert", "ticket")
        .filter(
            status=Outreach.Status.SENT,
            nudged_at__lte=now - timedelta(hours=hours),
            silence_told_at__isnull=True,
        )
        .order_by("nudged_at", "pk")[:BATCH]
    )
    if not rows:
        return []
    coverage = coverage or coverage_load()
    told: list[AdvocateTold] = []
    for outreach in rows:
        assert outreach.nudged_at is not None  # the filter's
        if coverage.business_after(outreach.nudged_at, hours) > now:
            continue
        with transaction.atomic():
            if not Outreach.objects.filter(pk=outreach.pk, silence_told_at__isnull=True).update(silence_told_at=now):
                continue  # another run told it
            # "Even after a nudge" only when the nudge went out: a refused one is said as such.
            why = SILENT_UNNUDGED if outreach.last_error.startswith(NUDGE_FAILED) else SILENT
            told += advocate_tell(outreach, why=why, now=now)
    return told


def advocate_tell(
    outreach: Outreach, *, why: str, now: datetime | None = None, actor: Any = None
) -> list[AdvocateTold]:
    """Tell the advocate who asked (else the ticket's owner): the ticket's history says so, the ticket is marked
    "updated" on its owner's My tickets (the desk's in-desk notice, mentions.services.followups), and the hooks
    send the Slack DM. Its expert panel then offers the next expert (experts.ticket_panel). Inside a transaction."""
    now = now or timezone.now()
    ticket = outreach.ticket
    advocate_id = outreach.advocate_id or ticket.assignee_id
    outreach_note(outreach, actor, told=why)
    Ticket.objects.filter(pk=ticket.pk, assignee__isnull=False).update(
        followup_at=Coalesce("followup_at", now), updated_at=now
    )
    if advocate_id is None:
        return []
    told = [
        AdvocateTold(
            ticket_id=ticket.pk,
            subject=ticket.subject,
            advocate_id=advocate_id,
            expert_name=outreach.expert.name,
            why=why,
        )
    ]
    for hook in ADVOCATE_TOLD_HOOKS:
        hook(told)
    return told
