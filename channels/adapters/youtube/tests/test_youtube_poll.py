"""Polling a YouTube channel end to end: channel_poll -> YoutubeAdapter -> ingest, with HTTP mocked at the edge by
`responses` in the recorded shapes (fixtures/SOURCES.md: sns-sdks/python-youtube's recorded ``commentThreads.list``,
``comments.list`` and ``search.list`` answers and its recorded 403 error body), through channels/tests/harness.py."""

import time
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from channels.adapters.youtube.client import SEARCH_URL, THREADS_URL
from channels.adapters.youtube.quota import next_reset
from channels.adapters.youtube.tests import shapes
from channels.adapters.youtube.tests.shapes import ASKER, OTHER, OURS, TEAM
from channels.models import Channel, DeadLetter
from channels.tests.harness import figures, ingested, poll, stored
from mentions.models import Message

pytestmark = pytest.mark.django_db


def _asked(url):
    addresses = [str(c.request.url) for c in responses.calls]  # a recorded request's address: always a str here
    return [dict(parse_qsl(urlsplit(a).query)) for a in addresses if a.startswith(url)]


@responses.activate
def test_the_channels_threads_and_a_searched_videos_are_stored_once_with_follow_ups_threaded_and_ours_recognised():
    now = time.time()
    channel = shapes.youtube_channel(config={"channel_ids": [TEAM], "keywords": ["gitlab ci"]})
    top = "UgzTopOnOurVideo000000AaABAg"
    shapes.add_threads(
        shapes.page(
            [
                shapes.thread(
                    top,
                    now - 600,
                    author=ASKER,
                    replies=[
                        shapes.reply("A1", top, now - 300, author=OURS, text="Use cache:key:files on the lock file.")
                    ],
                ),
            ]
        ),
        channel_id=TEAM,
    )
    shapes.add_search(shapes.found(("abcDEF12345", "UCsomeoneElse0000000000A"), ("ourOwnVid01", TEAM)), "gitlab ci")
    searched = "UgxOnAFoundVideo0000000AaABAg"
    # The found video's thread carries one of its three replies: the other two are asked for.
    shapes.add_threads(
        shapes.page(
            [
                shapes.thread(
                    searched, now - 900, video="abcDEF12345", author=OTHER, text="GitLab CI keeps re-running this job",
                    replies=[shapes.reply("B1", searched, now - 800)], total=3,
                )
            ]
        ),
        video_id="abcDEF12345",
    )  # fmt: skip
    shapes.add_replies(
        searched,
        [
            shapes.reply("B1", searched, now - 800),
            shapes.reply("B2", searched, now - 700, author=ASKER),
            shapes.reply("B3", searched, now - 600),
        ],
    )

    result = ingested(poll(channel))

    assert result.as_dict() == figures(received=6, created=6, tickets_created=2, threaded=3, our_replies=1)
    assert stored(channel) == sorted([top, f"{top}.A1", searched] + [f"{searched}.B{n}" for n in (1, 2, 3)])
    ours = Message.objects.get(channel=channel, external_id=f"{top}.A1")
    assert ours.kind == Message.Kind.OUR_REPLY
    assert ours.ticket == Message.objects.get(channel=channel, external_id=top).ticket
    follow_up = Message.objects.get(channel=channel, external_id=f"{searched}.B2")
    assert follow_up.ticket == Message.objects.get(channel=channel, external_id=searched).ticket
    assert follow_up.permalink == f"https://www.youtube.com/watch?v=abcDEF12345&lc={searched}.B2"
    # Our own video found by the search is read with our channel, not followed twice.
    assert list(channel.cursor["videos"]) == ["abcDEF12345"]
    assert [q["q"] for q in _asked(SEARCH_URL)] == ["gitlab ci"]
    assert _asked(SEARCH_URL)[0]["type"] == "video"
    assert channel.platform_status["quota_spent"] == 100 + 1 + 1 + 1  # a search, two thread pages, one reply page
    assert channel.health == Channel.Health.OK

    again = ingested(poll(channel))  # the same answers, the search not due: nothing is handed over twice

    assert again.received == 0
    assert len(stored(channel)) == 6
    assert len(_asked(SEARCH_URL)) == 1
    assert channel.platform_status["quota_spent"] == 103 + 2  # the two thread pages; no reply is asked again


@responses.activate
def test_an_unreadable_comment_is_quarantined_once_and_the_rest_stored():
    now = time.time()
    channel = shapes.youtube_channel()
    broken = shapes.thread("UgyBrokenThread00000000AaABAg", now - 500)
    del broken["snippet"]["topLevelComment"]["snippet"]["publishedAt"]
    shapes.add_threads(
        shapes.page([shapes.thread("UgyGoodThread0000000000AaABAg", now - 400), broken]), channel_id=TEAM
    )

    result = ingested(poll(channel))

    assert (result.received, result.created, result.quarantined) == (2, 1, 1)  # received: the quarantined too
    assert stored(channel) == ["UgyGoodThread0000000000AaABAg"]
    letter = DeadLetter.objects.get(channel=channel)
    assert letter.external_id == "UgyBrokenThread00000000AaABAg" and "publishedAt" in letter.error
    assert ingested(poll(channel)).quarantined == 0
    assert DeadLetter.objects.filter(channel=channel).count() == 1


@responses.activate
def test_the_days_quota_budget_stops_the_poll_until_the_pacific_reset_and_the_channel_says_so():
    now = time.time()
    channel = shapes.youtube_channel(config={"channel_ids": [TEAM], "keywords": ["gitlab"], "daily_quota": 100})
    shapes.add_search(shapes.found(), "gitlab")
    shapes.add_threads(shapes.page([shapes.thread("UgyNeverRead000000000000AaABAg", now - 60)]), channel_id=TEAM)

    outcome = poll(channel)

    assert outcome.status == "ok"
    assert len(responses.calls) == 1  # the search spent the day's 100 units: the channel's page waits
    assert stored(channel) == []
    status = channel.platform_status
    assert (status["quota_spent"], status["quota_budget"]) == (100, 100)
    assert status["quota"].startswith("100 of 100 units spent today (the day's budget is used up); Google resets")
    assert "midnight Pacific time" in status["quota"]
    reset = next_reset(datetime.now(tz=UTC))
    assert status["quota_resets_at"] == reset.isoformat()
    assert channel.next_poll_at is not None and abs((channel.next_poll_at - reset).total_seconds()) < 120


@responses.activate
def test_google_saying_the_quota_is_exceeded_stops_the_poll_until_the_reset_without_failing_it():
    channel = shapes.youtube_channel()
    body = shapes.google_error(
        403, "quotaExceeded", "The request cannot be completed because you have exceeded your quota."
    )
    shapes.add_threads(body, channel_id=TEAM, status=403)

    outcome = poll(channel)

    assert outcome.status == "ok"
    assert channel.health == Channel.Health.OK
    assert channel.cursor["quota"]["exhausted"] is True
    assert "(Google said the project's quota is used up)" in channel.platform_status["quota"]
    reset = next_reset(datetime.now(tz=UTC))
    assert channel.next_poll_at is not None and abs((channel.next_poll_at - reset).total_seconds()) < 120

    Channel.objects.filter(pk=channel.pk).update(next_poll_at=None)
    poll(channel)  # the same Pacific day: no call is made

    assert len(_asked(THREADS_URL)) == 1
