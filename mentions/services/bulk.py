"""Bulk actions for managers on the ticket list: assign, tag, set priority or status on many
tickets at once. Each ticket changes through the same steps as on its page and gets its own
event; tickets already in the asked state are left alone and counted as unchanged. An advocate
may solve many at once the tickets they may solve one at a time (their own and unassigned ones):
the Noise view's review in bulk (mentions.views.view_list)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from mentions.models import Ticket
from mentions.services.assignment import assignee_change, queue_workers
from mentions.services.editing import priority_change
from mentions.services.events import status_set, tags_add, tags_remove

MAX_TICKETS = 200


class Action(models.TextChoices):
    ASSIGN = "assign", "Assign to…"
    UNASSIGN = "unassign", "Unassign (back to the queue)"
    ADD_TAG = "add_tag", "Add tag…"
    REMOVE_TAG = "remove_tag", "Remove tag…"
    PRIORITY = "priority", "Set priority…"
    STATUS = "status", "Set status…"

    @classmethod
    def done(cls, action: str, value: Any) -> str:
        """What happened to each ticket, in words ("assigned to ada")."""
        if action == cls.ASSIGN:
            return f"assigned to {value.get_username()}"
        return {
            cls.UNASSIGN: "back in the queue",
            cls.ADD_TAG: f"tagged {value}",
            cls.REMOVE_TAG: f"untagged {value}",
            cls.PRIORITY: f"set to {value} priority",
            cls.STATUS: f"set to {value}",
        }[cls(action)]


@dataclass
class BulkResult:
    changed: int
    unchanged: int
    missing: int

    def describe(self, what: str) -> str:
        parts = [f"{self.changed} ticket{'s' if self.changed != 1 else ''} {what}"]
        if self.unchanged:
            parts.append(f"{self.unchanged} already so")
        if self.missing:
            parts.append(f"{self.missing} no longer exist")
        return "; ".join(parts) + "."


def tickets_bulk(*, user: Any, ticket_ids: list[int], action: str, value: Any = None) -> BulkResult:
    """Apply `action` (with `value`: a user, tag name, priority or status) to every ticket."""
    manager = user.has_perm("mentions.manage_all_tickets")
    solving = action == Action.STATUS and value == Ticket.Status.SOLVED
    if not manager and not (solving and user.has_perm("mentions.work_queue")):
        raise PermissionDenied("Only managers change many tickets at once; advocates may solve them.")
    ids = sorted(set(ticket_ids))
    if not ids:
        raise ValidationError("Select at least one ticket.")
    if len(ids) > MAX_TICKETS:
        raise ValidationError(f"At most {MAX_TICKETS} tickets at once; narrow the list with the filters.")
    apply_one = _step(action, value)
    changed = unchanged = 0
    with transaction.atomic():
        # One transaction, rows locked in id order: all or nothing, and never a deadlock with
        # another bulk action or a Play claim (which locks one row at a time).
        tickets = list(Ticket.objects.select_for_update(of=("self",)).select_related("assignee").filter(pk__in=ids))
        if not manager and (theirs := [t for t in tickets if t.assignee_id not in (None, user.pk)]):
            # As on the ticket's page (mentions.services.events.ensure_can_act), and nothing changed.
            raise ValidationError(
                f"#{theirs[0].pk} is assigned to {theirs[0].assignee}: only a manager solves someone else's tickets."
            )
        for ticket in sorted(tickets, key=lambda t: t.pk):
            if apply_one(ticket, user):
                ticket.save()
                changed += 1
            else:
                unchanged += 1
    return BulkResult(changed=changed, unchanged=unchanged, missing=len(ids) - len(tickets))


def _step(action: str, value: Any) -> Callable[[Ticket, Any], bool]:
    if action == Action.ASSIGN:
        if value is None or not queue_workers().filter(pk=value.pk).exists():
            raise ValidationError("Choose someone who can work the queue.")
        return lambda ticket, user: assignee_change(ticket=ticket, to=value, actor=user, via="bulk")
    if action == Action.UNASSIGN:
        return lambda ticket, user: assignee_change(ticket=ticket, to=None, actor=user, via="bulk")
    if action in (Action.ADD_TAG, Action.REMOVE_TAG):
        if not value:
            raise ValidationError("Type the tag.")
        change = tags_add if action == Action.ADD_TAG else tags_remove
        return lambda ticket, user: bool(change(ticket=ticket, names=[value], actor=user))
    if action == Action.PRIORITY:
        if value not in Ticket.Priority.values:
            raise ValidationError("Choose a priority.")
        return lambda ticket, user: priority_change(ticket=ticket, priority=value, actor=user, via="bulk")
    if action == Action.STATUS:
        if value not in Ticket.Status.values:
            raise ValidationError("Choose a status.")
        return lambda ticket, user: _status(ticket, user, value)
    raise ValidationError("Choose an action.")


def _status(ticket: Ticket, user: Any, status: str) -> bool:
    if not status_set(ticket=ticket, status=status, actor=user, reason="bulk action"):
        return False
    if status in (Ticket.Status.PENDING, Ticket.Status.SOLVED):
        ticket.served_to = ticket.served_view = None
    return True
