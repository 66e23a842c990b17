"""Editing a ticket's priority and tags from the desk (ticket page, bulk actions, admin).

Each change is one audited step with the same rules everywhere: priority moves the first-reply
clock (high and urgent are measured against the high-priority target), the security tag moves it
to one business day, and every added or removed tag is its own event.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from mentions.models import Ticket, TicketEvent
from mentions.services.events import ensure_can_act, event_record, tags_add, tags_remove
from mentions.services.sla import ticket_sla_refresh
from mentions.services.versions import ticket_lock

# Tag names are slugs (Tag.name is a unicode SlugField): letters, digits, "-" and "_".
_TAG = re.compile(r"^[-\w]+\Z")
MAX_TAGS = 30


def tag_names_parse(text: str) -> list[str]:
    """Tags as typed: separated by spaces or commas, case-folded, each once, in order."""
    names: list[str] = []
    for raw in re.split(r"[\s,]+", text or ""):
        name = raw.strip().lower()
        if not name:
            continue
        if len(name) > 64 or not _TAG.match(name):
            raise ValidationError(
                f"“{name[:70]}” is not a tag name: use letters, digits, “-” or “_” (at most 64), no spaces."
            )
        if name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise ValidationError(f"At most {MAX_TAGS} tags on one ticket.")
    return names


def priority_change(*, ticket: Ticket, priority: str, actor: Any, via: str = "") -> bool:
    """In a transaction holding the ticket's lock: set the priority, record it, move the clock.
    The caller saves the ticket. True if it changed."""
    if priority not in Ticket.Priority.values:
        raise ValidationError(f"Unknown priority {priority!r}.")
    before = ticket.priority
    if not ticket.priority_set(priority):
        return False
    data: dict[str, Any] = {"from": before, "to": priority}
    if via:
        data["via"] = via
    event_record(ticket=ticket, kind=TicketEvent.Kind.PRIORITY, actor=actor, **data)
    ticket_sla_refresh(ticket=ticket, save=False)
    return True


def tags_replace(*, ticket: Ticket, names: list[str], actor: Any) -> tuple[list[str], list[str]]:
    """In a transaction holding the ticket's lock: make the ticket's tags exactly `names`."""
    present = list(ticket.tags.values_list("name", flat=True))
    removed = tags_remove(ticket=ticket, names=[n for n in present if n not in names], actor=actor)
    added = tags_add(ticket=ticket, names=[n for n in names if n not in present], actor=actor)
    return added, removed


def ticket_set_priority(
    *, ticket: Ticket, user: Any, priority: str, via: str = "", seen_version: int | None = None
) -> bool:
    """`seen_version`: the ticket's version the advocate saw (versions.py), here and in ticket_set_tags."""
    with transaction.atomic():
        ticket = ticket_lock(ticket, seen_version=seen_version, related=())
        ensure_can_act(ticket=ticket, user=user)
        changed = priority_change(ticket=ticket, priority=priority, actor=user, via=via)
        if changed:
            ticket.save(update_fields=["priority", "high_priority", "sla_target", "sla_due_at", "updated_at"])
    return changed


def ticket_set_tags(
    *, ticket: Ticket, user: Any, names: list[str], seen_version: int | None = None
) -> tuple[list[str], list[str]]:
    """Replace the ticket's tags; returns (added, removed)."""
    with transaction.atomic():
        ticket = ticket_lock(ticket, seen_version=seen_version, related=())
        ensure_can_act(ticket=ticket, user=user)
        added, removed = tags_replace(ticket=ticket, names=names, actor=user)
        if added or removed:
            ticket.save(update_fields=["updated_at"])
    return added, removed


def ticket_admin_update(
    *, ticket: Ticket, user: Any, status: str, priority: str, assignee: Any, tag_names: list[str]
) -> list[str]:
    """An admin's edit of a ticket, through the same steps and events as the desk's (each event
    says via="admin"). Returns what changed, in words, for the admin's message."""
    from mentions.services.assignment import assignee_change
    from mentions.services.events import status_set

    changed: list[str] = []
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=ticket.pk)
        if status_set(ticket=ticket, status=status, actor=user, reason="changed in admin"):
            changed.append(f"status {status}")
            if status in (Ticket.Status.PENDING, Ticket.Status.SOLVED):
                ticket.served_to = ticket.served_view = None
        if priority_change(ticket=ticket, priority=priority, actor=user, via="admin"):
            changed.append(f"priority {priority}")
        if assignee_change(ticket=ticket, to=assignee, actor=user, via="admin"):
            changed.append(f"assignee {assignee.get_username() if assignee else 'nobody'}")
        added, removed = tags_replace(ticket=ticket, names=tag_names, actor=user)
        changed += [f"tag {n} added" for n in added] + [f"tag {n} removed" for n in removed]
        ticket.save()
    return changed
