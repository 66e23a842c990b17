"""The demo's Bluesky (replay.py) answered through the real adapter: sign-in, the keyword search, the account's
mentions and replies, a watched thread and a reply, all offline through the demo network (channels.demo.replay).

The demo week has no Bluesky threads yet (channels/demo/week.py is shared by every kind), so these tests hand the
network a small week of their own through `DemoNetwork(posts_of=...)`, as the demo would from its threads. The
shapes come from the replay module, which follows the recorded fixtures (fixtures/SOURCES.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from channels.adapters.base import IncomingMention, ReplyTarget
from channels.adapters.bluesky import BlueskyAdapter, replay
from channels.adapters.bluesky.tests.bsky import ALICE, BOB, bluesky_channel
from channels.demo.replay import DemoNetwork, DemoPosts
from channels.models import Account

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
