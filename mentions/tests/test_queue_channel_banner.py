"""The queue says which channels the desk has stopped reading (channels.attention), to every role, with a link
to the channel's admin page only for those who may configure it, in one query whatever their number. Channels
are stored in the states the poller leaves them in (intake.services.polling._record_failure); no HTTP."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from channels.models import Channel
from channels.tests.factories import ChannelFactory
from mentions.tests.factories import AdvocateFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("mentions:queue")


def _failing(name: str, last_read: datetime | None, **fields) -> Channel:
    channel = ChannelFactory(name=name, last_success_at=last_read, **fields)
    Channel.objects.filter(pk=channel.pk).update(health=Channel.Health.FAILING, consecutive_failures=1)
    return channel


def _banner(response) -> str:
    html = response.content.decode()
    return html.split('data-testid="channel-banner">')[1].split("</div>")[0] if "channel-banner" in html else ""


@pytest.mark.parametrize("make_user", [AdvocateFactory, ManagerFactory])
def test_a_failing_channel_is_named_on_the_queue_for_every_role(client, make_user):
    last_read = timezone.now().replace(hour=10, minute=42, second=0, microsecond=0)
    if last_read > timezone.now():
        last_read -= timedelta(days=1)
    channel = _failing("Reddit", last_read)
    client.force_login(make_user())

    banner = _banner(client.get(QUEUE))

    since = f"{timezone.localtime(last_read):%H:%M}" if last_read.date() == timezone.now().date() else ""
    assert f"<strong>Reddit</strong> has not been read since {since}" in banner
    assert "needs an admin" in banner
    # Advocates and managers cannot configure channels: no link they could not follow.
    assert reverse("admin:channels_channel_change", args=[channel.pk]) not in banner


def test_an_admin_gets_the_link_to_the_channel(admin_client):
    channel = _failing("Reddit", None)

    banner = _banner(admin_client.get(QUEUE))

    assert "<strong>Reddit</strong> has never been read: needs an admin" in banner
    assert f'href="{reverse("admin:channels_channel_change", args=[channel.pk])}"' in banner


def test_a_day_old_read_says_the_day(client):
    _failing("Disqus", timezone.now() - timedelta(days=2))
    client.force_login(AdvocateFactory())

    banner = _banner(client.get(QUEUE))

    day = timezone.localtime(timezone.now() - timedelta(days=2))
    assert f"has not been read since {day:%a} {day.day} {day:%b}" in banner


def test_paused_after_failures_says_when_it_tries_again_and_a_blip_says_nothing(client):
    retry = datetime(2026, 11, 25, 11, 5, tzinfo=UTC)
    paused = ChannelFactory(name="Stack Overflow")
    blip = ChannelFactory(name="Hacker News")
    Channel.objects.filter(pk=paused.pk).update(
        health=Channel.Health.BACKING_OFF, consecutive_failures=4, next_poll_at=retry
    )
    Channel.objects.filter(pk=blip.pk).update(health=Channel.Health.BACKING_OFF, consecutive_failures=1)
    client.force_login(AdvocateFactory())

    banner = _banner(client.get(QUEUE))

    assert f"paused after 4 failed reads, next try at {timezone.localtime(retry):%H:%M}" in banner
    assert "Hacker News" not in banner


def test_healthy_and_disabled_channels_put_up_no_banner(client):
    ChannelFactory(name="Hacker News")
    _failing("Old forum", None, enabled=False)
    client.force_login(AdvocateFactory())

    assert _banner(client.get(QUEUE)) == ""


def test_a_channel_name_is_escaped(client):
    _failing("<script>alert(1)</script>", None)
    client.force_login(AdvocateFactory())

    banner = _banner(client.get(QUEUE))

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in banner
    assert "<script>" not in banner


def test_the_queue_costs_the_same_queries_for_one_failing_channel_or_many(client):
    client.force_login(AdvocateFactory())
    _failing("Reddit", None)
    client.get(QUEUE)  # the queue's fragment caches filled: both measured loads read them
    with CaptureQueriesContext(connection) as one:
        first = client.get(QUEUE)
    for n in range(6):
        _failing(f"Forum {n}", None)
    with CaptureQueriesContext(connection) as seven:
        second = client.get(QUEUE)

    assert _banner(first).count("<li") == 1
    assert _banner(second).count("<li") == 7
    assert len(seven) == len(one)
    assert sum('FROM "channels_channel"' in q["sql"] for q in seven.captured_queries) == 1


def test_a_user_without_the_queue_gets_no_queue(client):
    _failing("Reddit", None)
    client.force_login(UserFactory())

    assert client.get(QUEUE).status_code == 403
