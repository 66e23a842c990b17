"""Managers change many tickets at once from the ticket list; each ticket gets its own event."""

import pytest
from django.urls import reverse

from mentions.models import Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory, TicketFactory

pytestmark = pytest.mark.django_db
K = TicketEvent.Kind
URL = reverse("mentions:tickets-bulk")


def bulk(client, tickets, **data):
    return client.post(URL, {"ticket": [t.pk for t in tickets], "next": "/tickets/?status=new", **data})


def test_assign_tag_priority_and_status_each_write_one_event_per_ticket(manager_client):
    ada = AdvocateFactory(username="ada")
    tickets = [TicketFactory() for _ in range(3)]
    already = TicketFactory(assignee=ada)

    response = bulk(manager_client, [*tickets, already], action="assign", assignee=ada.pk)
    assert response.status_code == 302 and response["Location"] == "/tickets/?status=new"
    bulk(manager_client, tickets, action="add_tag", tag="Runner")
    bulk(manager_client, tickets, action="priority", priority="high")
    bulk(manager_client, tickets, action="status", status="pending")

    for ticket in tickets:
        ticket.refresh_from_db()
        assert (ticket.assignee, ticket.priority, ticket.high_priority, ticket.status) == (ada, "high", True, "pending")
        assert list(ticket.tags.values_list("name", flat=True)) == ["runner"]
        assert [e.kind for e in ticket.events.all()] == [K.ASSIGNED, K.TAG_ADDED, K.PRIORITY, K.STATUS]
        assert {e.actor for e in ticket.events.all()} == {manager_client.user}
    assert not already.events.exists()  # assigned to ada already: unchanged, no event


def test_the_result_is_said_in_words(manager_client):
    ada = AdvocateFactory(username="ada")
    tickets = [TicketFactory(), TicketFactory(assignee=ada)]
    response = manager_client.post(
        URL, {"ticket": [t.pk for t in tickets] + [999999], "action": "assign", "assignee": ada.pk}, follow=True
    )
    said = [str(m) for m in response.context["messages"]]
    assert said == ["1 ticket assigned to ada; 1 already so; 1 no longer exist."]


def test_unassign_returns_tickets_to_the_queue(manager_client):
    tickets = [TicketFactory(assignee=AdvocateFactory()) for _ in range(2)]
    bulk(manager_client, tickets, action="unassign")
    assert Ticket.objects.filter(pk__in=[t.pk for t in tickets], assignee__isnull=True).count() == 2
    assert TicketEvent.objects.filter(kind=K.UNASSIGNED, data__via="bulk").count() == 2


def test_advocates_cannot_use_bulk_actions_but_solving_and_see_no_checkboxes_on_the_list(
    advocate_client, manager_client
):
    """An advocate may solve in bulk what they may solve one at a time (the Noise view: test_view_list.py); nothing
    else, and the ticket list keeps its bulk form for managers."""
    ticket = TicketFactory()
    for data in ({"action": "status", "status": "pending"}, {"action": "priority", "priority": "high"}):
        assert bulk(advocate_client, [ticket], **data).status_code == 403
    assert bulk(advocate_client, [ticket], action="unassign").status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == "new" and ticket.priority == "normal" and not ticket.events.exists()
    assert 'data-testid="bulk-form"' not in advocate_client.get(reverse("mentions:tickets")).content.decode()
    assert 'data-testid="bulk-form"' in manager_client.get(reverse("mentions:tickets")).content.decode()


def test_bad_bulk_input_is_refused_in_words_and_changes_nothing(manager_client):
    ticket = TicketFactory()
    cases = [
        ({"action": "assign"}, "Choose someone who can work the queue."),
        ({"action": "add_tag", "tag": "two words"}, "One tag at a time."),
        ({"action": "priority", "priority": ""}, "Choose a priority."),
        ({"action": "explode"}, "Select a valid choice."),
    ]
    for data, said in cases:
        response = manager_client.post(URL, {"ticket": [ticket.pk], **data}, follow=True)
        assert any(said in str(m) for m in response.context["messages"]), data
    response = manager_client.post(URL, {"action": "unassign"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Select at least one ticket."]
    assert not ticket.events.exists()


def test_next_never_leaves_the_desk(manager_client):
    response = bulk(manager_client, [TicketFactory()], action="unassign", next="https://evil.example/")
    assert response["Location"] == reverse("mentions:tickets")
