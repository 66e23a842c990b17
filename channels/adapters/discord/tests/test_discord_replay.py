"""The demo's Discord server polled through the real adapter (channel_poll -> DiscordAdapter -> intake) with
DESK_DEMO_REPLAY on, and a reply, a 👍 and a deletion sent through it: every request is answered by
channels/adapters/discord/replay.py from the demo week's Discord threads (channels.demo.threads.chat).

Shapes come from that replay module, which follows Discord's documented objects (discord.com/developers/docs/
resources/message.mdx "Message Object" and "Attachment Object", channel.mdx "Channel Object"; the thread channel of
fixtures/docs_thread_channel.json, SOURCES.md) and its rate-limit headers (docs/topics/rate-limits.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import time_machine

from channels.adapters.base import ReplyTarget
from channels.adapters.discord import DiscordAdapter, replay
from channels.demo.week import THREADS, thread_start
from channels.http import build_session
from channels.models import Account
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import ingested, poll
from mentions.models import Message, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "discord"
ANCHOR = datetime(2026, 5, 14, 17, 0, tzinfo=UTC)  # the day the demo channel was made: its week ends then
WEEK = [t for t in THREADS if t.kind == KIND]
OURS = replay.SPEC["our_accounts"][0]
API = "https://discord.com/api/v10"


def test_the_demo_server_polls_into_one_ticket_a_thread_with_our_replies_and_the_screenshot():
    channel = demo.channel(KIND, ANCHOR)
    with time_machine.travel(ANCHOR, tick=False):
        outcome = poll(channel)

        assert outcome.status == "ok", outcome
        threads = demo.assert_week_stored(channel, ANCHOR)
        assert len(threads) == 3 and ingested(outcome).created == sum(len(t) for t in threads) == 8
        ours = Message.objects.filter(channel=channel, author_handle=OURS)
        assert ours.count() == 2 and {m.kind for m in ours} == {Message.Kind.OUR_REPLY}
        # The forum post is titled with its name; a #help question with the thread it started.
        [forum] = [t for t in WEEK if t.title]
        assert demo.ticket_of(channel, body=forum.text).subject == forum.title
        question = Message.objects.get(channel=channel, body=WEEK[0].text)
        assert question.title and WEEK[0].text.startswith(question.title)
        assert question.permalink.startswith(f"https://discord.com/channels/{replay.GUILD}/{replay.HELP}/")
        [pictured] = [t for t in WEEK if t.media]
        [image] = pictured.media
        shown = Message.objects.get(channel=channel, body=pictured.text)
        assert shown.media == [{"kind": "image", "url": image.url, "preview_url": image.preview_url, "alt": image.alt}]
        assert channel.cursor["bot_id"] == replay.BOT_USER

        demo.assert_second_poll_stores_nothing(channel)


def test_a_follow_up_is_read_from_its_thread_once_its_time_comes():
    first = WEEK[0]
    start = thread_start(first, ANCHOR)
    channel = demo.channel(KIND, ANCHOR)
    demo.poll_at(channel, ANCHOR, start + timedelta(minutes=10))  # the question and the first answer

    later = demo.poll_at(channel, ANCHOR, ANCHOR)

    assert later.threaded >= 2  # our reply and the thanks join the question's ticket
    ticket = demo.ticket_of(channel, body=first.text)
    assert [m.author_handle for m in ticket.messages.order_by("platform_created_at")] == [
        first.author,
        *(f[1] if f[1] != "@ours" else OURS for f in first.followups),
    ]
    assert Ticket.objects.filter(channel=channel).count() == 3


def test_a_reply_a_thumbs_up_and_a_deletion_through_the_adapter():
    channel = demo.channel(KIND, ANCHOR)
    adapter = DiscordAdapter()
    with time_machine.travel(ANCHOR, tick=False):
        ingested(poll(channel))
        session = build_session()
        grant = adapter.channel_key_grant(channel=channel, session=session, username="")
        account = Account.objects.create(channel=channel, username=grant.username, status=Account.Status.CONNECTED)
        account.tokens = grant.tokens
        account.save()
        forum = Message.objects.get(channel=channel, body=WEEK[2].text)
        target = ReplyTarget(external_id=forum.external_id or "", thread_id=forum.external_id or "", raw=forum.raw)

        sent = adapter.post_reply(channel=channel, account=account, session=session, target=target, text="On it!")

        assert grant.username == "GitLab Desk" and sent.raw["author"]["id"] == replay.BOT_USER
        assert sent.raw["message_reference"]["message_id"] == forum.external_id and sent.raw["type"] == 19
        assert sent.permalink == f"https://discord.com/channels/{replay.GUILD}/{forum.external_id}/{sent.external_id}"
        adapter.like(channel=channel, account=account, session=session, target=target)
        posted = ReplyTarget(external_id=sent.external_id, thread_id=forum.external_id or "", raw=sent.raw)
        adapter.delete_post(channel=channel, account=account, session=session, target=posted)


# --- the replay's answers, as Discord documents them ---------------------------------------------------------


def get(path: str, params: dict[str, Any] | None = None, *, signed: bool = True) -> requests.Response:
    headers = {"Authorization": f"Bot {replay.TOKEN}"} if signed else {}
    return build_session().get(API + path, params=params or {}, headers=headers, timeout=5)


def test_messages_page_after_and_before_newest_first():
    demo.channel(KIND, ANCHOR)
    with time_machine.travel(ANCHOR, tick=False):
        [question] = [m for m in get(f"/channels/{replay.HELP}/messages").json() if m["content"] == WEEK[0].text]
        thread = question["thread"]
        assert thread["type"] == 11 and thread["parent_id"] == replay.HELP and thread["id"] == question["id"]
        whole = get(f"/channels/{thread['id']}/messages").json()
        ids = [m["id"] for m in whole]
        assert len(ids) == 3 and ids == sorted(ids, key=int, reverse=True) and thread["last_message_id"] == ids[0]

        assert [m["id"] for m in get(f"/channels/{thread['id']}/messages", {"after": ids[2], "limit": 1}).json()] == [
            ids[1]
        ]
        assert [m["id"] for m in get(f"/channels/{thread['id']}/messages", {"before": ids[0]}).json()] == ids[1:]
        active = get(f"/guilds/{replay.GUILD}/threads/active")
        assert len(active.json()["threads"]) == 3 and active.headers["X-RateLimit-Remaining"] == "4"


def test_refusals_are_discords():
    demo.channel(KIND, ANCHOR)
    with time_machine.travel(ANCHOR, tick=False):
        assert get("/users/@me", signed=False).status_code == 401
        assert get("/users/@me", signed=False).json() == {"message": "401: Unauthorized", "code": 0}
        assert get("/channels/1234567890123/messages").json() == {"message": "Unknown Channel", "code": 10003}
        assert get("/nothing/here").status_code == 404
        assert {c["type"] for c in get(f"/guilds/{replay.GUILD}/channels").json()} == {0, 15}
