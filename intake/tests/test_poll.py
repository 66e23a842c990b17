import json
import time
from datetime import timedelta

import pytest
import redis
import responses
from django.conf import settings
from django.utils import timezone

from channels.adapters.hackernews import SEARCH_URL
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.harness import figures, ingested
from channels.tests.hn import comment_hit, search_page, story_hit
from intake import tasks
from intake.services.polling import channel_poll, channels_due
from mentions.models import Ticket

pytestmark = pytest.mark.django_db


@responses.activate
def test_a_successful_poll_stores_tickets_and_records_health():
    now = int(time.time())
    channel = ChannelFactory(poll_interval_seconds=120, consecutive_failures=3, health=Channel.Health.BACKING_OFF)
    responses.get(
        SEARCH_URL, json=search_page([comment_hit(2, now - 5, parent_id=1, story_id=1), story_hit(1, now - 50)])
    )

    outcome = channel_poll(channel_id=channel.pk)

    assert outcome.status == "ok"
    assert ingested(outcome).as_dict() == figures(received=2, created=2, tickets_created=1, threaded=1)
    channel.refresh_from_db()
    assert channel.health == Channel.Health.OK and channel.consecutive_failures == 0
    assert channel.last_success_at is not None and channel.lease_until is None
    assert channel.next_poll_at is not None
    assert timedelta(seconds=110) < channel.next_poll_at - timezone.now() <= timedelta(seconds=120)
    assert channel.cursor["created_at_i"] == now - 5
    assert Ticket.objects.get().messages.count() == 2


@responses.activate
def test_polling_again_stores_nothing_twice():
    now = int(time.time())
    channel = ChannelFactory()
    responses.get(SEARCH_URL, json=search_page([story_hit(1, now - 50)]))
    channel_poll(channel_id=channel.pk)
    second = channel_poll(channel_id=channel.pk)
    assert second.result is not None
    # The overlap window re-reads the item; the cursor's ids drop it before ingest.
    assert second.result.received == 0
    assert Ticket.objects.count() == 1


@responses.activate
def test_a_server_error_backs_off_exponentially_and_keeps_the_cursor():
    channel = ChannelFactory(poll_interval_seconds=60, cursor={"created_at_i": 5, "recent_ids": []})
    responses.get(SEARCH_URL, status=502)
    waits = []
    for _ in range(3):
        Channel.objects.filter(pk=channel.pk).update(next_poll_at=None)
        assert channel_poll(channel_id=channel.pk).status == "transient_error"
        channel.refresh_from_db()
        assert channel.next_poll_at is not None
        waits.append((channel.next_poll_at - timezone.now()).total_seconds())
    assert channel.consecutive_failures == 3 and channel.health == Channel.Health.BACKING_OFF
    assert "HTTP 502" in channel.last_error
    assert 50 < waits[0] < 70 and 100 < waits[1] < 140 and 200 < waits[2] < 280
    assert channel.cursor == {"created_at_i": 5, "recent_ids": []}


@responses.activate
def test_a_429_waits_at_least_until_the_platform_says():
    channel = ChannelFactory(poll_interval_seconds=60)
    responses.get(SEARCH_URL, status=429, headers={"Retry-After": "900"})
    channel_poll(channel_id=channel.pk)
    channel.refresh_from_db()
    assert channel.next_poll_at is not None
    assert (channel.next_poll_at - timezone.now()).total_seconds() > 850


@responses.activate
def test_a_403_marks_the_channel_failing_until_an_admin_fixes_it():
    channel = ChannelFactory()
    responses.get(SEARCH_URL, status=403)
    assert channel_poll(channel_id=channel.pk).status == "failing"
    channel.refresh_from_db()
    assert channel.health == Channel.Health.FAILING
    assert "HTTP 403" in channel.last_error and "credentials" in channel.last_error
    assert channel.pk not in channels_due(now=timezone.now() + timedelta(days=1))

    channel.mark_config_changed()
    channel.save()
    assert channel.pk in channels_due()


def test_bad_config_is_refused_on_save_with_a_readable_message():
    from django.core.exceptions import ValidationError

    channel = ChannelFactory()
    channel.config = {"keywords": []}
    with pytest.raises(ValidationError, match="keywords"):
        channel.save()


def test_bad_config_already_stored_marks_the_channel_failing():
    channel = ChannelFactory()
    Channel.objects.filter(pk=channel.pk).update(config={"keywords": "gitlab"})  # bypasses save()
    assert channel_poll(channel_id=channel.pk).status == "failing"
    assert "keywords" in Channel.objects.get(pk=channel.pk).last_error


def test_a_held_lease_prevents_an_overlapping_poll_and_expires_by_itself():
    channel = ChannelFactory()
    Channel.objects.filter(pk=channel.pk).update(lease_token="other", lease_until=timezone.now() + timedelta(minutes=5))
    assert channel_poll(channel_id=channel.pk).status == "locked"
    assert channel.pk not in channels_due()
    Channel.objects.filter(pk=channel.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert channel.pk in channels_due()


@responses.activate
def test_one_failing_channel_does_not_stop_the_others():
    now = int(time.time())
    bad = ChannelFactory(config={"keywords": ["broken"]})
    good = ChannelFactory(config={"keywords": ["gitlab"]})
    responses.get(
        SEARCH_URL, status=500, match=[responses.matchers.query_param_matcher({"query": "broken"}, strict_match=False)]
    )
    responses.get(
        SEARCH_URL,
        json=search_page([story_hit(1, now)]),
        match=[responses.matchers.query_param_matcher({"query": "gitlab"}, strict_match=False)],
    )
    assert [channel_poll(channel_id=c.pk).status for c in (bad, good)] == ["transient_error", "ok"]
    assert Ticket.objects.filter(channel=good).count() == 1


def test_the_dispatcher_enqueues_each_due_channel_once_on_the_redis_broker():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = settings.DESK_INGEST_QUEUE  # polls go on the ingest queue (advocacy/settings/tasks.py)
    client.delete(queue)
    due = ChannelFactory.create_batch(2)
    ChannelFactory(enabled=False)
    ChannelFactory(next_poll_at=timezone.now() + timedelta(hours=1))

    assert tasks.poll_due() == 2
    assert tasks.poll_due() == 0  # next_poll_at moved forward at dispatch
    queued = [json.loads(m) for m in client.lrange(queue, 0, -1)]
    assert sorted(m["headers"]["argsrepr"] for m in queued) == sorted(f"({c.pk},)" for c in due)
    assert {m["headers"]["task"] for m in queued} == {"intake.poll"}
    client.delete(queue)
