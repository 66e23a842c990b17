"""The one door for ticket writes (mentions.services.drafts, versions.ticket_lock, ticket_change_status, notes):
a write against a version of the ticket that is no longer current changes nothing; a worker's write (no version)
goes through; writes made at once are ordered by the ticket's row lock, none lost (threads, each with its own
PostgreSQL connection). No platform is asked: these writes stay in the desk."""

from __future__ import annotations

import pytest

from mentions.models import Message, Ticket, TicketEvent
from mentions.services.actions import ticket_change_status
from mentions.services.drafts import ticket_draft_append, ticket_draft_set
from mentions.services.notes import note_add
from mentions.services.versions import TicketStale, ticket_version
from mentions.tests.concurrency import at_once
from mentions.tests.factories import AdvocateFactory, TicketFactory


@pytest.mark.django_db
def test_a_draft_append_written_against_an_older_version_changes_nothing_and_says_what_changed():
    ada, bo = AdvocateFactory(username="ada"), AdvocateFactory(username="bo")
    ticket = TicketFactory(reply_draft="Saved.")
    opened = ticket_version(ticket)
    ticket_change_status(ticket=ticket, user=bo, status=Ticket.Status.PENDING, seen_version=opened)

    with pytest.raises(TicketStale) as refused:
        ticket_draft_append(ticket=ticket, text="Inserted", user=ada, seen_version=opened, typed="Typed")

    assert "bo: status new → pending" in refused.value.messages[0]
    assert "your text is kept in the reply box" in refused.value.messages[0]
    assert Ticket.objects.get(pk=ticket.pk).reply_draft == "Saved."
    # Written against the current version, it goes after what the box held (the saved draft is replaced by it).
    ticket_draft_append(ticket=ticket, text="Inserted", user=ada, seen_version=ticket_version(ticket), typed="Typed")
    assert Ticket.objects.get(pk=ticket.pk).reply_draft == "Typed\n\nInserted"


@pytest.mark.django_db
def test_a_suggested_draft_never_replaces_words_an_advocate_started():
    started, empty = TicketFactory(reply_draft="Hi Dana, "), TicketFactory()
    assert not ticket_draft_set(ticket=started.pk, body="The story's answer", only_if_empty=True)
    assert ticket_draft_set(ticket=empty.pk, body="The story's answer", only_if_empty=True)
    assert Ticket.objects.get(pk=started.pk).reply_draft == "Hi Dana, "
    assert Ticket.objects.get(pk=empty.pk).reply_draft == "The story's answer"


@pytest.mark.django_db
def test_the_desk_itself_changes_a_status_with_its_reason_and_no_one_to_check():
    ticket = TicketFactory()
    ticket_change_status(ticket=ticket.pk, user=None, status=Ticket.Status.SOLVED, reason="expert answered")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED and ticket.solved_at is not None
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.STATUS)
    assert event.actor is None and event.data == {"from": "new", "to": "solved", "reason": "expert answered"}


@pytest.mark.django_db
def test_a_note_is_a_message_and_its_history_line():
    ticket = TicketFactory()
    note = note_add(ticket=ticket, body="Asked Kim", author=None, author_name="Kim (Slack)", via="slack")
    assert (note.kind, note.author_name, note.body) == (Message.Kind.NOTE, "Kim (Slack)", "Asked Kim")
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.NOTE)
    assert event.data == {"message_id": note.pk, "via": "slack"}


@pytest.mark.django_db(transaction=True)
def test_ten_inserts_at_once_each_land_in_the_draft_once():
    """Ten advocates' inserts on one ticket at the same moment, each on its own connection: the row lock orders
    them, so none is written over by another that read the draft before it (a read-then-update would lose some)."""
    ticket = TicketFactory()
    users = [AdvocateFactory(username=f"a{i}") for i in range(10)]
    version = ticket_version(ticket)
    at_once(
        len(users),
        lambda i: ticket_draft_append(ticket=ticket.pk, text=f"part {i}", user=users[i], seen_version=version),
    )
    parts = Ticket.objects.get(pk=ticket.pk).reply_draft.split("\n\n")
    assert sorted(parts) == sorted(f"part {i}" for i in range(10))
