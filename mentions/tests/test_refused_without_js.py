"""A refused action without JavaScript: post, redirect, get (mentions/views/refused.py).

Covers, for a browser that posts the ticket page's forms itself (no htmx):
- a refused note (stale: the ticket changed since the page was opened) and a refused reply (invalid
  link) answer 303 to the ticket's own address with `#result-<key>`; the page there shows what was typed
  in the form and the error in that control's result slot, nowhere else, and its forms carry the
  current version, so a deliberate resubmit goes through;
- the refused form is shown once: the next view of the page is the plain page again;
- following the redirect and reloading never post again: the history and the messages are unchanged;
- the refused form is kept per ticket: another ticket's page does not show it;
- a session entry naming anything but one of the ticket page's form classes (mentions.forms,
  experts.forms), as a tampered session could, is dropped: the page answers 200 without it.
"""

import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from mentions.models import Message, TicketEvent
from mentions.tests.factories import AdvocateFactory, TicketFactory, seen
from mentions.tests.pages import refused_page, result_slot
from mentions.views.refused import SESSION_KEY

pytestmark = pytest.mark.django_db

TYPED = "Asked <b>Kim</b> about the runner & the cache"
TYPED_HTML = "Asked &lt;b&gt;Kim&lt;/b&gt; about the runner &amp; the cache"
STALE = "This ticket changed since you opened it"


def _note_textarea(html: str) -> str:
    [body] = re.findall(r'<textarea name="body" id="note-body"[^>]*>(.*?)</textarea>', html, re.S)
    return body


def _form_seen(html: str, key: str) -> int:
    [version] = re.findall(rf'action="[^"]*/{key}/"[^>]*>.*?<input type="hidden" name="seen" value="(\d+)">', html)
    return int(version)


@pytest.fixture
def stale_note(advocate_client):
    """Ada opened the ticket; Bo changed its status; Ada posts a note from the page she opened."""
    ticket = TicketFactory()
    opened = seen(ticket)
    bo = Client()
    bo.force_login(AdvocateFactory(username="bo"))
    changed = bo.post(reverse("mentions:ticket-status", args=[ticket.pk]), {"seen": opened, "status": "pending"})
    assert changed.status_code == 302
    before = (TicketEvent.objects.filter(ticket=ticket).count(), Message.objects.filter(ticket=ticket).count())
    response = advocate_client.post(reverse("mentions:ticket-note", args=[ticket.pk]), {"seen": opened, "body": TYPED})
    return ticket, response, before


def _counts(ticket) -> tuple[int, int]:
    return TicketEvent.objects.filter(ticket=ticket).count(), Message.objects.filter(ticket=ticket).count()


def test_a_stale_note_leads_to_the_ticket_page_with_the_text_and_the_reason_beside_the_note(
    advocate_client, stale_note
):
    ticket, response, before = stale_note

    assert response.status_code == 303
    assert response["Location"] == f"/tickets/{ticket.pk}/#result-note"
    html = refused_page(advocate_client, response, ticket, "note")
    said = result_slot(html, "note")
    assert STALE in said and "bo: status new → pending" in said
    assert _note_textarea(html) == TYPED_HTML  # what was typed, escaped
    assert "fold-slot" in html  # merge's slot is in its closed menu (mentions.ticket_page.folds): not in this page
    for other in ("reply", "macro"):  # (status and tags are in the facts panel, loaded after the page)
        assert result_slot(html, other) == "", other  # the error is beside the note only
    assert _counts(ticket) == before
    # The page carries the version it shows: posting the note again, on purpose, goes through.
    assert _form_seen(html, "note") == seen(ticket)
    again = advocate_client.post(
        reverse("mentions:ticket-note", args=[ticket.pk]), {"seen": _form_seen(html, "note"), "body": TYPED}
    )
    assert again.status_code == 302
    assert Message.objects.filter(ticket=ticket, kind=Message.Kind.NOTE).get().body == TYPED


def test_an_invalid_reply_leads_to_the_ticket_page_with_what_was_typed_and_the_error(advocate_client):
    ticket = TicketFactory(assignee=advocate_client.user)
    response = advocate_client.post(
        reverse("mentions:ticket-reply", args=[ticket.pk]),
        {"seen": seen(ticket), "body": TYPED, "link": "not a link", "status": "pending"},
    )

    html = refused_page(advocate_client, response, ticket, "reply")
    assert "Link to the posted reply: Enter a valid URL." in result_slot(html, "reply")
    assert f">{TYPED_HTML}</textarea>" in html and 'value="not a link"' in html
    assert result_slot(html, "note") == ""
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_the_refused_form_is_shown_once(advocate_client, stale_note):
    ticket, response, _before = stale_note
    first = refused_page(advocate_client, response, ticket, "note")
    assert STALE in result_slot(first, "note")

    again = advocate_client.get(ticket.get_absolute_url())

    assert again.status_code == 200
    html = again.content.decode()
    assert result_slot(html, "note") == "" and STALE not in html
    assert _note_textarea(html) == ""
    assert str(ticket.pk) not in advocate_client.session.get(SESSION_KEY, {})


def test_following_the_redirect_and_reloading_never_post_again(advocate_client, stale_note):
    ticket, response, before = stale_note
    assert _counts(ticket) == before  # the refused post itself changed nothing

    refused_page(advocate_client, response, ticket, "note")  # the browser follows the 303 with a GET
    for _ in range(2):  # and the advocate reloads: the address is the ticket's own, a GET again
        assert advocate_client.get(response["Location"].split("#")[0]).status_code == 200

    assert _counts(ticket) == before
    assert not Message.objects.filter(ticket=ticket, kind=Message.Kind.NOTE).exists()


def test_the_refused_form_is_kept_for_its_own_ticket_only(advocate_client, stale_note):
    ticket, response, _before = stale_note
    other = TicketFactory()

    html = advocate_client.get(other.get_absolute_url()).content.decode()
    assert result_slot(html, "note") == "" and STALE not in html
    # Still waiting for its own ticket's page.
    assert STALE in result_slot(refused_page(advocate_client, response, ticket, "note"), "note")


@pytest.mark.parametrize(
    "form_class",
    [
        "django.contrib.auth.forms.UserCreationForm",  # a form, but not one of the ticket page's
        "mentions.forms.Ticket",  # inside mentions.forms, but a model, not a form
        "mentions.forms.NoSuchForm",  # nothing of that name
    ],
)
def test_a_session_entry_naming_anything_but_an_action_form_is_dropped(advocate_client, caplog, form_class):
    ticket = TicketFactory()
    session = advocate_client.session
    session[SESSION_KEY] = {str(ticket.pk): {"key": "note", "form": form_class, "data": {}, "errors": []}}
    session.save()

    with caplog.at_level(logging.WARNING, logger="mentions.views.refused"):
        response = advocate_client.get(ticket.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert result_slot(html, "note") == ""  # nothing of the stored class's (its required fields' errors)
    assert 'name="password1"' not in html and "This field is required." not in html
    assert "could not be shown again" in caplog.text
    assert str(ticket.pk) not in advocate_client.session[SESSION_KEY]  # dropped, not tried on every view
