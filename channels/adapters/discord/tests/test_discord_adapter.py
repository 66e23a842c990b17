"""Discord's poll, parse and reply at the HTTP boundary (`responses`). Shapes: the message, crossposted message
and thread channel are Discord's documented examples (fixtures/SOURCES.md); the attachment, forum-post, reply
(type 19), 429 and error bodies are written from the docs' field tables (discord-api-docs docs/resources/
message.mdx "Attachment Object", "Message Reference Structure"; docs/topics/rate-limits.md "Exceeding A Rate
Limit"; docs/topics/opcodes-and-status-codes.md "JSON Error Codes")."""

import json
from pathlib import Path
from typing import Any

import pytest
import responses

from channels.adapters.base import AuthError, RateLimited, ReplyError, ReplyTarget
from channels.adapters.discord import DiscordAdapter
from channels.adapters.discord.client import API
from channels.http import build_session
from channels.tests.factories import ChannelFactory

FIXTURES = Path(__file__).parent / "fixtures"
GUILD, TEXT, FORUM, BOT, TEAM = (
    "613425648685547541",
    "613425648685547543",
    "1019000000000000001",
    "900000000000001",
    "800000000000001",
)
POST = "1019000000000000500"  # a forum post: the thread and its first message share the id
adapter = DiscordAdapter()
# The calls are made with the channel's bot token: the account (the bot's) is not read.
BOT_ACCOUNT: Any = None


def load(name):
    return json.loads((FIXTURES / name).read_text())


def message(mid, channel_id, text, *, author="alice", author_id="700000000000001", **more):
    made = load("docs_message.json") | {"id": mid, "channel_id": channel_id, "content": text, "guild_id": GUILD}
    made["author"] = {"id": author_id, "username": author, "global_name": author.title()}
    made["timestamp"] = f"2026-11-26T10:{int(mid[-2:]) % 60:02d}:00+00:00"
    return made | more


def channel(**config):
    made = ChannelFactory(
        kind="discord",
        slug="discord",
        config={
            "guild_id": GUILD,
            "text_channels": [TEXT],
            "forum_channels": [FORUM],
            "team_user_ids": [TEAM],
            **config,
        },
    )
    made.credentials = {"bot_token": "bot-token-1"}
    made.save()
    return made


def thread(tid, parent, name, last):
    return load("docs_thread_channel.json") | {"id": tid, "parent_id": parent, "name": name, "last_message_id": last}


def serve_poll(text_page, threads, thread_pages, archived=()):
    responses.get(f"{API}/users/@me", json={"id": BOT, "username": "deskbot", "bot": True})
    responses.get(f"{API}/channels/{TEXT}/messages", json=text_page, headers={"X-RateLimit-Remaining": "4"})
    responses.get(f"{API}/guilds/{GUILD}/threads/active", json={"threads": threads, "members": []})
    responses.get(
        f"{API}/channels/{FORUM}/threads/archived/public", json={"threads": list(archived), "has_more": False}
    )
    for tid, page in thread_pages.items():
        responses.get(f"{API}/channels/{tid}/messages", json=page)


def test_the_docs_example_message_is_a_mention_with_its_permalink():
    [mention] = adapter.parse_payload(load("docs_message.json"))

    assert (mention.external_id, mention.text, mention.author_handle) == ("334385199974967042", "Supa Hot", "Mason")
    assert mention.permalink == "https://discord.com/channels/@me/290926798999357250/334385199974967042"
    assert mention.author_audience is None  # Discord says nothing of an author's weight
    assert not mention.parent_id and not mention.thread_id


def test_a_crosspost_reference_is_not_a_reply():
    [mention] = adapter.parse_payload(load("docs_message_crossposted.json"))

    assert mention.parent_id == ""


def test_attachments_are_media_with_their_descriptions():
    attachment = {
        "id": "1",
        "filename": "trace.png",
        "size": 10,
        "content_type": "image/png",
        "description": "the error",
        "url": "https://cdn.discordapp.com/attachments/1/2/trace.png",
        "proxy_url": "https://media.discordapp.net/attachments/1/2/trace.png",
    }
    log = {
        "id": "2",
        "filename": "runner.log",
        "size": 5,
        "url": "https://cdn.discordapp.com/attachments/1/3/runner.log",
    }

    [mention] = adapter.parse_payload(message("100000000000000010", TEXT, "see", attachments=[attachment, log]))

    assert [(m.kind, m.alt) for m in mention.media] == [("image", "the error"), ("file", "runner.log")]
    assert mention.media[0].preview_url.startswith("https://media.discordapp.net/")


@pytest.mark.django_db
@responses.activate
def test_a_poll_makes_forum_posts_threads_and_replies_into_tickets():
    starter = message(
        "100000000000000020", TEXT, "how do I cache?", thread={"id": "100000000000000020", "name": "cache"}
    )
    answer = message(
        "100000000000000021",
        TEXT,
        "like this",
        type=19,
        author="bob",
        author_id="700000000000002",
        message_reference={"message_id": "100000000000000020", "channel_id": TEXT},
    )
    joins = message("100000000000000030", "100000000000000020", "and in CI?")
    post = message(POST, POST, "runner fails on arm64")
    ours = message("1019000000000000501", POST, "fixed in 17.1", author="deskbot", author_id=BOT)
    team = message("1019000000000000502", POST, "thanks for the report", author="carol", author_id=TEAM)
    other_bot = message("1019000000000000503", POST, "level up!", author="mee6", author_id="1", bot=True) | {
        "author": {"id": "1", "username": "mee6", "bot": True}
    }
    serve_poll(
        [answer, starter],
        [
            thread(POST, FORUM, "Runner fails on arm64", "1019000000000000503"),
            thread("100000000000000020", TEXT, "cache", "100000000000000030"),
            thread("555555555555555555", "999999999999999", "elsewhere", "555555555555555556"),
        ],
        {POST: [other_bot, team, ours, post], "100000000000000020": [joins]},
    )
    made = channel()

    result = adapter.fetch(channel=made, session=build_session())

    by_id = {m.external_id: m for m in result.mentions}
    assert by_id[POST].title == "Runner fails on arm64" and by_id[POST].thread_id == POST and not by_id[POST].parent_id
    assert (by_id["1019000000000000501"].by_us, by_id["1019000000000000502"].by_us) == (True, True)
    assert by_id["1019000000000000501"].parent_id == POST
    assert "1019000000000000503" not in by_id  # another bot: not a person asking
    assert by_id["100000000000000020"].thread_id == "100000000000000020"
    assert by_id["100000000000000021"].parent_id == "100000000000000020"
    assert by_id["100000000000000030"].parent_id == "100000000000000020"
    assert [m.created_at for m in result.mentions] == sorted(m.created_at for m in result.mentions)
    assert result.cursor["marks"][TEXT] == "100000000000000021" and result.cursor["bot_id"] == BOT
    assert result.platform_status["rate_limit_remaining"] is not None


@pytest.mark.django_db
@responses.activate
def test_keywords_filter_only_what_opens_a_ticket_in_a_text_channel():
    plain = message("100000000000000040", TEXT, "good morning")
    asks = message("100000000000000041", TEXT, "my Runner hangs")
    serve_poll([asks, plain], [], {})

    result = adapter.fetch(channel=channel(keywords=["runner"], forum_channels=[]), session=build_session())

    assert [m.external_id for m in result.mentions] == ["100000000000000041"]


@pytest.mark.django_db
@responses.activate
def test_a_429_on_the_first_call_waits_what_discord_said():
    responses.get(
        f"{API}/users/@me",
        status=429,
        json={"message": "You are being rate limited.", "retry_after": 64.57, "global": True},
    )

    with pytest.raises(RateLimited) as caught:
        adapter.fetch(channel=channel(), session=build_session())

    assert caught.value.retry_after == pytest.approx(64.57)
    assert "global" in str(caught.value)


@pytest.mark.django_db
@responses.activate
def test_a_reset_token_is_an_auth_error():
    responses.get(f"{API}/users/@me", status=401, json={"message": "401: Unauthorized", "code": 0})

    with pytest.raises(AuthError):
        adapter.fetch(channel=channel(), session=build_session())


def target(mid, channel_id, thread_id=""):
    return ReplyTarget(
        external_id=mid,
        thread_id=thread_id,
        raw={"channel_id": channel_id, "guild_id": GUILD, "content": "how do I cache in CI?"},
    )


@pytest.mark.django_db
@responses.activate
def test_a_reply_opens_a_thread_from_a_plain_message_and_pings_nobody_else():
    made = channel()
    opened = responses.post(
        f"{API}/channels/{TEXT}/messages/100000000000000050/threads", json={"id": "100000000000000050"}
    )
    sent = responses.post(
        f"{API}/channels/100000000000000050/messages",
        json={"id": "100000000000000051", "timestamp": "2026-11-26T11:00:00+00:00"},
    )

    reply = adapter.post_reply(
        channel=made,
        account=BOT_ACCOUNT,
        session=build_session(),
        target=target("100000000000000050", TEXT),
        text="Use the cache key.",
    )

    assert json.loads(opened.calls[0].request.body)["name"] == "how do I cache in CI?"
    body = json.loads(sent.calls[0].request.body)
    assert body["allowed_mentions"] == {"parse": ["users"], "replied_user": True}
    assert sent.calls[0].request.headers["Authorization"] == "Bot bot-token-1"
    assert reply.permalink == f"https://discord.com/channels/{GUILD}/100000000000000050/100000000000000051"


@pytest.mark.django_db
@responses.activate
def test_a_reply_in_a_forum_post_goes_in_its_thread_and_an_existing_thread_is_reused():
    made = channel()
    in_post = responses.post(f"{API}/channels/{POST}/messages", json={"id": "1019000000000000600"})
    responses.post(
        f"{API}/channels/{TEXT}/messages/100000000000000060/threads",
        status=400,
        json={"message": "A thread has already been created for this message", "code": 160004},
    )
    in_thread = responses.post(f"{API}/channels/100000000000000060/messages", json={"id": "100000000000000061"})

    adapter.post_reply(
        channel=made, account=BOT_ACCOUNT, session=build_session(), target=target(POST, POST, POST), text="hi"
    )
    adapter.post_reply(
        channel=made, account=BOT_ACCOUNT, session=build_session(), target=target("100000000000000060", TEXT), text="hi"
    )

    assert in_post.call_count == 1 and in_thread.call_count == 1
    with pytest.raises(ReplyError, match="2000"):
        adapter.post_reply(
            channel=made, account=BOT_ACCOUNT, session=build_session(), target=target(POST, POST), text="x" * 2001
        )


@pytest.mark.django_db
@responses.activate
def test_like_and_delete_as_the_bot_and_a_gone_message_is_deleted():
    made = channel()
    liked = responses.put(f"{API}/channels/{POST}/messages/1019000000000000501/reactions/%F0%9F%91%8D/@me", status=204)
    responses.delete(
        f"{API}/channels/{POST}/messages/1019000000000000501",
        status=404,
        json={"message": "Unknown Message", "code": 10008},
    )

    adapter.like(
        channel=made, account=BOT_ACCOUNT, session=build_session(), target=target("1019000000000000501", POST, POST)
    )
    adapter.delete_post(
        channel=made, account=BOT_ACCOUNT, session=build_session(), target=target("1019000000000000501", POST)
    )

    assert liked.call_count == 1
