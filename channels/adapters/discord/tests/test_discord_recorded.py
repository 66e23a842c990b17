"""Payloads recorded from Discord itself (fixtures/SOURCES.md, "Recorded": serenity's gateway events of April 2017,
discordrb's message of September 2017, twilight's Hello of 2025), through the poll's parse, the gateway's event
routing (`events.Router`) and the gateway client against a local fake that sends the recorded Hello and READY.
The frames around a recorded ``d`` (op 0, ``t``, ``s``) are the fake's, as docs/events/gateway-events.mdx "Payload
Structure" shows them; ``GET /gateway/bot`` is answered as in test_discord_gateway."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
import responses

from channels.adapters.discord import DiscordAdapter
from channels.adapters.discord.events import Router
from channels.adapters.discord.gateway import INTENTS, Gateway
from channels.adapters.discord.parse import WEB, Context, parse_page

from .test_discord_adapter import channel, load
from .test_discord_gateway import FAST, TOKEN, FakeGateway, Peer, gateway_bot, wait_for

adapter = DiscordAdapter()
# serenity's recordings were made in one test server whose #general has the server's id (the same recording's
# tests/resources/channel_update_1.json): the events themselves (API v6) carry no guild_id.
SERVER = "244567637332328449"
RECORDED_BOT = "272502210401665025"  # the bot READY names ("Ein")


def test_the_recorded_message_create_is_a_mention_in_its_server():
    created = load("recorded_serenity_message_create.json")

    [mention] = parse_page(created, Context(guild_id=SERVER)).mentions

    assert (mention.external_id, mention.text, mention.author_handle, mention.author_name) == (
        "302917639565475840",
        "a",
        "zeyla",
        "zeyla",  # no global_name in 2017: the username stands in
    )
    assert mention.created_at == datetime(2017, 4, 15, 21, 26, 33, 210000, tzinfo=UTC)
    assert mention.permalink == f"{WEB}/{SERVER}/{SERVER}/302917639565475840"
    assert (mention.thread_id, mention.parent_id, mention.title, mention.media) == ("", "", "", ())
    assert mention.edited_at is None and not mention.by_us and mention.mentioned == ()


def test_the_recorded_message_update_is_the_same_message_edited():
    [created] = parse_page(load("recorded_serenity_message_create.json"), Context(guild_id=SERVER)).mentions
    [edited] = parse_page(load("recorded_serenity_message_update.json"), Context(guild_id=SERVER)).mentions

    assert edited.external_id == created.external_id and (created.text, edited.text) == ("a", "b")
    assert edited.edited_at == datetime(2017, 4, 15, 21, 30, 43, 74233, tzinfo=UTC)
    assert edited.created_at == created.created_at


def test_recorded_messages_make_a_page_and_a_message_without_a_server_links_as_a_direct_one():
    """discordrb's message is one item of a channel's history as REST listed it (no guild_id): a page of the two
    recorded messages (a cut: no recorded page was found) gives both, in order, neither in a thread."""
    rest = load("recorded_discordrb_message.json")

    parsed = adapter.parse_page([rest, load("recorded_serenity_message_create.json")])

    assert parsed.rejected == []
    first, second = parsed.mentions
    assert (first.external_id, first.author_handle) == ("360513832470315009", "Ghosty")
    assert first.text == "i have not been able to use my computer machine due to curriculum-assigned domal tasks"
    assert first.created_at == datetime(2017, 9, 21, 19, 53, 15, 684000, tzinfo=UTC)
    # Without a guild_id and without the channel's server (the poll's Context has it) the link is a DM's.
    assert first.permalink == f"{WEB}/@me/83281822225530880/360513832470315009"
    assert second.external_id == "302917639565475840"
    assert all((m.thread_id, m.parent_id) == ("", "") for m in parsed.mentions)


@pytest.mark.django_db
def test_the_router_takes_the_bot_from_the_recorded_ready_and_leaves_v6_messages_to_the_poll():
    """READY names the bot whose messages are ours. The recorded MESSAGE_CREATE/UPDATE predate the events'
    guild_id, which the router matches a channel's server by (a DM has none): they are not pushed, and the poll,
    whose Context knows the server, reads them (the tests above)."""
    desk = channel(guild_id=SERVER, text_channels=[SERVER])
    router = Router()
    router.serve([desk])

    pushes = [
        router.handle("READY", load("recorded_serenity_ready.json")),
        router.handle("MESSAGE_CREATE", load("recorded_serenity_message_create.json")),
        router.handle("MESSAGE_UPDATE", load("recorded_serenity_message_update.json")),
    ]

    assert router.bot_id == RECORDED_BOT
    assert pushes == [[], [], []]


@responses.activate
def test_the_gateway_identifies_after_the_recorded_hello_and_keeps_the_recorded_ready_session():
    hello = load("recorded_twilight_hello.json")
    ready = load("recorded_serenity_ready.json")
    events: list[tuple[str, Any]] = []
    stop = threading.Event()

    def script(peer: Peer) -> None:
        peer.ws.send(json.dumps(hello))  # the frame as Discord sent it, _trace and all
        peer.expect(2)
        peer.dispatch("READY", ready, 1)
        wait_for(lambda: len(events) == 1)
        stop.set()

    fake = FakeGateway(script)
    gateway_bot(fake.url)
    gateway = Gateway(TOKEN, on_event=lambda event, data: events.append((event, data)), stop=stop, timing=FAST)
    runner = threading.Thread(target=gateway.run)
    runner.start()
    runner.join(15)
    fake.stop()

    assert not runner.is_alive()
    identify = fake.peers[0].got[0]
    assert identify["op"] == 2 and identify["d"]["intents"] == INTENTS
    assert events == [("READY", ready)]
    assert gateway.session_id == "f97bdc3210d0da33a3c61d8363e68579"
    assert gateway.resume_url == ""  # v6's READY named no resume_gateway_url: a resume would start anew
    assert fake.peers[0].closed_with == 1000
