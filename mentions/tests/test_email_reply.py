"""Replying to an e-mail ticket from the desk (Django's e-mail backend; locmem in tests)."""

import pytest
from django.core import mail
from django.urls import reverse

from channels.adapters.base import IncomingMention
from channels.adapters.email.reply import reply_subject
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions.models import Message, Ticket, TicketEvent
from mentions.tests.factories import seen
from mentions.tests.pages import refused_page, result_slot

pytestmark = pytest.mark.django_db

CONFIG = {
    "host": "imap.example.com",
    "port": 993,
    "mailbox": "INBOX",
    "address": "community@example.com",
    "username": "community@example.com",
}


@pytest.fixture
def ticket(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    channel = ChannelFactory(
        kind="email", name="community@", slug="community", config=CONFIG, our_accounts=["community@example.com"]
    )
    from django.utils import timezone

    mentions_ingest(
        channel=channel,
        mentions=[
            IncomingMention(
                external_id="q1@mail.example.org",
                created_at=timezone.now(),
                text="Can we get stickers for our meetup?",
                title="Stickers for a meetup",
                author_handle="dana@example.org",
                author_name="Dana",
                raw={
                    "Subject": "Stickers for a meetup",
                    "Message-ID": "<q1@mail.example.org>",
                    "References": "<root@mail.example.org>",
                },
                thread_id="root@mail.example.org",
            )
        ],
    )
    return Ticket.objects.get()


def test_the_reply_is_mailed_from_the_mailbox_with_threading_headers(advocate_client, ticket):
    response = advocate_client.post(
        reverse("mentions:ticket-send", args=[ticket.pk]),
        {"seen": seen(ticket), "body": "Sure! Send us your address.", "token": "t", "status": "pending"},
    )
    assert response.status_code == 302
    [sent] = mail.outbox
    assert sent.from_email == "community@example.com" and sent.to == ["dana@example.org"]
    assert sent.subject == f"Re: Stickers for a meetup [#{ticket.pk}]"
    assert sent.extra_headers["In-Reply-To"] == "<q1@mail.example.org>"
    assert sent.extra_headers["References"] == "<root@mail.example.org> <q1@mail.example.org>"
    ticket.refresh_from_db()
    assert ticket.first_reply_at is not None and ticket.status == Ticket.Status.PENDING
    reply = ticket.messages.get(kind=Message.Kind.OUR_REPLY)
    assert f"<{reply.external_id}>" == sent.extra_headers["Message-ID"] and f"ticket-{ticket.pk}" in reply.external_id


def test_a_refused_mail_keeps_the_draft_and_shows_the_error(advocate_client, ticket, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # nothing listens there
    response = advocate_client.post(
        reverse("mentions:ticket-send", args=[ticket.pk]),
        {"seen": seen(ticket), "body": "Sure!", "token": "t", "status": "solved"},
    )
    page = refused_page(advocate_client, response, ticket, "send")
    assert "The mail server refused the reply" in result_slot(page, "send")
    ticket.refresh_from_db()
    assert ticket.reply_draft == "Sure!" and ticket.first_reply_at is None
    assert ticket.events.filter(kind=TicketEvent.Kind.REPLY_FAILED).exists()


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Stickers", "Re: Stickers [#7]"),
        ("Re: RE: Stickers", "Re: Stickers [#7]"),
        ("Re: Stickers [#7]", "Re: Stickers [#7]"),
        ("", "Re: Your message [#7]"),
    ],
)
def test_reply_subject(subject, expected):
    assert reply_subject(subject, 7) == expected
