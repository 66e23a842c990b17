"""The ticket page's actions answered in place (mentions/views/in_place.py) and its panels loaded
after the first answer. The htmx requests carry the headers htmx 2 sends (HX-Request, HX-Target,
https://htmx.org/reference/#request_headers); the answers' headers (HX-Retarget, HX-Reswap,
HX-Redirect, HX-Trigger) are the ones htmx documents for responses."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from experts.tests.factories import ExpertFactory, ProductAreaFactory
from mentions.models import Message, Tag, Ticket
from mentions.services import ticket_mark_replied
from mentions.tests.factories import ManagerFactory, MessageFactory, TicketFactory, ViewFactory, seen

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _queries(client, url: str) -> int:
    # The session's first requests fill the session, permission and macro picker caches (the outreach settings'
    # row, made at its first read, retires the picker once: filled again at the second).
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_first_answer_carries_conversation_composer_and_the_experts_panel(advocate_client, handbook_macros):
    """The experts panel is cheap (the directory comes from memory, the outreaches are one query): it is in
    the first answer. The slow panels come in one request after it (tests/test_ticket_page_load.py counts
    what the page fires)."""
    ticket = TicketFactory(subject="Pipeline cache")
    MessageFactory(ticket=ticket, body="My pipeline cache never restores")
    url = ticket.get_absolute_url()
    without_experts = _queries(advocate_client, url)
    ExpertFactory(name="Vera", areas=[ProductAreaFactory(name="Verify", keywords=["pipeline", "cache"])])

    html = advocate_client.get(url).content.decode()
    assert 'data-testid="composer"' in html and "My pipeline cache never restores" in html
    assert 'data-testid="outreach-panel"' in html and "knows Verify: pipeline, cache" in html
    assert "score" not in html
    # With the handbook's macros (seeded here: transactional tests flush the migration's): 7, the macro picker
    # and the user from memory, the facts and experts panels in it, the answers after it, the history left for
    # its fold (tests/test_ticket_page_load.py names them); a suggested expert is one more (what they know).
    assert (without_experts, _queries(advocate_client, url)) == (7, 8)

    # A panel on its own (a folded one is asked for so) still answers; an unknown one is 404.
    panel = advocate_client.get(reverse("mentions:ticket-panel", args=[ticket.pk, "outreach"]))
    assert panel.status_code == 200 and 'data-testid="outreach-panel"' in panel.content.decode()
    assert advocate_client.get(reverse("mentions:ticket-panel", args=[ticket.pk, "nothing"])).status_code == 404


def test_without_javascript_the_panel_can_be_asked_for_inline(advocate_client):
    ticket = TicketFactory()
    MessageFactory(ticket=ticket, body="pipelines")
    html = advocate_client.get(f"{ticket.get_absolute_url()}?panels=inline").content.decode()
    assert 'data-testid="outreach-panel"' in html


def test_a_refused_action_answers_its_error_for_the_slot_beside_the_control(advocate_client):
    ticket = TicketFactory()
    MessageFactory(ticket=ticket)
    url = reverse("mentions:ticket-status", args=[ticket.pk])

    response = advocate_client.post(url, {"status": "nonsense", "seen": seen(ticket)}, **HTMX)

    assert response.status_code == 400
    assert response["HX-Retarget"] == "#result-status" and response["HX-Reswap"] == "outerHTML"
    html = response.content.decode()
    assert html.lstrip().startswith("{#") is False and 'id="result-status"' in html and "<html" not in html
    assert 'class="error"' in html and 'aria-live="polite"' in html


def test_a_stale_action_says_so_beside_the_control_and_changes_nothing(advocate_client):
    ticket = TicketFactory()
    MessageFactory(ticket=ticket)
    stale = seen(ticket)
    ticket_mark_replied(
        ticket=ticket, user=ManagerFactory(), body="On it", link="https://news.ycombinator.com/item?id=2"
    )

    response = advocate_client.post(
        reverse("mentions:ticket-note", args=[ticket.pk]), {"body": "note", "seen": stale}, **HTMX
    )

    assert response.status_code == 409
    assert "This ticket changed since you opened it" in response.content.decode()
    assert 'id="result-note"' in response.content.decode()
    assert not Message.objects.filter(ticket=ticket, kind=Message.Kind.NOTE).exists()


def test_a_done_action_answers_in_place_with_what_it_changed(advocate_client):
    ticket = TicketFactory()
    MessageFactory(ticket=ticket)

    response = advocate_client.post(
        reverse("mentions:ticket-note", args=[ticket.pk]), {"body": "<b>checked</b>", "seen": seen(ticket)}, **HTMX
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="result-note"' in html and "Note added." in html
    assert '<div id="conversation" data-testid="conversation" hx-swap-oob="true">' in html
    assert "&lt;b&gt;checked&lt;/b&gt;" in html and "<b>checked</b>" not in html
    assert json.loads(response["HX-Trigger"]) == {"ticketSeen": {"version": seen(ticket)}}
    # Said here, so not again on the next page.
    assert "Note added." not in advocate_client.get(ticket.get_absolute_url()).content.decode()


def test_a_fact_changed_in_place_answers_the_facts_whole(advocate_client):
    ticket = TicketFactory()
    MessageFactory(ticket=ticket)

    response = advocate_client.post(
        reverse("mentions:ticket-priority", args=[ticket.pk]), {"priority": "high", "seen": seen(ticket)}, **HTMX
    )

    assert response.status_code == 200 and response["HX-Retarget"] == "#ticket-facts"
    assert "is now high priority" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.priority == Ticket.Priority.HIGH


def test_an_action_that_moves_play_on_sends_the_browser_to_the_next_ticket(advocate_client):
    view = ViewFactory()
    first, second = TicketFactory.create_batch(2)
    for t in (first, second):
        MessageFactory(ticket=t)
    advocate_client.post(reverse("mentions:play", args=[view.slug]))
    first.refresh_from_db()
    assert first.served_to_id == advocate_client.user.pk

    response = advocate_client.post(
        reverse("mentions:ticket-status", args=[first.pk]), {"status": "solved", "seen": seen(first)}, **HTMX
    )

    assert response.status_code == 200 and response["HX-Redirect"] == second.get_absolute_url()


def test_without_javascript_a_done_action_redirects_to_the_ticket(advocate_client):
    ticket = TicketFactory()
    MessageFactory(ticket=ticket)
    response = advocate_client.post(
        reverse("mentions:ticket-note", args=[ticket.pk]), {"body": "a note", "seen": seen(ticket)}
    )
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()


def test_the_facts_are_in_the_first_answer(advocate_client):
    """The context column's facts (channel, clocks, status, priority, tags, assignment) are a cheap panel: in the
    first answer, and without JavaScript (`?panels=inline`) too. Who is asking is the requester card's, right
    after them (people)."""
    ticket = TicketFactory(subject="Runner offline", channel__name="Runner forum")
    MessageFactory(ticket=ticket, author_name="Dana Ops", body="The runner went offline")
    ticket.tags.add(Tag.objects.create(name="runner"))

    first = advocate_client.get(ticket.get_absolute_url()).content.decode()
    assert 'id="ticket-facts"' in first and "<dt>Channel</dt><dd>Runner forum" in first
    assert '<span class="tag">runner</span>' in first and 'name="status"' in first
    assert 'data-testid="panel-slot-ticket_facts"' not in first

    inline = advocate_client.get(ticket.get_absolute_url(), {"panels": "inline"}).content.decode()
    assert 'id="ticket-facts"' in inline and 'data-testid="panel-slot-ticket_facts"' not in inline
