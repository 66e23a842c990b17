"""How often channels poll: the shortest interval each platform's budget allows, shared budgets
counted across channels, a floor, an admin's too-short choice raised (and said so), and the next
poll timed from the end of the last one."""

import json
import time
from datetime import timedelta

import pytest
import responses
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from channels.adapters.hackernews import SEARCH_URL
from channels.freshness import POLL_SHARE, poll_interval
from channels.tests.factories import ChannelFactory
from channels.tests.hn import comment_hit, hn_admin_post, search_page
from intake.services.polling import channel_mark_dispatched, channel_poll

pytestmark = pytest.mark.django_db


def test_a_new_hacker_news_channel_polls_at_the_floor_because_algolias_budget_allows_far_more():
    channel = ChannelFactory(config={"keywords": ["gitlab"]})

    interval = poll_interval(channel)

    assert channel.poll_interval_seconds is None
    assert interval.automatic
    assert interval.seconds == settings.DESK_POLL_FLOOR_SECONDS == 20
    assert interval.note == (
        "Automatic: every 20 s, the desk's shortest interval (DESK_POLL_FLOOR_SECONDS); "
        "the platform's budget would allow more."
    )


def test_hacker_news_channels_share_algolias_per_ip_budget():
    keywords = [f"word{n}" for n in range(100)]  # 100 searches a poll
    first = ChannelFactory(config={"keywords": keywords})
    # 100 requests at most every 100 * 3600 / (9000 * 0.5) = 80 s.
    assert poll_interval(first).seconds == 80

    ChannelFactory(config={"keywords": keywords})
    ChannelFactory(config={"keywords": keywords}, enabled=False)  # a disabled channel spends nothing

    interval = poll_interval(first)
    assert interval.seconds == 160  # two channels: 200 requests a poll on the same IP
    assert interval.limited_by == "Algolia: 9,000 an hour per IP"
    assert interval.note == (
        "Automatic: every 160 s, the shortest that Algolia: 9,000 an hour per IP "
        "(polling may use 50% of it, shared with 1 other channel(s)) allows."
    )
    assert 200 * 3600 / interval.seconds <= 9000 * POLL_SHARE


def test_reddit_channels_share_a_budget_only_when_they_use_the_same_app():
    config = {"subreddits": ["gitlab", "devops"], "keywords": ["gitlab"]}  # 2 x (posts + comments) + 1 search
    first = ChannelFactory(kind="reddit", config=config)
    first.credentials = {"client_id": "app-one", "client_secret": "s"}
    first.save()
    other_app = ChannelFactory(kind="reddit", config=config)
    other_app.credentials = {"client_id": "app-two", "client_secret": "s"}
    other_app.save()
    assert poll_interval(first).seconds == 20  # 5 * 60 / 45 = 6.7 s: the floor

    busy = {"subreddits": [f"sub{n}" for n in range(20)], "keywords": ["gitlab"]}  # 41 requests a poll
    first.config = busy
    first.save()
    assert poll_interval(first).seconds == 55  # 41 * 60 / (90 * 0.5)
    other_app.config = busy
    other_app.save()
    assert poll_interval(first).seconds == 55  # another app: its own budget
    other_app.credentials = {"client_id": "app-one", "client_secret": "s"}
    other_app.save()
    assert poll_interval(first).seconds == 110  # the same app: 82 requests a poll between them


def test_stack_exchange_without_a_key_polls_far_less_often_than_with_one():
    channel = ChannelFactory(kind="stackexchange", config={"site": "stackoverflow", "tags": ["gitlab-ci"]})
    # 3 requests a poll (the tag's questions, watched answers and comments) out of 300 a day, half for polling.
    assert poll_interval(channel).seconds == 1728
    channel.credentials = {"key": "public-app-key"}
    channel.save()
    assert poll_interval(channel).seconds == 52  # out of 10,000 a day


def test_x_uses_the_limit_x_reported_for_the_endpoint():
    config = {"handles": [{"username": "gitlab", "user_id": "2244994945", "role": "main"}]}
    channel = ChannelFactory(kind="twitter", config=config)
    assert poll_interval(channel).seconds == 120  # 1 request of 15 per 15 min, half for polling
    channel.platform_status = {"rate_limit": {"mentions": {"limit": 450, "remaining": 449}}}
    assert poll_interval(channel).seconds == 20


def test_a_mailbox_has_no_request_budget_and_polls_every_minute_unless_set():
    channel = ChannelFactory(kind="email", config={"host": "imap.example.com", "address": "help@example.com"})
    assert poll_interval(channel).seconds == 60
    channel.poll_interval_seconds = 30
    assert poll_interval(channel).seconds == 30


def test_an_admins_interval_is_kept_when_the_budget_allows_it_and_raised_when_not():
    channel = ChannelFactory(kind="stackexchange", config={"site": "stackoverflow", "tags": ["gitlab"]})
    channel.poll_interval_seconds = 3600
    assert poll_interval(channel).seconds == 3600
    assert not poll_interval(channel).automatic

    channel.poll_interval_seconds = 5
    interval = poll_interval(channel)
    assert interval.seconds == 1728
    assert interval.note.startswith("Every 1728 s, not the 5 s set here: polling every 5 s would exceed")
    assert "Stack Exchange: 300 a day per IP" in interval.note


@responses.activate
def test_the_next_poll_is_timed_from_the_end_of_a_slow_poll():
    now = int(time.time())
    channel = ChannelFactory(config={"keywords": ["gitlab"]})
    answered = []

    def slow_algolia(request):
        time.sleep(0.5)
        answered.append(time.time())
        return 200, {}, json.dumps(search_page([comment_hit(2, now - 5)]))

    responses.add_callback(responses.GET, SEARCH_URL, callback=slow_algolia)

    assert channel_mark_dispatched(channel_id=channel.pk)
    channel.refresh_from_db()
    held = channel.next_poll_at
    outcome = channel_poll(channel_id=channel.pk)

    channel.refresh_from_db()
    assert outcome.status == "ok"
    assert channel.last_success_at is not None and channel.next_poll_at is not None and held is not None
    assert channel.last_success_at.timestamp() >= answered[-1]
    assert channel.next_poll_at - channel.last_success_at == timedelta(seconds=20)
    assert channel.next_poll_at > held  # not the dispatch's placeholder
    # While the poll is queued or running, the beat does not dispatch it again.
    assert not channel_mark_dispatched(channel_id=channel.pk)


def test_admin_shows_how_often_a_channel_polls_and_warns_when_the_chosen_interval_exceeds_the_budget(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    keywords = [f"word{n}" for n in range(100)]
    channel = ChannelFactory(name="HN", slug="hn", config={"keywords": keywords})
    url = reverse("admin:channels_channel_change", args=[channel.pk])

    page = client.get(url).content.decode()
    assert (
        "Automatic: every 80 s, the shortest that Algolia: 9,000 an hour per IP (polling may use 50% of it) allows."
        in page
    )

    form = hn_admin_post(poll_interval_seconds="30", setting_keywords="\n".join(keywords), setting_overlap_seconds="")
    response = client.post(url, form, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any(
        m.startswith("Every 80 s, not the 30 s set here: polling every 30 s would exceed Algolia") for m in shown
    )
    channel.refresh_from_db()
    assert channel.poll_interval_seconds == 30  # kept as chosen; the desk polls as often as the budget allows
    assert poll_interval(channel).seconds == 80
