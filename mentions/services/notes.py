"""Internal notes: the one function that makes one (tests/test_ticket_writes.py checks there is no other), for the
composer's Internal note, a macro's "Add internal note" and a reply in an outreach's Slack thread."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from mentions.models import Message, Ticket, TicketEvent
from mentions.services.events import event_record


def note_add(
    *,
    ticket: Ticket,
    body: str,
    author: Any,
    author_name: str = "",
    author_handle: str = "",
    at: datetime | None = None,
    external_id: str | None = None,
    thread_external_id: str = "",
    permalink: str = "",
    **event_data: Any,
) -> Message:
    """The note, only the team sees it, and its line in the ticket's history (`event_data` joins the line's data,
    e.g. via="slack"). `author`: the desk user who wrote it, or None (a Slack member with no desk account:
    `author_name` says who). `external_id`: where the note came from, which makes it once only (a Slack
    message); the caller's savepoint takes the IntegrityError of a second one. Notes do not conflict with a reply
    being written (versions.py): no version is checked, and the caller saves the ticket if it changed it."""
    note = Message.objects.create(
        ticket=ticket,
        channel_id=ticket.channel_id,
        kind=Message.Kind.NOTE,
        external_id=external_id,
        thread_external_id=thread_external_id,
        author_handle=author_handle,
        author_name=author_name or (author.get_username() if author is not None else ""),
        author_user=author,
        body=body,
        permalink=permalink,
        platform_created_at=at or timezone.now(),
    )
    event_record(ticket=ticket, kind=TicketEvent.Kind.NOTE, actor=author, message_id=note.pk, **event_data)
    return note
