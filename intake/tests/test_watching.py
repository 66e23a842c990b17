"""Watched threads on each platform: the thread is read directly (faked at the HTTP boundary with the
platforms' recorded shapes, through each adapter's test helpers), the asked expert's answer joins the
ticket, a bystander's comment does not; failures back off; a thread the platform says is gone is let go; what 100
watched threads cost a day."""

import time
from datetime import timedelta
from pathlib import Path

import pytest
import responses
from django.utils import timezone

from channels.adapters.discourse.tests import test_discourse_adapter as discourse
from channels.adapters.discourse.tests.test_discourse_poll import latest_cursor
from channels.adapters.disqus.tests import test_disqus_adapter as disqus
from channels.adapters.reddit.tests import test_reddit_adapter as reddit
from channels.adapters.registry import platforms
from channels.adapters.stackexchange.client import API_ROOT as SE_API
from channels.adapters.stackexchange.tests import test_stackexchange_adapter as se
from channels.models import Channel
from intake.services.polling import channel_poll
from intake.services.watching import threads_watch_due
from mentions.models import Message, ThreadWatch, Ticket
from mentions.services.watching import thread_watch_start

pytestmark = pytest.mark.django_db


def _poll(channel):
    Channel.objects.filter(pk=channel.pk).update(next_poll_at=None)
    assert channel_poll(channel_id=channel.pk).status == "ok"
    return Ticket.objects.get(channel=channel)


def _watch(ticket, expert):
    until = timezone.now() + timedelta(days=1)
    watch = thread_watch_start(ticket=ticket, reason=ThreadWatch.Reason.OUTREACH, until=until, authors=[expert])
    assert watch is not None
    return watch


def _reddit():
    now = int(time.time())
    channel = reddit.reddit_channel(subreddits=["gitlab"], include_comments=False)
    reddit.mock_token()
    reddit.page("/r/gitlab/new", [reddit.post("p1", now - 3600, author="bob")])
    ticket = _poll(channel)
    thread = [
        reddit.listing([reddit.post("p1", now - 3600, author="bob")]),
        reddit.listing(
            [
                reddit.comment("e1", now - 60, body="Pin the runner image.", author="vera", post="p1"),
                reddit.comment("x1", now - 30, body="following", author="someone", post="p1"),
            ]
        ),
    ]
    responses.get(reddit.API_URL + "/comments/p1", json=thread, headers=reddit.RATELIMIT)
    return ticket, "vera", "t3_p1", "t1_e1", "t1_x1"


def _discourse():
    channel = discourse.discourse_channel(cursor=latest_cursor(99))
    discourse.add_latest([discourse.post(100, topic=7, number=1, username="bob")])
    ticket = _poll(channel)
    topic = {
        "id": 7,
        "title": "Topic 7",
        "slug": "topic-7",
        "post_stream": {
            "posts": [
                discourse.post(100, topic=7, number=1, username="bob"),
                discourse.post(101, topic=7, number=2, username="vera"),
                discourse.post(102, topic=7, number=3, username="someone"),
            ],
            "stream": [100, 101, 102],
        },
    }
    responses.get(discourse.BASE + "/t/7.json", json=topic)
    return ticket, "vera", "7", "101", "102"


def _stackexchange():
    now = int(time.time())
    channel = se.stackexchange_channel()
    se.add_questions([se.question(7001, now - 3600)])
    se.add_answers([])
    se.add_comments([])
    ticket = _poll(channel)
    responses.get(
        f"{SE_API}/questions/7001/answers",
        json=se.wrapper([se.answer(8001, 7001, now - 60, owner=se.owner(555, "Vera"))]),
    )
    responses.get(
        f"{SE_API}/posts/7001;8001/comments",
        json=se.wrapper([se.comment(9001, 7001, now - 30, owner=se.owner(777, "Someone"))]),
    )
    return ticket, "555", "7001", "a8001", "c9001"


def _disqus():
    now = int(time.time())
    channel = disqus.disqus_channel()
    disqus.add_page([disqus.post(101, now - 3600, author=disqus.user("bob"))])
    ticket = _poll(channel)
    thread_posts = [
        disqus.post(103, now - 30, parent="101", author=disqus.user("someone")),
        disqus.post(102, now - 60, parent="101", author=disqus.user("vera")),
    ]
    responses.get(f"{disqus.API_ROOT}/threads/listPosts.json", json=disqus.envelope(thread_posts))
    return ticket, "vera", "297457168", "102", "103"


@pytest.mark.parametrize("platform", [_reddit, _discourse, _stackexchange, _disqus], ids=lambda f: f.__name__[1:])
@responses.activate
def test_the_watched_thread_brings_the_experts_answer_into_the_ticket_and_leaves_the_rest(platform):
    ticket, expert, ref, answer_id, bystander_id = platform()
    watch = _watch(ticket, expert)
    assert watch.thread_ref == ref

    counts = threads_watch_due(now=watch.next_check_at)

    assert counts["read"] == 1 and counts["stored"] == 1 and counts["failed"] == 0
    answer = Message.objects.get(channel=ticket.channel, external_id=answer_id)
    assert answer.ticket_id == ticket.pk
    assert not Message.objects.filter(channel=ticket.channel, external_id=bystander_id).exists()
    watch.refresh_from_db()
    assert watch.checks == 1 and watch.next_check_at > timezone.now()
    assert threads_watch_due(now=watch.next_check_at)["stored"] == 0  # read again: nothing new


@responses.activate
def test_a_429_backs_the_watch_off_and_a_finished_one_is_dropped():
    ticket, expert, *_ = _reddit()
    responses.replace(responses.GET, reddit.API_URL + "/comments/p1", status=429, headers={"x-ratelimit-reset": "300"})
    watch = _watch(ticket, expert)

    counts = threads_watch_due(now=watch.next_check_at)

    assert counts["failed"] == 1
    before = watch.next_check_at
    watch.refresh_from_db()
    assert watch.failures == 1 and "429" in watch.last_error
    assert watch.next_check_at - before >= timedelta(seconds=300)
    threads_watch_due(now=watch.watch_until + timedelta(seconds=1))
    assert not ThreadWatch.objects.exists()


@responses.activate
def test_a_thread_the_platform_says_is_gone_is_watched_no_more_and_the_log_does_not_blame_credentials(caplog):
    ticket, expert, *_ = _reddit()
    # Reddit's answer for a deleted or removed post's page (the 404 body its adapter's tests use).
    gone = {"message": "Not Found", "error": 404}
    responses.replace(responses.GET, reddit.API_URL + "/comments/p1", status=404, json=gone, headers=reddit.RATELIMIT)
    watch = _watch(ticket, expert)

    with caplog.at_level("INFO", logger="intake.services.watching"):
        counts = threads_watch_due(now=watch.next_check_at)

    assert (counts["gone"], counts["failed"]) == (1, 0)
    watch.refresh_from_db()
    assert watch.failures == 0 and "the post is gone (deleted or removed)" in watch.last_error
    assert "is gone on the platform, no longer watched" in caplog.text and "credentials" not in caplog.text
    threads_watch_due(now=watch.next_check_at + timedelta(seconds=1))
    assert not ThreadWatch.objects.exists()  # not asked again


def test_channels_whose_threads_cannot_be_read_are_not_watched():
    from channels.tests.factories import ChannelFactory
    from mentions.tests.factories import MessageFactory, TicketFactory

    ticket = TicketFactory(
        channel=ChannelFactory(kind="email", config={"host": "imap.example.com", "address": "help@example.com"})
    )
    MessageFactory(ticket=ticket)
    assert thread_watch_start(ticket=ticket, reason="outreach", until=timezone.now() + timedelta(days=1)) is None


def test_100_watched_threads_a_day_stay_within_a_quarter_of_each_platforms_budget():
    """Every platform that watches threads leaves polling its half of the budget, and the watching table of
    docs/platforms/README.md says what each plan costs (a platform added or changed updates the page)."""
    table = (Path(__file__).resolve().parents[2] / "docs" / "platforms" / "README.md").read_text()
    section = table[table.index("| Requests a day for 100 watched threads |") :].split("\n\n")[0]
    rows = {line.split("|")[1].strip(): line for line in section.splitlines()[2:]}
    watching = [p for p in platforms() if p.watch]
    assert {p.kind for p in watching} >= {"hackernews", "reddit", "discourse", "stackexchange", "disqus"}
    for p in watching:
        assert p.watch is not None
        assert p.watch.share_of_budget(100) <= 0.25, p.kind
        (row,) = [line for name, line in rows.items() if name in p.label]
        assert f"| {p.watch.requests_per_day(100):,}" in row, (p.kind, row)
        assert f"{round(p.watch.share_of_budget(100) * 100)}% of" in row, (p.kind, row)
