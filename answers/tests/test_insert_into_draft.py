"""The Answers panel's buttons without JavaScript (a saved reply, an earlier answer): each belongs to the
composer's form, so the browser posts what the advocate typed in the reply box and the version of the ticket the
page showed; the desk puts the inserted text after the typed one and keeps both as the draft, through mentions'
draft service. When the ticket changed underneath (another advocate set its status), nothing is written: the
reason is said beside the panel's buttons and the typed text comes back in the reply box.

What is posted is read from the page's own markup as a browser reads it (mentions.tests.pages.browser_post).
No platform is asked: inserting a text only changes the draft.
"""

from __future__ import annotations

import pytest
from django.test import Client

from answers.index.follow import answers_index
from answers.models import SavedReply
from answers.suggestions.stored import suggestions_store
from answers.tests.test_suggestions import answered
from mentions.models import Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory
from mentions.tests.pages import browser_post, changed_underneath, refused_page, result_slot

pytestmark = pytest.mark.django_db

TYPED = "Thanks for the <details>, Dana."
TYPED_HTML = "Thanks for the &lt;details&gt;, Dana."


@pytest.fixture
def ticket():
    ticket = TicketFactory(requester_handle="dana", requester_name="Dana")
    MessageFactory(ticket=ticket, body="Pipelines are stuck on artifacts upload since this morning")
    SavedReply.objects.create(title="Known incident", body="We are on it: https://status.gitlab.com")
    return ticket


def _client(username: str = "ada") -> Client:
    client = Client()
    client.force_login(AdvocateFactory(username=username))
    return client


def _page(client: Client, ticket: Ticket) -> str:
    """The ticket page as a browser without JavaScript shows it: the side panels in the page."""
    return client.get(ticket.get_absolute_url(), {"panels": "inline"}).content.decode()


def test_a_saved_reply_goes_after_the_typed_sentence_and_both_are_the_draft(ticket):
    client = _client()
    url, data = browser_post(_page(client, ticket), "saved-choice", {"body": TYPED})

    response = client.post(url, data)

    assert response.status_code == 302 and response["Location"].endswith("#composer")
    ticket.refresh_from_db()
    assert ticket.reply_draft == f"{TYPED}\n\nWe are on it: https://status.gitlab.com"
    assert SavedReply.objects.get(title="Known incident").uses == 1
    assert f"{TYPED_HTML}\n\nWe are on it: https://status.gitlab.com</textarea>" in _page(client, ticket)


def test_an_earlier_answer_goes_after_the_typed_sentence(ticket):
    answered(
        "Artifacts upload stuck",
        "Pipelines are stuck on artifacts upload since the update",
        "Retry the job: the artifacts service recovered.",
    )
    answers_index()
    suggestions_store([ticket.pk])  # as the worker does when the ticket arrives (answers.suggestions.stored)
    client = _client()
    url, data = browser_post(_page(client, ticket), "answer-insert", {"body": TYPED})

    assert client.post(url, data).status_code == 302
    ticket.refresh_from_db()
    assert ticket.reply_draft == f"{TYPED}\n\nRetry the job: the artifacts service recovered."


def test_when_the_ticket_changed_underneath_nothing_is_written_and_the_typed_text_comes_back(ticket):
    client = _client()
    url, data = browser_post(_page(client, ticket), "saved-choice", {"body": TYPED})
    events = changed_underneath(ticket)

    refused = refused_page(client, client.post(url, data), ticket, "answers")

    said = result_slot(refused, "answers")
    assert "This ticket changed since you opened it" in said and "bo: status new → pending" in said
    assert f"{TYPED_HTML}</textarea>" in refused  # what was typed, back in the reply box
    ticket.refresh_from_db()
    assert ticket.reply_draft == "" and TicketEvent.objects.filter(ticket=ticket).count() == events
    assert SavedReply.objects.get(title="Known incident").uses == 0  # not used: nothing was inserted


def test_a_post_that_does_not_say_which_version_it_saw_is_refused(ticket):
    client = _client()
    reply = SavedReply.objects.get(title="Known incident")
    response = client.post(f"/answers/tickets/{ticket.pk}/saved/{reply.pk}/", {"body": TYPED})
    said = result_slot(refused_page(client, response, ticket, "answers"), "answers")
    assert "this form did not say which version you saw" in said
    assert Ticket.objects.get(pk=ticket.pk).reply_draft == ""


def test_with_javascript_the_text_comes_back_as_json_and_the_draft_is_left_to_the_reply_box(ticket):
    client = _client()
    reply = SavedReply.objects.get(title="Known incident")
    response = client.post(f"/answers/tickets/{ticket.pk}/saved/{reply.pk}/", HTTP_ACCEPT="application/json")
    assert response.json() == {"text": "We are on it: https://status.gitlab.com"}
    assert Ticket.objects.get(pk=ticket.pk).reply_draft == ""
