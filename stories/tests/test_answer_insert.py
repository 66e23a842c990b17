"""The ticket page's story panel without JavaScript: its Insert button belongs to the composer's form, so the
browser posts what the advocate typed in the reply box with the version of the ticket the page showed; the story's
answer for this ticket goes after the typed text and both are kept as the draft, through mentions' draft service.
When the ticket changed underneath (another advocate set its status), nothing is written: the reason is said
beside the panel's button and the typed text comes back in the reply box.

The tickets come from stories/tests/wave.py (the real ingest and detector on recorded platform shapes; it says
where each shape is from). Nothing is posted to a platform: inserting only changes the draft. What the browser
posts is read from the page's markup (mentions.tests.pages.browser_post).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from mentions.models import Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory
from mentions.tests.pages import browser_post, changed_underneath, refused_page, result_slot
from stories.models import Story, StoryReply
from stories.tests.test_answer_marks import ANSWER
from stories.tests.wave import release_wave

pytestmark = pytest.mark.django_db

TYPED = "Hi! Quick <note> first:"
TYPED_HTML = "Hi! Quick &lt;note&gt; first:"


@pytest.fixture
def answered():
    """An answered release story with two X tickets; ada on the page of the second, without JavaScript."""
    wave = release_wave(x=2, reddit=0, hn=0)
    ada = Client()
    ada.force_login(AdvocateFactory(username="ada"))
    assert ada.post(reverse("stories:answer", args=[wave.story.pk]), {"answer": ANSWER}).status_code == 302
    Story.objects.filter(pk=wave.story.pk).update(state=Story.State.ANSWERED)
    ticket = wave.tickets["twitter"][1]
    page = ada.get(ticket.get_absolute_url(), {"panels": "inline"}).content.decode()
    return ada, ticket, page, StoryReply.objects.get(ticket=ticket).body


def test_the_storys_answer_goes_after_the_typed_sentence_and_both_are_the_draft(answered):
    ada, ticket, page, draft = answered
    url, data = browser_post(page, "story-insert", {"body": TYPED})

    response = ada.post(url, data)

    assert response.status_code == 302 and response["Location"].endswith("#composer")
    assert Ticket.objects.get(pk=ticket.pk).reply_draft == f"{TYPED}\n\n{draft}"


def test_when_the_ticket_changed_underneath_nothing_is_written_and_the_typed_text_comes_back(answered):
    ada, ticket, page, _draft = answered
    url, data = browser_post(page, "story-insert", {"body": TYPED})
    events = changed_underneath(ticket)

    refused = refused_page(ada, ada.post(url, data), ticket, "story")

    said = result_slot(refused, "story")
    assert "This ticket changed since you opened it" in said and "bo: status" in said
    assert f"{TYPED_HTML}</textarea>" in refused
    assert Ticket.objects.get(pk=ticket.pk).reply_draft == ""
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_with_javascript_the_answer_comes_back_as_json_and_the_draft_is_left_to_the_reply_box(answered):
    ada, ticket, _page, draft = answered
    story = StoryReply.objects.get(ticket=ticket).story
    response = ada.post(reverse("stories:insert", args=[story.pk, ticket.pk]), HTTP_ACCEPT="application/json")
    assert response.json() == {"text": draft} and Ticket.objects.get(pk=ticket.pk).reply_draft == ""
