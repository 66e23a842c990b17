"""No poison item: one item that cannot be parsed or stored costs that item, never its channel."""

import json
import time

import pytest
import responses
from django.db import connection
from django.urls import reverse

from channels.adapters.hackernews import SEARCH_URL
from channels.models import Channel, DeadLetter
from channels.tests.factories import ChannelFactory
from channels.tests.hn import comment_hit, search_page, story_hit
from intake.services.polling import channel_poll
from intake.services.quarantine import dead_letter_discard, dead_letter_retry
from mentions.models import Message, Ticket
from mentions.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

YEAR_9999 = 253_402_200_000  # a Unix time in December 9999


@pytest.fixture
def poison_check():
    """A real database refusal for one item (a CHECK constraint), so storing it fails inside
    PostgreSQL exactly as an unforeseen bad value would."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE mentions_message ADD CONSTRAINT test_poison CHECK (body NOT LIKE '%POISON%') NOT VALID"
        )
    yield
    _drop_poison_check()


def _drop_poison_check():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # fire the deferred rollup triggers first
        cursor.execute("ALTER TABLE mentions_message DROP CONSTRAINT IF EXISTS test_poison")


def _page(now, *extra):
    return search_page(
        [
            story_hit(1, now - 300, title="GitLab runners on ARM"),
            comment_hit(2, now - 200, text="Same question here", parent_id=1, story_id=1),
            *extra,
            comment_hit(4, now - 50, text="GitLab answered this", parent_id=1, story_id=1),
        ]
    )


@responses.activate
def test_an_item_dated_year_9999_is_quarantined_and_the_rest_of_its_page_stored():
    now = int(time.time())
    channel = ChannelFactory()
    responses.get(SEARCH_URL, json=_page(now, comment_hit(3, YEAR_9999, text="from the future", story_id=1)))

    outcome = channel_poll(channel_id=channel.pk)

    assert outcome.status == "ok"
    assert outcome.result is not None
    assert outcome.result.quarantined == 1 and outcome.result.created == 3
    assert set(Message.objects.values_list("external_id", flat=True)) == {"1", "2", "4"}
    dead = DeadLetter.objects.get()
    assert (dead.channel, dead.stage, dead.external_id, dead.status) == (channel, "parse", "3", "open")
    assert "no usable time" in dead.error
    assert json.loads(dead.payload)["comment_text"] == "from the future"
    channel.refresh_from_db()
    assert channel.health == Channel.Health.OK and channel.cursor  # the cursor moved on


@responses.activate
def test_an_item_the_database_refuses_is_quarantined_alone_and_the_cursor_moves(poison_check):
    now = int(time.time())
    channel = ChannelFactory()
    responses.get(SEARCH_URL, json=_page(now, comment_hit(3, now - 100, text="POISON pill", story_id=1)))

    outcome = channel_poll(channel_id=channel.pk)

    assert outcome.status == "ok", outcome.error
    assert outcome.result is not None
    assert outcome.result.as_dict() | {"threaded": None} == {
        "received": 4,
        "created": 3,
        "duplicates": 0,
        "tickets_created": 1,
        "threaded": None,
        "our_replies": 0,
        "quarantined": 1,
        "edited": 0,
    }
    assert set(Message.objects.values_list("external_id", flat=True)) == {"1", "2", "4"}
    assert Ticket.objects.get().messages.count() == 3  # the follow-ups still joined their story
    dead = DeadLetter.objects.get()
    assert (dead.stage, dead.external_id) == ("store", "3")
    assert "test_poison" in dead.error
    assert json.loads(dead.mention)["text"] == "POISON pill"
    channel.refresh_from_db()
    assert channel.cursor and channel.health == Channel.Health.OK


@responses.activate
def test_the_same_broken_item_seen_again_is_one_dead_letter_counted_twice():
    now = int(time.time())
    channel = ChannelFactory()
    responses.get(SEARCH_URL, json=_page(now, comment_hit(3, YEAR_9999, story_id=1)))

    channel_poll(channel_id=channel.pk)
    Channel.objects.filter(pk=channel.pk).update(cursor={})  # the platform serves the page again
    second = channel_poll(channel_id=channel.pk)
    assert second.result is not None

    assert second.result.duplicates == 3
    dead = DeadLetter.objects.get()
    assert dead.times_seen == 2
    assert Message.objects.count() == 3


@responses.activate
def test_retry_stores_a_quarantined_item_once_the_cause_is_gone(poison_check):
    now = int(time.time())
    channel = ChannelFactory()
    responses.get(SEARCH_URL, json=_page(now, comment_hit(3, now - 100, text="POISON pill", story_id=1)))
    channel_poll(channel_id=channel.pk)
    dead = DeadLetter.objects.get()
    admin_user = UserFactory(is_staff=True, is_superuser=True)

    stored, said = dead_letter_retry(dead, user=admin_user)
    assert (stored, said.split(":")[0]) == (False, "still fails")

    _drop_poison_check()
    stored, said = dead_letter_retry(dead, user=admin_user)

    assert stored, said
    dead.refresh_from_db()
    assert (dead.status, dead.attempts, dead.resolved_by) == ("retried", 2, admin_user)
    reply = Message.objects.get(external_id="3")
    assert reply.body == "POISON pill" and reply.ticket == Ticket.objects.get()
    assert dead_letter_retry(dead, user=admin_user) == (False, "already stored on retry")


def test_discard_closes_a_dead_letter_once():
    channel = ChannelFactory()
    dead = DeadLetter.objects.create(channel=channel, stage="parse", fingerprint="x", error="E", payload="{}")

    assert dead_letter_discard(dead) is True
    assert dead_letter_discard(dead) is False
    dead.refresh_from_db()
    assert dead.status == "discarded" and dead.resolved_at is not None


@responses.activate
def test_admin_shows_the_quarantined_count_and_the_item_with_retry_and_discard(client, django_assert_max_num_queries):
    now = int(time.time())
    channel = ChannelFactory(name="HN main")
    responses.get(SEARCH_URL, json=_page(now, comment_hit(3, YEAR_9999, text="<script>alert(1)</script>")))
    channel_poll(channel_id=channel.pk)
    ChannelFactory.create_batch(5)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    with django_assert_max_num_queries(12):
        listing = client.get(reverse("admin:channels_channel_changelist"))
    assert "1 quarantined item" in listing.content.decode()

    dead = DeadLetter.objects.get()
    page = client.get(reverse("admin:channels_deadletter_change", args=[dead.pk])).content.decode()
    assert "no usable time" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    changelist = client.get(reverse("admin:channels_deadletter_changelist")).content.decode()
    assert 'value="retry"' in changelist and 'value="discard"' in changelist

    response = client.post(
        reverse("admin:channels_deadletter_changelist"),
        {"action": "discard", "_selected_action": [dead.pk]},
        follow=True,
    )
    assert "1 item(s) discarded." in response.content.decode()
    assert "quarantined item" not in client.get(reverse("admin:channels_channel_changelist")).content.decode()
