"""DMs both ways on the demo (issue 69): on the seeded demo week, a DM sent from a ticket on every platform whose
answers the desk reads comes back at the channel's next poll (the poll task, intake.tasks.poll), as a private message
by the person on the same ticket, once; a second poll stores nothing more. Nothing is mocked: the sends and the reads
go through the real adapters to the demo's replays (DESK_DEMO_REPLAY), which answer in each platform's recorded or
documented shapes, named per endpoint in each `channels/adapters/<kind>/replay_dm.py` (X: python-twitter's recorded
dm_events; Mastodon: "Get parent and child statuses in context"; Bluesky: the chat.bsky.convo lexicons; Discord: "Get
Channel Messages"; Reddit: GET /message/messages, as reddit4j's test data names a t4's fields)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import override_settings

from channels.adapters import get_adapter
from channels.demo.channels import DEMO_CHANNELS, demo_slug
from channels.demo.kept import ANSWERS
from channels.models import Channel
from intake.management.commands._demo_week import week_seed
from intake.tasks import poll
from mentions.models import Message, Ticket
from mentions.services.direct_messages import ticket_direct_message
from mentions.tests.factories import AdvocateFactory

pytestmark = pytest.mark.django_db

SENT = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
READ = SENT + timedelta(minutes=5)  # the channel's next poll (the demo polls every five minutes)


@pytest.fixture(autouse=True)
def no_seeded_channel():
    Channel.objects.filter(kind="slack").delete()  # the Slack channel a migration seeds


def _waiting_ticket(kind: str) -> tuple[Ticket, Message]:
    """A ticket of the kind's demo channel and the person's mention to write to about it."""
    for ticket in Ticket.objects.filter(channel__slug=demo_slug(kind)).order_by("status", "id"):
        mention = ticket.messages.filter(kind=Message.Kind.INBOUND).exclude(external_id="").order_by("id").first()
        if mention is not None:
            return ticket, mention
    raise AssertionError(f"no {kind} ticket to write from")


def _private(ticket: Ticket) -> list[tuple[str, str, datetime]]:
    found = ticket.messages.filter(kind=Message.Kind.PRIVATE).order_by("id")
    return [(m.author_handle, m.body, m.platform_created_at) for m in found]


@override_settings(DESK_DEMO_REPLAY=True)
def test_the_next_demo_poll_brings_each_dms_answer_to_its_ticket_once():
    advocate = AdvocateFactory()
    reading = [kind for kind in DEMO_CHANNELS if get_adapter(kind).offers("direct_replies")]
    assert set(reading) == {"twitter", "mastodon", "bluesky", "discord", "reddit"}
    sent: dict[str, tuple[Ticket, Message]] = {}
    with time_machine.travel(SENT, tick=False):
        week_seed(advocate=advocate)
        for kind in reading:
            ticket, mention = _waiting_ticket(kind)
            ticket_direct_message(ticket=ticket, message_id=mention.pk, user=advocate, text="Could you DM us the log?")
            sent[kind] = (ticket, mention)
            assert _private(ticket) == [], kind

    with time_machine.travel(READ, tick=False):
        for kind in reading:
            assert poll(sent[kind][0].channel_id) == "ok", kind

    assert {kind: len(_private(ticket)) for kind, (ticket, _) in sent.items()} == dict.fromkeys(reading, 1)
    for kind, (ticket, mention) in sent.items():
        (answer,) = _private(ticket)
        # The person's answer, by them, at the time of the poll that read it, on the ticket the DM was sent from.
        assert answer[0].casefold() == mention.author_handle.casefold(), kind
        assert any(said in answer[1] for said in ANSWERS), (kind, answer[1])
        assert answer[2] == READ, kind
        ticket.refresh_from_db()
        assert ticket.status in Ticket.WAITING_STATUSES, kind  # waiting on us (again, as after a follow-up)

    with time_machine.travel(READ + timedelta(minutes=5), tick=False):
        for kind in reading:
            assert poll(sent[kind][0].channel_id) == "ok", kind
    assert all(len(_private(ticket)) == 1 for ticket, _ in sent.values())  # the next poll stores it again nowhere
