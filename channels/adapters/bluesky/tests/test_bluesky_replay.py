"""The demo's Bluesky (replay.py) answered through the real adapter: sign-in, the keyword search, the account's
mentions and replies, a watched thread and a reply, all offline through the demo network (channels.demo.replay).

The first test polls the demo channel (channels.demo.channels.DEMO_CHANNELS) over the demo week's Bluesky threads
(channels.demo.threads.open_social); the others hand the network a small week of their own through
`DemoNetwork(posts_of=...)`, to see one exchange closely. The shapes come from the replay module, which follows
the recorded fixtures (fixtures/SOURCES.md: atat_post_views.json for a post's images)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
import time_machine

from channels.adapters.base import IncomingMention, ReplyTarget
from channels.adapters.bluesky import BlueskyAdapter, replay
from channels.adapters.bluesky.richtext import MAX_GRAPHEMES, grapheme_length
from channels.adapters.bluesky.tests.bsky import ALICE, BOB, bluesky_channel
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay import DemoNetwork, DemoPosts
from channels.demo.week import THREADS
from channels.models import Account
from channels.tests import demo_replay as demo
from channels.tests.harness import ingested, poll
from mentions.models import Message

pytestmark = pytest.mark.django_db
adapter = BlueskyAdapter()
OURS = "gitlab.com"
NOW = datetime.now(tz=UTC).replace(microsecond=0)


def mention(n: str, author: str, text: str, minutes_ago: int, thread: str = "") -> IncomingMention:
    return IncomingMention(
        external_id=f"demo-bluesky-{n}",
        created_at=NOW - timedelta(minutes=minutes_ago),
        text=text,
        author_handle=author,
        author_name=author.split(".")[0].title(),
        thread_id=thread,
    )


WEEK = DemoPosts(
    kind="bluesky",
    now=NOW,
    our_account=OURS,
    mentions=(
        mention("1", ALICE, f"@{OURS} is the 18.6 upgrade safe on a Friday?", 300),
        mention(
            "1-1", OURS, f"@{ALICE} we'd say Tuesday: the upgrade notes list what to wait for.", 280, "demo-bluesky-1"
        ),
        mention("1-2", ALICE, "thanks, Tuesday it is", 270, "demo-bluesky-1"),
        mention("2", BOB, "gitlab runners are green again after the incident", 120),
    ),
)


ANCHOR = datetime(2026, 4, 9, 16, 0, tzinfo=UTC)  # the day the demo channel was made: its week ends then


def test_the_demo_channel_polls_the_weeks_threads_with_our_replies_and_the_image(settings):
    settings.DESK_DEMO_REPLAY = True
    week = [t for t in THREADS if t.kind == "bluesky"]
    channel = demo.channel("bluesky", ANCHOR)
    with time_machine.travel(ANCHOR, tick=False):
        outcome = poll(channel)

        assert outcome.status == "ok", outcome
        # Authors are stored as Bluesky handles (dev-priya.bsky.social), the week writes them short.
        threads = demo.assert_week_stored(channel, ANCHOR, authors=False)
        assert len(threads) == 3 and ingested(outcome).created == sum(len(t) for t in threads)
        ours = Message.objects.filter(channel=channel, kind=Message.Kind.OUR_REPLY)
        # Two answers, and our word after the lint question's asker thanked us.
        assert ours.count() == 3 and set(ours.values_list("author_handle", flat=True)) == {OURS}
        assert DEMO_CHANNELS["bluesky"]["our_accounts"] == [OURS]
        [pictured] = [t for t in week if t.media]
        [image] = pictured.media
        opening = Message.objects.get(channel=channel, body=pictured.text)
        assert opening.media == [
            {"kind": "image", "url": image.url, "preview_url": image.preview_url, "alt": image.alt}
        ]
        assert replay.did_of(opening.author_handle) in image.url  # the CDN names the author's DID, as Bluesky's does

        demo.assert_second_poll_stores_nothing(channel)
    # Every post of the week fits in a Bluesky post.
    assert all(grapheme_length(text) <= MAX_GRAPHEMES for t in week for text in (t.text, *(f[2] for f in t.followups)))


def demo_session() -> requests.Session:
    session = requests.Session()
    network = DemoNetwork(posts_of=lambda kind: WEEK)
    session.mount("http://", network)
    session.mount("https://", network)
    return session


def test_the_demo_week_is_read_through_the_adapter_and_a_second_poll_finds_nothing_new():
    # Our own replies are found by a search for them (Bluesky's `from:` syntax): notifications never hold them.
    channel = bluesky_channel(handle=OURS, keywords=["gitlab", f"from:{OURS}"], backfill_hours=24)
    session = demo_session()

    first = adapter.fetch(channel=channel, session=session)

    by_text = {m.text: m for m in first.mentions}
    assert len(first.mentions) == 4 and not first.rejected
    question = by_text[f"@{OURS} is the 18.6 upgrade safe on a Friday?"]
    answer = next(m for m in first.mentions if m.author_handle == OURS)
    thanks = by_text["thanks, Tuesday it is"]
    assert question.author_handle == ALICE and question.mentioned == ()  # the demo's posts carry no facets
    assert answer.by_us and answer.parent_id == question.external_id == thanks.thread_id
    assert thanks.parent_id == answer.external_id  # a reply to our answer: a notification of reason "reply"
    assert first.platform_status["rate_limit"]["limit"] == 3000
    assert [m.created_at for m in first.mentions] == sorted(m.created_at for m in first.mentions)

    channel.cursor = first.cursor
    assert adapter.fetch(channel=channel, session=session).mentions == []


def test_a_watched_thread_and_a_reply_through_the_demo():
    channel = bluesky_channel(handle=OURS, keywords=["upgrade"], read_notifications=False)
    session = demo_session()
    [question] = [m for m in adapter.fetch(channel=channel, session=session).mentions if m.author_handle == ALICE]

    thread = adapter.fetch_thread(channel=channel, session=session, ref=question.external_id)
    assert len(thread.mentions) == 3

    grant = adapter.channel_key_grant(channel=channel, session=session, username=OURS)
    account = Account.objects.create(channel=channel, username=OURS, status=Account.Status.CONNECTED)
    account.tokens = grant.tokens
    account.save()
    target = ReplyTarget(external_id=question.external_id, raw=question.raw)
    sent = adapter.post_reply(channel=channel, account=account, session=session, target=target, text="Tuesday!")
    assert sent.external_id.startswith(f"at://{replay.did_of(OURS)}/app.bsky.feed.post/")
    assert sent.raw["record"]["reply"]["root"] == {"uri": question.external_id, "cid": question.raw["cid"]}
