"""Send all: an issue's drafted follow-ups go out as a story's answer does (stories.answering.services and
.sending): one press queues every draft (`followups_send_press`), the worker (`stories.issue_followups_send`,
acks_late) posts each through the desk's one reply path, `ticket_send_reply`, under the follow-up's own key.

The key is deterministic: (issue, ticket, event, attempt). A second press, a retry of the task, two workers at
once, each asks with the same key and gets the first one's outcome, so each requester hears it once. A follow-up
the platform refused (nothing posted) is sent again under its next attempt's key; one whose outcome is unknown (a
worker lost mid-send: the ReplySend swept to "unknown") is never posted again by the desk: the advocate checks the
platform. The history of each ticket says "issue ... closed: follow-up sent".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from advocacy.enqueue import task_enqueue_on_commit
from mentions.models import IssueLink, ReplySend, Ticket, TicketEvent
from mentions.services.events import event_record
from mentions.services.outward_policy import outward_allowed
from stories.answering.drafted_send import drafted_finish, drafted_reply_send
from stories.locks import ensure_can_work
from stories.models import IssueFollowUp

TASK = "stories.issue_followups_send"


@dataclass
class Press:
    queued: int = 0
    already: int = 0  # on their way from an earlier press
    uncertain: int = 0  # may be on the platform: check there
    yourself: int = 0  # where the desk cannot post: reply there
    skipped: int = 0  # assigned to another advocate

    def describe(self) -> str:
        said = [f"{self.queued} follow-up{'' if self.queued == 1 else 's'} on the way"]
        if self.already:
            said.append(f"{self.already} already on the way")
        if self.uncertain:
            said.append(f"{self.uncertain} may already be posted: check the platform")
        if self.yourself:
            said.append(f"{self.yourself} to answer on the platform yourself")
        if self.skipped:
            said.append(f"{self.skipped} assigned to someone else: skipped")
        return ", ".join(said) + "."


def _uncertain(rows: list[IssueFollowUp]) -> set[str]:
    keys = [r.send_key for r in rows]
    return set(ReplySend.objects.filter(key__in=keys, status=ReplySend.Status.UNKNOWN).values_list("key", flat=True))


def followups_send_press(*, link: IssueLink, user: Any) -> Press:
    """Queue every follow-up of the issue still to send; the worker posts them. ValidationError: nothing to send;
    OutwardRefused: someone whose replies wait for approval (the outward policy)."""
    ensure_can_work(user)
    outward_allowed(user, "followups_send")
    manager = user.has_perm("mentions.manage_all_tickets")
    press = Press()
    with transaction.atomic():
        rows = list(
            IssueFollowUp.objects.select_for_update(of=("self",))
            .filter(issue=link)
            .select_related("ticket")
            .order_by("pk")
        )
        uncertain = _uncertain([r for r in rows if r.status == IssueFollowUp.Status.FAILED])
        for row in rows:
            if row.status in IssueFollowUp.IN_FLIGHT:
                press.already += 1
            elif row.status not in IssueFollowUp.SENDABLE:
                continue
            elif not row.handle:
                press.yourself += 1
            elif row.send_key in uncertain:
                press.uncertain += 1
            elif row.ticket.assignee_id not in (None, user.pk) and not manager:
                row.status, row.error = IssueFollowUp.Status.SKIPPED, f"assigned to {row.ticket.assignee}"
                row.save(update_fields=["status", "error", "updated_at"])
                press.skipped += 1
            else:
                if row.status == IssueFollowUp.Status.FAILED:
                    row.attempt += 1  # refused, nothing posted: a new post under a new key
                row.status, row.error, row.sent_by = IssueFollowUp.Status.QUEUED, "", user
                row.save(update_fields=["status", "error", "attempt", "sent_by", "updated_at"])
                press.queued += 1
        if not press.queued and not press.already:
            raise ValidationError("Nothing to send: " + (press.describe() if rows else "no follow-up is drafted."))
        # Queued again with replies still on their way: harmless (each one's key), and it picks up a lost worker's.
        task_enqueue_on_commit(TASK, link.pk, user.pk)
    return press


def followups_send(*, issue_id: int, user_id: int) -> dict[str, int]:
    """The worker: send every queued follow-up of the issue as the advocate who pressed. Returns {outcome: n}."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    ids = IssueFollowUp.objects.filter(issue_id=issue_id, status__in=IssueFollowUp.IN_FLIGHT).order_by("pk")
    outcomes: Counter[str] = Counter()
    for pk in list(ids.values_list("pk", flat=True)):
        outcomes[_one(pk, user)] += 1
    return dict(outcomes)


def _one(pk: int, user: Any) -> str:
    with transaction.atomic():
        row = IssueFollowUp.objects.select_for_update().filter(pk=pk, status__in=IssueFollowUp.IN_FLIGHT).first()
        if row is None:
            return "gone"
        if user is None:
            drafted_finish(
                IssueFollowUp,
                pk,
                IssueFollowUp.Status.FAILED,
                error="The advocate who sent it cannot sign in any more.",
            )
            return IssueFollowUp.Status.FAILED
        row.status = IssueFollowUp.Status.SENDING
        row.save(update_fields=["status", "updated_at"])
    outcome = drafted_reply_send(row, user, what=f"issues: follow-up {pk}")
    if outcome.status != IssueFollowUp.Status.SENT:
        drafted_finish(IssueFollowUp, pk, outcome.status, error=outcome.error)
        return outcome.status
    if drafted_finish(IssueFollowUp, pk, IssueFollowUp.Status.SENT, link=outcome.link):
        issue = IssueLink.objects.get(pk=row.issue_id)
        event_record(
            ticket=Ticket.objects.get(pk=row.ticket_id),
            kind=TicketEvent.Kind.ISSUE,
            actor=user,
            action="followup_sent",
            event=row.event,
            issue=str(issue),
            url=outcome.link,
            milestone=row.milestone,
            handle=row.handle,
        )
    return IssueFollowUp.Status.SENT
