"""Priority, tags and merges edited from the ticket page: each change audited, the clock moved."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from channels.tests.factories import ChannelFactory
from mentions.models import Message, Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory, seen
from mentions.tests.pages import refused_page, result_slot

pytestmark = pytest.mark.django_db
K = TicketEvent.Kind


def post(client, ticket, name, data):
    ticket.refresh_from_db()
    return client.post(reverse(f"mentions:{name}", args=[ticket.pk]), {"seen": seen(ticket), **data})


def test_an_advocate_raises_the_priority_and_the_ticket_moves_to_the_5h_target(advocate_client):
    requested = timezone.now() - timedelta(hours=1)
    ticket = TicketFactory(channel=ChannelFactory(high_priority=False), requested_at=requested)
    ticket.sla_target, ticket.sla_due_at = Ticket.SlaTarget.ALL, requested + timedelta(hours=7)
    ticket.save()

    response = post(advocate_client, ticket, "ticket-priority", {"priority": "high"})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.high_priority) == ("high", True)
    assert (ticket.sla_target, ticket.sla_due_at) == (Ticket.SlaTarget.HIGH_PRIORITY, requested + timedelta(hours=5))
    event = ticket.events.get(kind=K.PRIORITY)
    assert (event.actor, event.data) == (advocate_client.user, {"from": "normal", "to": "high"})
    # The same priority again changes nothing and records nothing.
    post(advocate_client, ticket, "ticket-priority", {"priority": "high"})
    assert ticket.events.filter(kind=K.PRIORITY).count() == 1


def test_tags_are_replaced_with_one_event_per_tag_added_or_removed(advocate_client):
    ticket = TicketFactory()
    post(advocate_client, ticket, "ticket-tags", {"tags": "ci, Runner  ci"})
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["ci", "runner"]

    post(advocate_client, ticket, "ticket-tags", {"tags": "runner security"})

    assert sorted(ticket.tags.values_list("name", flat=True)) == ["runner", "security"]
    events = [(e.kind, e.data["tag"]) for e in ticket.events.filter(kind__in=[K.TAG_ADDED, K.TAG_REMOVED])]
    assert events == [
        (K.TAG_ADDED, "ci"),
        (K.TAG_ADDED, "runner"),
        (K.TAG_REMOVED, "ci"),
        (K.TAG_ADDED, "security"),
    ]
    ticket.refresh_from_db()
    assert ticket.sla_target == Ticket.SlaTarget.SECURITY  # the security tag moved the clock


def test_a_bad_tag_is_refused_in_words_and_changes_nothing(advocate_client):
    ticket = TicketFactory()
    response = post(advocate_client, ticket, "ticket-tags", {"tags": "ok <script>"})
    html = refused_page(advocate_client, response, ticket, "tags")
    said = result_slot(html, "tags")
    assert "is not a tag name" in said and "&lt;script&gt;" in said
    assert "<script>" not in html  # shown escaped, beside the control and in the field as typed
    assert not ticket.tags.exists() and not ticket.events.exists()


def test_an_advocate_cannot_edit_a_ticket_assigned_to_someone_else(advocate_client):
    ticket = TicketFactory(assignee=AdvocateFactory())
    response = post(advocate_client, ticket, "ticket-priority", {"priority": "urgent"})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.priority == "normal"


def test_merge_moves_the_conversation_and_both_histories_say_so(advocate_client):
    channel = ChannelFactory()
    base = timezone.now() - timedelta(hours=3)
    source = TicketFactory(channel=channel, requested_at=base, priority="urgent", high_priority=True)
    MessageFactory(ticket=source, channel=channel, body="Runner stuck on arm64", platform_created_at=base)
    source.tags.create(name="runner")
    post(advocate_client, source, "ticket-note", {"body": "looks like the same report"})
    target = TicketFactory(channel=channel, requested_at=base + timedelta(hours=1))
    MessageFactory(
        ticket=target, channel=channel, body="Still stuck, any news?", platform_created_at=base + timedelta(hours=1)
    )

    response = post(advocate_client, source, "ticket-merge", {"target": target.pk, "reason": "same requester"})

    assert response.status_code == 302
    source.refresh_from_db()
    target.refresh_from_db()
    assert source.merged_into == target and source.status == Ticket.Status.SOLVED
    assert list(source.messages.all()) == []
    bodies = list(target.messages.order_by("platform_created_at").values_list("kind", "body"))
    assert bodies == [
        (Message.Kind.INBOUND, "Runner stuck on arm64"),
        (Message.Kind.INBOUND, "Still stuck, any news?"),
        (Message.Kind.NOTE, "looks like the same report"),
    ]
    assert target.requested_at == base  # the conversation started with the source's message
    assert (target.priority, target.high_priority) == ("urgent", True)
    assert list(target.tags.values_list("name", flat=True)) == ["runner"]
    assert target.sla_due_at == base + timedelta(hours=5)
    assert [e.kind for e in source.events.all()] == [K.STATUS, K.MERGED_INTO]
    assert source.events.get(kind=K.MERGED_INTO).data == {"into": target.pk, "reason": "same requester"}
    merged = target.events.get(kind=K.MERGED)
    assert (merged.data["source"], merged.data["messages"], merged.data["tags"]) == (source.pk, 2, ["runner"])
    assert target.events.filter(kind=K.NOTE).count() == 1  # the source's history moved with it

    # The merged ticket's page leads to the target.
    page = advocate_client.get(reverse("mentions:ticket", args=[source.pk]), follow=True)
    assert page.redirect_chain == [(reverse("mentions:ticket", args=[target.pk]), 302)]
    assert f"#{source.pk} was merged into #{target.pk}" in page.content.decode()


def test_merge_refuses_itself_a_missing_ticket_and_a_merged_one(advocate_client):
    ticket, other = TicketFactory(), TicketFactory()

    def refused(target) -> str:
        response = post(advocate_client, ticket, "ticket-merge", {"target": target})
        return result_slot(refused_page(advocate_client, response, ticket, "merge"), "merge")

    assert "A ticket cannot be merged into itself." in refused(ticket.pk)
    assert "There is no ticket #999999" in refused(999999)
    assert post(advocate_client, other, "ticket-merge", {"target": ticket.pk}).status_code == 302
    assert "merge into that one" in refused(other.pk)
    assert not ticket.events.filter(kind__in=[K.MERGED_INTO]).exists()


def test_a_form_opened_before_a_merge_is_refused(advocate_client):
    ticket, other = TicketFactory(), TicketFactory()
    ticket.refresh_from_db()
    stale = seen(ticket)
    post(advocate_client, other, "ticket-merge", {"target": ticket.pk})
    url = reverse("mentions:ticket-reply", args=[ticket.pk])
    response = advocate_client.post(url, {"seen": stale, "body": "hi", "status": "solved"})
    html = refused_page(advocate_client, response, ticket, "reply")
    assert "This ticket changed since you opened it" in result_slot(html, "reply")
    response = advocate_client.post(url, {"seen": stale, "body": "hi", "status": "solved"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409  # stale, not invalid
    assert not ticket.messages.filter(kind=Message.Kind.OUR_REPLY).exists()
