"""The comments of the articles a dev.to channel takes in (by tag or keyword) read as follow-ups: from the next poll
on, threaded under their article's ticket, for `follow_days`, a few articles a poll. HTTP is mocked by `responses`
at the edge in the recorded shapes of fixtures/ (SOURCES.md: the `/api/articles` list of Medkue/dev.to and the
`/api/comments?a_id=` tree of orbit-love/community-ruby-dev-orbit), items copied from them with only their id,
time, tags, title or author changed (test_devto_adapter's `article` and `comment`)."""

from datetime import UTC, datetime, timedelta

import pytest
import responses
import time_machine

from channels.adapters.devto.client import COMMENTS_URL, LATEST_URL
from channels.adapters.devto.tests import test_devto_adapter as shapes
from channels.freshness import buckets_of
from channels.models import Channel
from channels.tests.harness import ingested, poll, stored
from mentions.models import Message

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
T = int(START.timestamp())
DAY = timedelta(days=1)


def comment_reads():
    """The articles whose comments were asked for, in order, since the last `responses.calls.reset()`."""
    return [int(shapes.params_of(call)["a_id"]) for call in responses.calls if url_of(call).startswith(COMMENTS_URL)]


def url_of(call):
    return str(call.request.url)


def polled_at(channel, moment):
    responses.calls.reset()
    with time_machine.travel(moment, tick=False):
        return ingested(poll(channel))


@responses.activate
def test_an_article_taken_in_by_its_tag_has_its_comments_threaded_under_it_for_follow_days():
    channel = shapes.devto_channel(config={"tags": ["gitlab"], "per_page": 5, "follow_days": 2})
    shapes.add_latest(
        [
            shapes.article(602, T - 50, tags=("python",), author=shapes.OTHER),  # not our tag: not followed
            shapes.article(601, T - 100, author=shapes.ASKER, title="GitLab CI cache misses on every run"),
        ]
    )
    reply = shapes.comment("c2", T + 60, author=shapes.OURS)
    thread = [shapes.comment("c1", T + 30, author=shapes.OTHER, children=[reply])]
    shapes.add_comments(601, [*thread, shapes.comment("c3", T + 90, author=shapes.ASKER)])
    shapes.add_comments(602, [shapes.comment("x1", T + 30)])

    first = polled_at(channel, START)

    assert first.created == 1 and stored(channel) == ["601"]
    assert comment_reads() == []  # taken in now: its comments are read from the next poll on
    assert channel.cursor["followed"] == {"601": {"taken": T, "read": 0}}

    second = polled_at(channel, START + timedelta(minutes=1))

    assert (second.received, second.created, second.our_replies, second.quarantined) == (3, 3, 1, 0)
    assert comment_reads() == [601] and len(responses.calls) == 2
    article = Message.objects.get(channel=channel, external_id="601")
    rows = Message.objects.filter(channel=channel, external_id__in=["c1", "c2", "c3"]).order_by("external_id")
    assert [(m.external_id, m.parent_external_id, m.thread_external_id, m.kind) for m in rows] == [
        ("c1", "601", "601", Message.Kind.INBOUND),
        ("c2", "c1", "601", Message.Kind.OUR_REPLY),
        ("c3", "601", "601", Message.Kind.INBOUND),
    ]
    assert {m.ticket_id for m in rows} == {article.ticket_id}

    third = polled_at(channel, START + timedelta(minutes=2))  # the same tree: nothing stored twice

    assert (third.received, third.created) == (0, 0) and comment_reads() == [601]
    assert stored(channel) == ["601", "c1", "c2", "c3"]

    polled_at(channel, START + 2 * DAY - timedelta(seconds=1))  # the last second it is followed
    assert comment_reads() == [601]

    polled_at(channel, START + 2 * DAY)

    assert comment_reads() == [] and len(responses.calls) == 1  # only the latest articles
    assert channel.cursor["followed"] == {} and channel.cursor["comments"] == {}
    assert channel.health == Channel.Health.OK


@responses.activate
def test_a_poll_reads_at_most_follow_per_poll_articles_those_read_longest_ago_first():
    channel = shapes.devto_channel(config={"tags": ["gitlab"], "per_page": 10, "follow_per_poll": 2})
    shapes.add_latest([shapes.article(700 + n, T - 100 + n, title=f"GitLab tip {n}") for n in range(5, 0, -1)])
    for n in range(1, 6):
        shapes.add_comments(700 + n, [shapes.comment(f"k{n}", T + n, author=shapes.ASKER)])

    polled_at(channel, START)
    reads = []
    for minute in range(1, 4):
        result = polled_at(channel, START + timedelta(minutes=minute))
        # One request for the latest articles, follow_per_poll for the followed articles' comments.
        assert len(responses.calls) == 3 and result.created == 2 * (minute < 3) + (minute == 3)
        reads.append(comment_reads())

    # Each article read once before any is read again (taken first, read first).
    assert reads == [[701, 702], [703, 704], [705, 701]]
    assert stored(channel) == [*(str(700 + n) for n in range(1, 6)), *(f"k{n}" for n in range(1, 6))]
    # The budget the scheduler counts holds the same requests a poll.
    assert buckets_of(channel)[0].requests == 3


@responses.activate
def test_the_walk_keeps_one_request_and_a_followed_article_gone_is_forgotten(caplog):
    config = {"tags": ["gitlab"], "per_page": 5, "articles": [900], "max_requests_per_poll": 3}
    channel = shapes.devto_channel(config=config)
    shapes.add_comments(900, [])
    shapes.add_latest([shapes.article(n, T - n) for n in (801, 802, 803)])
    polled_at(channel, START)
    shapes.add_comments(801, [shapes.comment("g1", T + 5)])
    shapes.add_comments(803, [])
    # Forem answers the comments of a deleted or unpublished article with a 404 and a small JSON error body.
    responses.get(
        COMMENTS_URL,
        status=404,
        json={"error": "not found", "status": 404},
        match=[responses.matchers.query_param_matcher({"a_id": "802"})],
    )

    polled_at(channel, START + timedelta(minutes=1))

    # 3 requests: the hand-listed article, one followed (3 - 1 listed - 1 for the walk), the latest articles.
    assert comment_reads() == [900, 801] and len(responses.calls) == 3
    assert buckets_of(channel)[0].requests == 3
    assert stored(channel) == ["801", "802", "803", "g1"]

    polled_at(channel, START + timedelta(minutes=2))

    assert comment_reads() == [900, 802]  # answered 404: forgotten, and the poll goes on
    assert "comments of article 802: the article is gone from dev.to (HTTP 404); no longer followed" in caplog.text
    assert set(channel.cursor["followed"]) == {"801", "803"}
    assert set(channel.cursor["comments"]) == {"900", "801", "803"}
    assert channel.health == Channel.Health.OK

    polled_at(channel, START + timedelta(minutes=3))

    assert comment_reads() == [900, 803]


@responses.activate
def test_follow_days_0_reads_only_the_hand_listed_articles():
    channel = shapes.devto_channel(config={"latest": True, "per_page": 5, "follow_days": 0})
    shapes.add_latest([shapes.article(811, T - 10)])

    polled_at(channel, START)
    polled_at(channel, START + timedelta(minutes=1))

    assert comment_reads() == [] and channel.cursor["followed"] == {}
    assert buckets_of(channel)[0].requests == 1
    assert [url_of(call).startswith(LATEST_URL) for call in responses.calls] == [True]


@responses.activate
def test_an_unreadable_comment_answer_skips_that_article_until_its_next_turn(caplog):
    channel = shapes.devto_channel(config={"tags": ["gitlab"], "per_page": 5, "follow_per_poll": 1})
    shapes.add_latest([shapes.article(822, T - 10), shapes.article(821, T - 20)])
    polled_at(channel, START)
    # Not a list: an answer the desk cannot read is not a reason to stop reading the other articles.
    responses.get(COMMENTS_URL, json={"oops": True}, match=[responses.matchers.query_param_matcher({"a_id": "821"})])
    shapes.add_comments(822, [shapes.comment("u1", T + 5)])

    first, second = polled_at(channel, START + timedelta(minutes=1)), polled_at(channel, START + timedelta(minutes=2))

    assert (first.received, second.received) == (0, 1) and comment_reads() == [822]
    assert "comments of article 821: expected a JSON list" in caplog.text
    assert channel.cursor["followed"]["821"]["read"] == T + 60 and channel.health == Channel.Health.OK
