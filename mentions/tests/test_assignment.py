"""Release and reassign from the ticket page, each in the history; Play from one view says so
when it hands back a ticket held from another."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from mentions.models import Ticket, TicketEvent, View
from mentions.selectors import queue_summary
from mentions.services import ticket_claim_next
from mentions.tests.factories import AdvocateFactory, ManagerFactory, MessageFactory, TicketFactory, seen
from mentions.tests.pages import refused_page, result_slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def view():
    return View.objects.create(name="All mentions", slug="all")


def _held_by(user, view):
    MessageFactory(ticket=TicketFactory(subject="Runner registration fails"))
    return ticket_claim_next(view=view, user=user)


def test_the_assignee_releases_a_ticket_with_a_reason_and_it_returns_to_the_queue(client, view):
    ada = AdvocateFactory(username="ada")
    ticket = _held_by(ada, view)
    client.force_login(ada)
    url = reverse("mentions:ticket-release", args=[ticket.pk])

    refused = client.post(url, {"seen": seen(ticket), "reason": "  "})
    assert "Why release it?: This field is required." in result_slot(
        refused_page(client, refused, ticket, "release"), "release"
    )
    ticket.refresh_from_db()
    assert ticket.assignee == ada

    response = client.post(url, {"seen": seen(ticket), "reason": "needs someone who knows the runner"})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.served_to, ticket.status) == (None, None, Ticket.Status.OPEN)
    event = ticket.events.get(kind=TicketEvent.Kind.UNASSIGNED)
    assert event.actor == ada and event.data == {"reason": "needs someone who knows the runner", "via": "release"}
    assert next(s.waiting for s in queue_summary() if s.view == view) == 1
    # Someone else, or the same person again, cannot release what they do not hold.
    # Refused: the ticket page has no release control for who does not hold it, so the reason is said
    # at the top of the page instead.
    client.force_login(AdvocateFactory())
    page = refused_page(client, client.post(url, {"seen": seen(ticket), "reason": "x"}), ticket, "release")
    assert 'data-testid="result-release"' not in page
    assert "Not done: This ticket is not assigned: it is in the queue already." in page
    refused = client.post(url, {"seen": seen(ticket), "reason": "x"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400
    assert "This ticket is not assigned: it is in the queue already." in refused.content.decode()
    assert ticket.events.filter(kind=TicketEvent.Kind.UNASSIGNED).count() == 1


def test_a_manager_reassigns_to_anyone_with_queue_access_and_nobody_else(client, view):
    ada, bo = AdvocateFactory(username="ada"), AdvocateFactory(username="bo")
    outsider = get_user_model().objects.create_user("outsider", password="pw")
    ticket = _held_by(ada, view)
    url = reverse("mentions:ticket-assign", args=[ticket.pk])

    client.force_login(ada)  # an advocate sees no reassign form and cannot post one
    assert 'action="' + url not in client.get(ticket.get_absolute_url(), {"panels": "inline"}).content.decode()
    assert client.post(url, {"seen": seen(ticket), "assignee": bo.pk}).status_code == 403

    client.force_login(ManagerFactory(username="meg"))
    page = client.get(ticket.get_absolute_url(), {"panels": "inline"}).content.decode()
    assert 'action="' + url in page and ">bo<" in page and ">outsider<" not in page
    refused = client.post(url, {"seen": seen(ticket), "assignee": outsider.pk})
    assert "Assign to: Select a valid choice." in result_slot(refused_page(client, refused, ticket, "assign"), "assign")
    assert client.post(url, {"seen": seen(ticket), "assignee": bo.pk}).status_code == 302

    ticket.refresh_from_db()
    assert ticket.assignee == bo and ticket.served_to is None
    event = ticket.events.filter(kind=TicketEvent.Kind.ASSIGNED).order_by("-id").first()
    assert event.actor.username == "meg"
    assert event.data == {"from": "ada", "to": "bo", "via": "manager"}


def test_play_from_another_view_says_which_view_holds_your_ticket(client, view):
    ada = AdvocateFactory(username="ada")
    held = _held_by(ada, view)
    other = View.objects.create(name="High priority", slug="high", high_priority_only=True)
    client.force_login(ada)

    response = client.post(reverse("mentions:play", args=[other.slug]), follow=True)

    assert response.redirect_chain[-1][0] == held.get_absolute_url()
    assert f"You still hold #{held.pk} from “All mentions”" in response.content.decode()
