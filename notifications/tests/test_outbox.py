"""Slack routing through the outbox, against a fake Slack Web API (responses) in Slack's
real answer shapes."""

import itertools
import json
import re
import time
from datetime import timedelta

import pytest
import requests
import responses
from django.core.exceptions import ValidationError
from django.utils import timezone

from channels.adapters.hackernews import HackerNewsAdapter
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.hn import search_page, story_hit
from intake.pipeline import mentions_ingest
from mentions.models import Ticket
from notifications.models import SlackNotice
from notifications.outbox import SENDING_TIMEOUT, slack_outbox_flush, ticket_line
from notifications.tests.slack_api import slack_configured

pytestmark = pytest.mark.django_db

POST_URL = "https://slack.com/api/chat.postMessage"
OK = {"ok": True, "channel": "C024BE91L", "ts": "1700000000.000100"}
T = 1_700_000_000  # a Unix time in the past (2023): the parser refuses times in the future


@pytest.fixture(autouse=True)
def slack_token(settings):
    slack_configured(settings, DESK_BASE_URL="https://desk.example.com")


@pytest.fixture
def hn():
    return ChannelFactory(name="Hacker News", slack_channel="#hn-mentions")


def burst(channel: Channel, n: int, *, start: int = 0) -> list[Ticket]:
    hits = [story_hit(start + i, T + start + i, title=f"GitLab note number {start + i}") for i in range(n)]
    mentions_ingest(channel=channel, mentions=HackerNewsAdapter().parse_payload(search_page(hits)))
    return list(Ticket.objects.filter(channel=channel).order_by("id"))


def _first_notice() -> SlackNotice:
    row = SlackNotice.objects.first()
    assert row is not None
    return row


def posted() -> list[dict]:
    return [json.loads(c.request.body or "") for c in responses.calls if c.request.url == POST_URL]


def statuses() -> set[str]:
    return set(SlackNotice.objects.values_list("status", flat=True))


@responses.activate
def test_a_burst_of_50_new_hn_tickets_is_at_most_3_slack_messages_with_every_ticket_once(hn):
    times = []

    def answer(request):
        times.append(time.monotonic())
        return 200, {}, json.dumps({**OK, "ts": f"1700000000.{len(times):06d}"})

    responses.add_callback(responses.POST, POST_URL, callback=answer)
    tickets = burst(hn, 50)
    assert len(tickets) == 50

    result = slack_outbox_flush()

    bodies = posted()
    assert 1 <= len(bodies) <= 3
    assert [b["text"].split("\n", 1)[0] for b in bodies] == ["*25 new mentions*", "*25 new mentions*"]
    assert {b["channel"] for b in bodies} == {"#hn-mentions"}
    text = "\n".join(b["text"] for b in bodies)
    for ticket in tickets:
        assert text.count(f"<https://desk.example.com/tickets/{ticket.pk}/|#{ticket.pk}>") == 1
        assert text.count(f"<https://news.ycombinator.com/item?id={ticket.messages.get().external_id}|original>") == 1
    assert all(later - earlier >= 0.9 for earlier, later in itertools.pairwise(times))  # ~1/s per channel
    assert (result.messages, result.sent) == (len(bodies), 50)
    assert statuses() == {"sent"}
    assert SlackNotice.objects.filter(slack_ts="").count() == 0


@responses.activate
def test_flushing_again_and_redelivering_the_mentions_posts_nothing_twice(hn):
    responses.post(POST_URL, json=OK)
    burst(hn, 5)
    slack_outbox_flush()
    burst(hn, 5)  # the same five mentions, re-delivered by the next poll
    slack_outbox_flush()
    slack_outbox_flush(now=timezone.now() + timedelta(hours=1))

    assert len(posted()) == 1
    assert SlackNotice.objects.count() == 5


@responses.activate
def test_a_429_waits_for_retry_after_for_every_row_of_that_destination(hn):
    responses.post(POST_URL, status=429, headers={"Retry-After": "30"}, json={"ok": False, "error": "ratelimited"})
    responses.post(POST_URL, json=OK)
    burst(hn, 3)
    now = timezone.now()

    first = slack_outbox_flush(now=now)
    burst(hn, 2, start=100)  # arrives while Slack wants us to wait
    slack_outbox_flush(now=now + timedelta(seconds=10))
    assert len(posted()) == 1
    assert first.retrying == 3
    assert statuses() == {"pending"}
    assert SlackNotice.objects.filter(next_attempt_at__gte=now + timedelta(seconds=30)).count() == 3
    assert "Slack asked us to wait 30 s" in _first_notice().last_error

    slack_outbox_flush(now=now + timedelta(seconds=31))
    assert len(posted()) == 2
    assert posted()[1]["text"].startswith("*5 new mentions*")
    assert statuses() == {"sent"}


@responses.activate
def test_a_5xx_is_retried_later_and_then_sent_once(hn):
    responses.post(POST_URL, status=503, body="upstream unavailable")
    responses.post(POST_URL, json=OK)
    burst(hn, 2)
    now = timezone.now()

    slack_outbox_flush(now=now)
    slack_outbox_flush(now=now + timedelta(seconds=5))  # before the backoff is over: nothing
    assert len(posted()) == 1
    row = _first_notice()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "Slack answered HTTP 503: trying again in 30 s" in row.last_error

    slack_outbox_flush(now=now + timedelta(seconds=31))
    slack_outbox_flush(now=now + timedelta(seconds=90))
    assert len(posted()) == 2
    assert statuses() == {"sent"}
    assert set(SlackNotice.objects.values_list("slack_ts", flat=True)) == {"1700000000.000100"}


@responses.activate
def test_channel_not_found_marks_the_rows_failed_with_a_readable_error(hn):
    responses.post(POST_URL, json={"ok": False, "error": "channel_not_found"})
    burst(hn, 30)  # two batches' worth: the second is failed without another call

    result = slack_outbox_flush()

    assert len(posted()) == 1
    assert result.failed == 30
    assert statuses() == {"failed"}
    assert set(SlackNotice.objects.values_list("last_error", flat=True)) == {
        "Slack has no channel #hn-mentions (or the bot is not in it)"
    }


@responses.activate
def test_a_revoked_token_keeps_the_rows_pending_for_when_it_is_fixed(hn):
    responses.post(POST_URL, json={"ok": False, "error": "token_revoked"})
    burst(hn, 2)
    slack_outbox_flush()
    assert statuses() == {"pending"}
    assert "The Slack bot token is invalid" in _first_notice().last_error


@responses.activate
def test_without_a_token_nothing_is_posted_and_the_rows_wait(hn, settings):
    settings.SLACK_BOT_TOKEN = ""
    burst(hn, 4)
    result = slack_outbox_flush()
    assert result.no_token
    assert len(responses.calls) == 0
    assert statuses() == {"pending"}


def _flushed_into(error: Exception, hn) -> None:
    """A burst of two notices flushed while Slack's first answer is `error` (the next would be ok)."""
    responses.post(POST_URL, body=error)
    responses.post(POST_URL, json=OK)
    burst(hn, 2)
    slack_outbox_flush()


@responses.activate
def test_a_read_timeout_is_never_posted_again_blindly(hn):
    """Slack may have posted it before the answer was lost: the rows say so instead of a retry."""
    _flushed_into(requests.ReadTimeout("read timed out"), hn)
    slack_outbox_flush(now=timezone.now() + timedelta(hours=1))
    assert len(posted()) == 1
    assert statuses() == {"unknown"}
    assert "may or may not have posted it" in _first_notice().last_error


@responses.activate
def test_a_connection_that_never_opened_is_retried(hn):
    _flushed_into(requests.ConnectTimeout("connect timed out"), hn)
    assert statuses() == {"pending"}
    slack_outbox_flush(now=timezone.now() + timedelta(minutes=1))
    assert len(posted()) == 2
    assert statuses() == {"sent"}


@responses.activate
def test_rows_a_dead_worker_left_sending_become_unknown_and_are_not_posted(hn):
    burst(hn, 1)
    SlackNotice.objects.update(status="sending", claimed_at=timezone.now() - SENDING_TIMEOUT - timedelta(seconds=1))
    result = slack_outbox_flush()
    assert result.unknown == 1
    assert len(responses.calls) == 0
    assert statuses() == {"unknown"}


@responses.activate
def test_send_again_in_admin_requeues_failed_rows(hn, admin_client):
    responses.post(POST_URL, json={"ok": False, "error": "not_in_channel"})
    responses.post(POST_URL, json=OK)
    burst(hn, 1)
    slack_outbox_flush()
    row = SlackNotice.objects.get()
    page = admin_client.get("/admin/notifications/slacknotice/").content.decode()
    assert "The Slack bot is not in #hn-mentions" in page

    admin_client.post("/admin/notifications/slacknotice/", {"action": "send_again", "_selected_action": [row.pk]})
    slack_outbox_flush()
    row.refresh_from_db()
    assert (row.status, len(posted())) == ("sent", 2)


@responses.activate
def test_rule_notifications_and_the_mirror_go_to_their_own_destinations(hn, handbook_rules):
    responses.post(POST_URL, json=OK)
    hits = [story_hit(1, T, title="Ask HN: why is GitLab flooded with spam bots this week?")]
    mentions_ingest(channel=hn, mentions=HackerNewsAdapter().parse_payload(search_page(hits)))
    slack_outbox_flush()
    by_channel = {b["channel"]: b["text"] for b in posted()}
    assert set(by_channel) == {"#abuse", "#hn-mentions"}
    assert "[Spam report]" in by_channel["#abuse"]


def test_lines_escape_slack_control_characters_and_links(hn):
    ticket = Ticket(pk=7, channel=hn, subject="<!channel> Tom & Jerry > GitLab", requested_at=timezone.now())
    line = ticket_line(ticket=ticket, channel=hn, permalink="https://example.com/a?b=1&c=<2>|3")
    assert line == (
        "• <https://desk.example.com/tickets/7/|#7> Hacker News: &lt;!channel&gt; Tom &amp; Jerry &gt; GitLab "
        "(<https://example.com/a?b=1&amp;c=%3C2%3E%7C3|original>)"
    )
    assert not re.search(r"<![a-z]", line)


@pytest.mark.parametrize(
    ("value", "stored"), [("#HN-Mentions", "#hn-mentions"), (" #reddit ", "#reddit"), ("C024BE91L", "C024BE91L")]
)
def test_a_channel_slack_destination_is_normalised(value, stored):
    assert ChannelFactory(slack_channel=value).slack_channel == stored


@pytest.mark.parametrize("value", ["hn-mentions", "#hn mentions", "#" + "x" * 81, "https://slack.com/x"])
def test_a_channel_slack_destination_must_look_like_one(value):
    with pytest.raises(ValidationError) as exc:
        ChannelFactory(slack_channel=value)
    assert "is not a Slack channel" in exc.value.message_dict["slack_channel"][0]


@responses.activate
def test_beat_flushes_every_ten_seconds_through_the_task(hn, settings):
    from notifications.tasks import slack_flush

    entry = settings.CELERY_BEAT_SCHEDULE["notifications.slack_flush"]
    assert (entry["task"], entry["schedule"].total_seconds(), entry["options"]["expires"]) == (
        "notifications.slack_flush",
        10,
        10,
    )
    responses.post(POST_URL, json=OK)
    burst(hn, 3)
    assert slack_flush()["sent"] == 3
