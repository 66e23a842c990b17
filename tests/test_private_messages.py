"""A private message (the person's answer to a DM sent from the desk, `Message.Kind.PRIVATE`) stays private: it
joins its ticket and reopens it, the ticket page shows it as private and escaped, and no public surface reads it
(the answers index, the stories' reading of a ticket); the API's tokens, the team's own tools, see it with its
kind, as they see internal notes (docs/api.md).

Here because it crosses the apps (intake, answers, stories, api, the ticket page). Shapes: the mentions are
IncomingMentions as the X DM reader makes them (channels/adapters/twitter/dm_read.py; its HTTP shapes are tested
in intake/tests/test_direct_replies.py); no platform is asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from answers.index.follow import answers_index
from answers.models import Answer
from api.tokens import token_create
from channels.adapters.base import IncomingMention
from channels.adapters.registry import platform_of
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions import services
from mentions.models import Message, Ticket
from mentions.tests.factories import ManagerFactory
from stories.detection.reading import first_mentions

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
PRIVATE_TEXT = "My recovery code is <b>ZQ4417PRIV</b>"


def _ticket_with_a_private_answer() -> Ticket:
    channel = ChannelFactory(kind="twitter", config=platform_of("twitter").example_config())
    asked = IncomingMention(
        external_id="1860000000000000001", created_at=T0, text="How do I reset my 2FA?", author_handle="dana_dev"
    )
    mentions_ingest(channel=channel, mentions=[asked])
    ticket = Ticket.objects.get(channel=channel)
    services.ticket_mark_replied(
        ticket=ticket, user=ManagerFactory(), body="Sent you a DM to check your account.", status="pending"
    )
    answer = IncomingMention(
        external_id="1860000000000000900",
        created_at=T0 + timedelta(hours=1),
        text=PRIVATE_TEXT,
        author_handle="dana_dev",
        private=True,
        ticket_hint=ticket.pk,
    )
    mentions_ingest(channel=channel, mentions=[answer])
    return ticket


def test_a_private_answer_joins_its_ticket_and_reopens_it():
    ticket = _ticket_with_a_private_answer()
    private = Message.objects.get(external_id="1860000000000000900")
    assert (private.kind, private.ticket_id, private.body) == (Message.Kind.PRIVATE, ticket.pk, PRIVATE_TEXT)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN  # waiting on us again
    assert Ticket.objects.count() == 1  # never a ticket of its own


def test_no_public_surface_reads_a_private_message():
    ticket = _ticket_with_a_private_answer()

    assert answers_index() == 1
    answer = Answer.objects.get(pk=ticket.pk)
    indexed = " ".join([answer.title, answer.question, answer.reply, answer.question_terms, answer.reply_terms])
    assert "2FA" in answer.question and "zq4417priv" not in indexed.casefold()
    ((_message, text),) = first_mentions([ticket.pk]).values()
    assert "2FA" in text and "ZQ4417PRIV" not in text


def test_the_ticket_page_shows_it_as_private_and_escaped_and_the_api_with_its_kind(client: Client):
    ticket = _ticket_with_a_private_answer()
    manager = ManagerFactory()
    client.force_login(manager)

    page = client.get(f"/tickets/{ticket.pk}/").content.decode()

    assert 'data-testid="private-message">Private message</span>' in page
    assert "&lt;b&gt;ZQ4417PRIV&lt;/b&gt;" in page and "<b>ZQ4417PRIV" not in page

    key = token_create(user=manager, name="tools", scope="read", days=1)[1]
    listed = Client().get(f"/api/tickets/{ticket.pk}/", headers={"Authorization": f"Bearer {key}"}).json()
    kinds = {m["external_id"]: m["kind"] for m in listed["messages"]}
    assert kinds["1860000000000000900"] == "private"
