"""The demo's Slack-originated ticket (`seed_demo_slack`): a teammate's *Create ticket* shortcut on a customer's
question in an internal channel, stored and worked as the desk's Slack endpoint and worker do, makes one ticket on
the desk's Slack channel, with the archive link to the message and its ticket link waiting in the outbox (the demo
has no Slack token). The shortcut's payload follows Slack's documented message-shortcut shape, as
slackapp/tests/fixtures/message_action.json records it (fixtures/SOURCES.md); no request leaves the machine
(`responses` with nothing registered refuses any)."""

from __future__ import annotations

from io import StringIO

import pytest
import responses
from django.core.management import call_command
from django.test import override_settings

from mentions.models import Message, Ticket
from notifications.models import SlackNotice
from slackapp.management.commands.seed_demo_slack import CHANNEL, QUESTION, TEAMMATE
from slackapp.models import SlackEvent

pytestmark = pytest.mark.django_db


@responses.activate
@override_settings(DESK_DEMO_REPLAY=True, SLACK_BOT_TOKEN="")
def test_the_demo_slack_ticket_comes_from_the_shortcut_path_once(advocate_client):
    call_command("seed_demo_slack", stdout=StringIO())
    call_command("seed_demo_slack", stdout=StringIO())  # seed_demo run again: nothing more

    event = SlackEvent.objects.get()
    assert (event.kind, event.status) == ("shortcut:create_ticket", SlackEvent.Status.DONE)
    ticket = Ticket.objects.get(channel__kind="slack")
    message = Message.objects.get(ticket=ticket)
    assert message.body == QUESTION
    assert (message.author_handle, message.author_name) == (TEAMMATE["id"], TEAMMATE["name"])
    assert message.permalink.startswith(f"https://gitlab-demo.slack.com/archives/{CHANNEL['id']}/p")
    notice = SlackNotice.objects.get(ticket=ticket)
    assert (notice.kind, notice.destination, notice.status) == (
        SlackNotice.Kind.THREAD_ANSWER,
        CHANNEL["id"],
        SlackNotice.Status.PENDING,
    )

    page = advocate_client.get(ticket.get_absolute_url()).content.decode()
    assert ticket.subject == QUESTION.split("\n")[0]
    assert "Premium (250 seats, self-managed 18.5)" in page and message.permalink in page


@responses.activate
@override_settings(DESK_DEMO_REPLAY=False)
def test_without_the_demo_network_no_slack_ticket_is_made():
    call_command("seed_demo_slack", stdout=StringIO())

    assert not SlackEvent.objects.exists() and not Ticket.objects.exists()
