"""What the ticket page says after a like or a repost: the platform's own word for the act, as its button was
("Favourite" -> "Favourited on Mastodon.", "Boost" -> "Boosted", "+1" -> "+1'd", "React 👍" -> "Reacted 👍"), and the
ticket's history says it in the same word.

Every platform the demo connects an account on, through the ticket page's buttons and the real adapters, answered by
each platform's replay of the demo (channels/adapters/<kind>/replay.py, whose docstring names the recorded fixtures
and documented shapes it follows), as intake/tests/test_demo_accounts.py does through the services."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from channels.adapters.registry import platform_of
from channels.models import Channel
from intake.management.commands._demo_week import week_seed
from intake.tests.test_demo_accounts import CONNECTED, _open_ticket
from mentions.models import Message
from mentions.tests.factories import AdvocateFactory, seen

pytestmark = pytest.mark.django_db

# What an advocate reads on each platform, written out: a platform's declaration changing its words fails here.
SAID = {
    "twitter": {"like": "Liked on X.", "repost": "Reposted on X."},
    "mastodon": {"like": "Favourited on Mastodon.", "repost": "Boosted on Mastodon."},
    "bluesky": {"like": "Liked on Bluesky.", "repost": "Reposted on Bluesky."},
    "discourse": {"like": "Liked on Discourse forum."},
    "github": {"like": "+1'd on GitHub."},
    "discord": {"like": "Reacted 👍 on Discord."},
}

DONE_TESTID = {"like": "liked", "repost": "reposted"}


@pytest.fixture(autouse=True)
def no_seeded_channel():
    Channel.objects.filter(kind="slack").delete()  # the Slack channel a migration seeds


@override_settings(DESK_DEMO_REPLAY=True)
@time_machine.travel(datetime(2026, 11, 25, 18, 0, tzinfo=UTC), tick=True)
def test_the_result_of_a_like_or_a_repost_uses_the_platforms_word_for_it(client):
    advocate = AdvocateFactory()
    week_seed(advocate=advocate)
    client.force_login(advocate)
    acting = {kind for kind in CONNECTED if {"like", "repost"} & set(platform_of(kind).actions)}
    assert acting == set(SAID)

    for kind, said in SAID.items():
        ticket = _open_ticket(kind)
        mention = ticket.messages.filter(kind=Message.Kind.INBOUND).exclude(external_id="").order_by("-id").first()
        assert mention is not None
        for action, sentence in said.items():
            url = reverse(f"mentions:ticket-{action}", args=[ticket.pk])
            page = unescape(
                client.post(url, {"message": mention.pk, "seen": seen(ticket)}, follow=True).content.decode()
            )
            assert sentence in page, (kind, action)
            done = sentence.split(" on ")[0]
            # Beside the mention, where the button was: the same word, and when.
            assert f'data-testid="{DONE_TESTID[action]}">{done} from the desk ' in page, (kind, action)
            again = unescape(
                client.post(url, {"message": mention.pk, "seen": seen(ticket)}, follow=True).content.decode()
            )
            assert f"{done} from the desk already." in again, (kind, action)
            # And the ticket's history, in the same word: "boosted a mention", "reacted 👍 to a mention".
            history = unescape(client.get(ticket.get_absolute_url(), {"history": 1}).content.decode())
            verb = done[:1].lower() + done[1:] + (" to" if done.startswith("Reacted") else "")
            assert f"{verb} a mention on the platform as " in history, (kind, action)
