"""The gateway process against a local fake of Discord's gateway: a websockets server on 127.0.0.1 that speaks the
opcodes as discord/discord-api-docs documents them (docs/events/gateway.mdx, "Connection Lifecycle", "Sending
Heartbeats", "Resuming"; docs/events/gateway-events.mdx, "Payload Structure", "Hello", "Ready", "Resumed",
"Reconnect", "Invalid Session", "Thread Create", "Guild Create", "Message Create", and the documented examples of
Identify, Resume and Heartbeat; docs/topics/opcodes-and-status-codes.md, "Gateway Close Event Codes": 4014
"Disallowed intent(s)"), and ``GET /gateway/bot`` answered with `responses` in the documented "Get Gateway Bot"
example's shape, naming the fake's URL. The messages are the documented example message and thread channel
(fixtures/SOURCES.md) with ids, channel, ``guild_id`` and ``member`` set as MESSAGE_CREATE's extra fields say."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import responses
from django.core.management import call_command
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from channels.adapters.discord.client import API
from channels.adapters.discord.events import Router
from channels.adapters.discord.gateway import INTENTS, BotGateway, Gateway, GatewayRefused, Timing
from channels.adapters.discord.platform import PLATFORM
from channels.models import Channel
from channels.tests.harness import stored
from intake.services.gateways import gateways_run
from mentions.models import Message, Ticket

from .test_discord_adapter import BOT, FORUM, GUILD, TEXT, channel, load, message

TOKEN = "bot-token-1"  # the test channel's (test_discord_adapter.channel)
OTHER = "613425648685547599"  # a channel of the server the desk does not read
POST = "1019000000000000700"  # a forum post: the thread and its first message share the id
FAST = Timing(identify_gap=0.0, invalid_session=(0.0, 0.0), backoff_max=0.2, open_timeout=5.0, tick=0.05)


class Peer:
    """The fake's side of one socket: what it sends, and what it received (heartbeats ACKed unless told not to)."""

    def __init__(self, ws: ServerConnection, ack: bool) -> None:
        self.ws = ws
        self.ack = ack
        self.got: list[dict[str, Any]] = []
        self.closed_with: int | None = None

    def send(self, op: int, d: Any = None, *, t: str | None = None, s: int | None = None) -> None:
        self.ws.send(json.dumps({"op": op, "d": d, "s": s, "t": t}))

    def hello(self, interval_ms: int) -> None:
        self.send(10, {"heartbeat_interval": interval_ms})

    def dispatch(self, event: str, d: Any, s: int) -> None:
        self.send(0, d, t=event, s=s)

    def expect(self, op: int, where: Callable[[dict[str, Any]], bool] = lambda _: True) -> dict[str, Any]:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            frame = json.loads(self.ws.recv(timeout=deadline - time.monotonic()))
            self.got.append(frame)
            if frame["op"] == 1 and self.ack:
                self.send(11)
            if frame["op"] == op and where(frame):
                return frame
        raise AssertionError(f"no op {op} came")

    def until_closed(self) -> None:
        with contextlib.suppress(ConnectionClosed, TimeoutError):
            while True:
                self.got.append(json.loads(self.ws.recv(timeout=5)))
        self.closed_with = self.ws.close_code


class FakeGateway:
    """A websocket server whose n-th connection runs the n-th script; a connection past the scripts is closed."""

    def __init__(self, *scripts: Callable[[Peer], None], ack: bool = True) -> None:
        self.scripts = scripts
        self.ack = ack
        self.peers: list[Peer] = []
        self.server = serve(self._session, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _session(self, ws: ServerConnection) -> None:
        peer = Peer(ws, self.ack)
        self.peers.append(peer)
        if len(self.peers) > len(self.scripts):
            ws.close(1011, "no script")
            return
        self.scripts[len(self.peers) - 1](peer)
        peer.until_closed()

    def stop(self) -> None:
        self.server.shutdown()


def gateway_bot(url: str) -> None:
    responses.get(f"{API}/gateway/bot", json={"url": url, "shards": 1, "session_start_limit": {
        "total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}})  # fmt: skip


def ready(session_id: str, resume_url: str) -> dict[str, Any]:
    return {"v": 10, "user": {"id": BOT, "username": "deskbot", "bot": True}, "guilds": [{"id": GUILD,
            "unavailable": True}], "session_id": session_id, "resume_gateway_url": resume_url,
            "application": {"id": "900000000000009", "flags": 0}}  # fmt: skip


def said(mid: str, where: str, text: str, **more: Any) -> dict[str, Any]:
    """A MESSAGE_CREATE's message: the example message, with the event's extra fields."""
    return message(mid, where, text, **({"member": {"roles": [], "joined_at": "2026-01-01T00:00:00+00:00"}} | more))


def wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
@responses.activate
def test_messages_reach_tickets_once_the_session_resumes_and_a_disallowed_intent_stops_it(caplog):
    desk = channel()
    question = said("1019000000000000601", TEXT, "How do I cache a runner's build?")
    elsewhere = said("1019000000000000602", OTHER, "Anyone up for a game?")
    post = said(POST, POST, "Pipelines stopped after the upgrade")
    follow_up = said("1019000000000000703", POST, "Same here since Tuesday")
    later = said("1019000000000000604", TEXT, "And artifacts?")
    forum_post = load("docs_thread_channel.json") | {"id": POST, "guild_id": GUILD, "parent_id": FORUM,
                                                      "name": "Pipelines stopped", "newly_created": True}  # fmt: skip

    def identified(peer: Peer) -> None:
        peer.hello(100)
        peer.expect(2)
        peer.dispatch("READY", ready("session-1", fake.url + "/resume"), 1)
        peer.dispatch("GUILD_CREATE", {"id": GUILD, "name": "Desk", "threads": [], "channels": []}, 2)
        peer.dispatch("MESSAGE_CREATE", question, 3)
        peer.dispatch("MESSAGE_CREATE", elsewhere, 4)
        peer.dispatch("THREAD_CREATE", forum_post, 5)
        peer.dispatch("MESSAGE_CREATE", post, 6)
        peer.dispatch("MESSAGE_CREATE", follow_up, 7)
        peer.dispatch("MESSAGE_CREATE", question, 8)  # the same message again
        peer.expect(1, where=lambda frame: frame["d"] == 8)  # a heartbeat carries the last sequence number
        peer.send(7)  # Reconnect

    def resumed(peer: Peer) -> None:
        peer.hello(100)
        peer.expect(6)
        peer.dispatch("RESUMED", None, 9)
        peer.dispatch("MESSAGE_CREATE", later, 10)
        peer.ws.close(4014, "Disallowed intent(s).")

    fake = FakeGateway(identified, resumed)
    gateway_bot(fake.url)
    stop = threading.Event()
    process = threading.Thread(target=gateways_run, kwargs={"kind": PLATFORM.kind, "credential_of": lambda c: TOKEN,
        "open_connection": functools.partial(BotGateway, timing=FAST), "stop": stop, "every": 0.1})  # fmt: skip
    with caplog.at_level(logging.INFO):
        process.start()
        try:
            wait_for(lambda: Channel.objects.get(pk=desk.pk).health == Channel.Health.FAILING)
            time.sleep(0.5)  # five more rounds of the process: it must not connect again
        finally:
            stop.set()
            process.join(10)
            fake.stop()

    assert not process.is_alive()
    identify = fake.peers[0].got[0]
    assert identify["op"] == 2 and identify["d"]["token"] == TOKEN and identify["d"]["intents"] == INTENTS == 33281
    resume = next(f for f in fake.peers[1].got if f["op"] == 6)
    assert resume["d"] == {"token": TOKEN, "session_id": "session-1", "seq": 8}
    assert len(fake.peers) == 2  # a 4014 is not retried
    assert stored(desk) == sorted([question["id"], POST, follow_up["id"], later["id"]])
    assert Ticket.objects.filter(channel=desk).count() == 3  # the question, the forum post, the later question
    opened = Message.objects.get(channel=desk, external_id=POST)
    answer = Message.objects.get(channel=desk, external_id=follow_up["id"])
    assert answer.ticket_id == opened.ticket_id and opened.title == "Pipelines stopped"
    desk.refresh_from_db()
    assert desk.health == Channel.Health.FAILING and "4014" in desk.last_error
    assert "Message Content Intent" in desk.last_error
    refused = [r for r in caplog.records if r.levelno == logging.ERROR and "4014" in r.getMessage()]
    assert refused and "Message Content Intent" in refused[0].getMessage()
    assert TOKEN not in caplog.text


@responses.activate
def test_a_missing_heartbeat_ack_resumes_and_an_invalid_session_identifies_again():
    """Discord not answering a heartbeat: the client closes with a code other than 1000/1001 (the session lives
    on) and resumes; then Invalid Session with d false: it identifies anew on the URL /gateway/bot names."""
    events: list[str] = []
    stop = threading.Event()

    def silent(peer: Peer) -> None:
        peer.hello(50)
        peer.expect(2)
        peer.dispatch("READY", ready("session-2", fake.url + "/resume"), 1)
        peer.expect(1)  # not ACKed: the next beat finds it missing

    def refused(peer: Peer) -> None:
        peer.hello(50)
        peer.expect(6)
        peer.send(9, False)

    def again(peer: Peer) -> None:
        peer.hello(1000)
        peer.expect(2)
        peer.dispatch("READY", ready("session-3", fake.url + "/resume"), 1)
        wait_for(lambda: len(events) == 2)
        stop.set()

    fake = FakeGateway(silent, refused, again, ack=False)
    gateway_bot(fake.url)
    gateway = Gateway(TOKEN, on_event=lambda event, data: events.append(event), stop=stop, timing=FAST)
    runner = threading.Thread(target=gateway.run)
    runner.start()
    runner.join(15)
    fake.stop()

    assert not runner.is_alive()
    assert fake.peers[0].closed_with == 4000
    assert next(f for f in fake.peers[1].got if f["op"] == 6)["d"]["session_id"] == "session-2"
    assert fake.peers[2].got[0]["op"] == 2 and gateway.session_id == "session-3"
    assert fake.peers[2].closed_with == 1000  # stopped: the session ends with the process
    assert len(responses.calls) == 2 and events == ["READY", "READY"]


@responses.activate
def test_a_message_sent_just_before_discord_closes_is_dispatched_though_a_heartbeat_met_the_close():
    """Two messages, then a fatal close (4014), while the first is still being stored: when that is done a heartbeat
    is due and meets the closed socket. The second message was received before the close and is dispatched all the
    same (a fatal close is not resumed, so Discord would not send it again)."""
    events: list[str] = []
    stop = threading.Event()

    def closing(peer: Peer) -> None:
        peer.hello(100)
        peer.expect(2)
        peer.dispatch("MESSAGE_CREATE", said("1019000000000000621", TEXT, "First"), 1)
        peer.dispatch("MESSAGE_CREATE", said("1019000000000000622", TEXT, "Second"), 2)
        peer.ws.close(4014, "Disallowed intent(s).")

    def slow(event: str, data: Any) -> None:
        events.append(data["id"])
        time.sleep(0.3)  # storing the first: the beat falls due, the close comes in

    fake = FakeGateway(closing, ack=False)
    gateway_bot(fake.url)
    gateway = Gateway(TOKEN, on_event=slow, stop=stop, timing=FAST)
    with pytest.raises(GatewayRefused) as refused:
        gateway.run()
    fake.stop()
    assert refused.value.code == 4014
    assert events == ["1019000000000000621", "1019000000000000622"]
    assert gateway.seq == 2


def routed(desk: Channel, *events: tuple[str, Any]) -> list[Any]:
    router = Router()
    router.serve([desk])
    return [pushed for event, data in events for _, pushed in router.handle(event, data)]


@pytest.mark.django_db
def test_a_thread_in_a_text_channel_counts_by_its_parent_and_a_teams_role_is_ours():
    desk = channel(team_role_ids=["800000000000099"])
    started = "1019000000000000610"
    thread = load("docs_thread_channel.json") | {"id": started, "parent_id": TEXT, "name": "Caching"}
    ours = said("1019000000000000611", started, "Use the cache key", member={"roles": ["800000000000099"]})
    ours["type"], ours["message_reference"] = 19, {"message_id": started, "channel_id": started}
    elsewhere = said("1019000000000000612", "1019000000000000699", "In a thread the desk does not know")

    [pushed] = routed(desk, ("READY", ready("s", "wss://gateway.discord.gg")),
                      ("GUILD_CREATE", {"id": GUILD, "threads": [thread]}),
                      ("MESSAGE_CREATE", ours), ("MESSAGE_CREATE", elsewhere))  # fmt: skip

    [mention] = pushed.mentions
    assert (mention.thread_id, mention.parent_id, mention.by_us) == (started, started, True)


@pytest.mark.django_db
def test_keywords_an_edit_without_its_message_and_another_server_are_not_pushed():
    desk = channel(keywords=["runner"])
    chatter = said("1019000000000000620", TEXT, "Nice weather")
    asked = said("1019000000000000621", TEXT, "My Runner is stuck", edited_timestamp="2026-11-26T11:00:00+00:00")
    embed_only = {"id": asked["id"], "channel_id": TEXT, "guild_id": GUILD, "embeds": []}
    other_server = said("1019000000000000622", TEXT, "runner?") | {"guild_id": "613425648685547000"}

    pushes = routed(desk, ("MESSAGE_CREATE", chatter), ("MESSAGE_UPDATE", asked), ("MESSAGE_UPDATE", embed_only),
                    ("MESSAGE_CREATE", other_server))  # fmt: skip

    assert [[m.external_id for m in p.mentions] for p in pushes] == [[asked["id"]]]
    assert pushes[0].mentions[0].edited_at is not None


@pytest.mark.django_db(transaction=True)  # the process renews its database connection as a long-lived one must
def test_the_command_waits_without_discord_channels_and_ends_on_sigterm():
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    signal.signal(signal.SIGTERM, lambda *_: None)  # until the command installs its own: never the test run's end
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    started = time.monotonic()
    try:
        call_command("discord_gateway")
    finally:
        timer.cancel()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    assert time.monotonic() - started < 10
