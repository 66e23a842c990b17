"""Discord's gateway for one bot token (discord.com/developers/docs/events/gateway, "Connection Lifecycle"; the
payloads: docs/events/gateway-events), the connection ``manage.py discord_gateway`` keeps per token:

1. ``GET /gateway/bot`` (REST, as the bot) names the URL and the session starts left; the socket opens on it with
   ``?v=10&encoding=json``.
2. Hello (op 10) gives the heartbeat interval: the first Heartbeat (op 1, the last sequence number) goes after
   interval times a random jitter, then one every interval, each answered by a Heartbeat ACK (op 11). A beat still
   unanswered at the next is a dead ("zombied") connection: closed with 4000 (not 1000/1001, which would end the
   session) and resumed. A Heartbeat from Discord is answered at once.
3. Identify (op 2): the token and the intents GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT. READY (a dispatch, op 0)
   gives ``session_id`` and ``resume_gateway_url``.
4. Dispatches (op 0) go to `on_event`; their ``s`` is kept for heartbeats and resuming.
5. Reconnect (op 7), a dropped socket or a resumable close code: a new socket on ``resume_gateway_url`` and Resume
   (op 6: token, session_id, seq); Discord replays what was missed, then RESUMED. Invalid Session (op 9): ``d``
   true resumes; false waits 1-5 s and identifies anew, as do close codes 4007 and 4009.
6. Close codes 4004 (authentication failed) and 4010-4014 (shard, version, intents) will not get better by
   trying again: `GatewayRefused`, with the fix, ends `run`, and the token is not tried again until an admin
   fixes its channels (intake.services.gateways).

Discord resets a bot's token after 1,000 identifies in a day, so identifies are spaced (`Timing.identify_gap`)
and wait out ``session_start_limit`` when none remain; a failing socket backs off up to a minute, and after
`FRESH_AFTER` failures in a row the session is given up for a new one on the URL ``/gateway/bot`` names. The
token is sent in Identify and Resume only and never logged.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.sync.client import ClientConnection, connect

from channels import clean
from channels.http import build_session

from ..base import PayloadError, PermanentError, Pushed, RateLimited, TransientError
from .client import USER_AGENT, Client
from .events import Router

if TYPE_CHECKING:
    from channels.models import Channel

logger = logging.getLogger(__name__)

QUERY = "?v=10&encoding=json"
GUILDS, GUILD_MESSAGES, MESSAGE_CONTENT = 1 << 0, 1 << 9, 1 << 15
INTENTS = GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT
RESUMABLE_CLOSE = 4000  # any code but 1000/1001 keeps the session, so the next socket can resume it
_CONTENT_FIX = (
    "switch on the Message Content Intent (Developer Portal, the bot's application, Bot, Privileged Gateway "
    "Intents), then clear the channel's failure state (admin, Channels)"
)
# docs/topics/opcodes-and-status-codes, "Gateway Close Event Codes": the ones with "Reconnect: false".
FATAL: dict[int, str] = {
    4004: "authentication failed: the bot token is wrong or was reset; store the new one in the channel's credentials",
    4010: "invalid shard",
    4011: "sharding required: the bot is in too many servers for one connection",
    4012: "invalid API version",
    4013: f"invalid intents: {_CONTENT_FIX}",
    4014: f"disallowed intents: {_CONTENT_FIX}",
}
FRESH_AFTER = 3  # sockets failing in a row before the session is given up and the bot identifies anew
NEW_SESSION = frozenset({4007, 4009})  # invalid seq, session timed out: reconnect and identify
PROPERTIES = {"os": "linux", "browser": "triage-desk", "device": "triage-desk"}  # Identify's "connection properties"
MAX_MESSAGE = 8 * 2**20  # a big server's GUILD_CREATE lists every channel and active thread
Deliver = Callable[["Channel", Pushed], None]


class GatewayRefused(PermanentError):
    """Discord closed the socket with a code that trying again will not fix."""

    def __init__(self, code: int) -> None:
        super().__init__(f"Discord's gateway closed the connection with code {code}, {FATAL[code]}.")
        self.code = code


@dataclass(frozen=True)
class Timing:
    """Seconds; the tests shorten them."""

    identify_gap: float = 5.0  # at most one Identify per 5 s (max_concurrency 1)
    invalid_session: tuple[float, float] = (1.0, 5.0)  # the wait after op 9 false
    backoff_max: float = 60.0
    open_timeout: float = 20.0
    tick: float = 1.0  # how often a quiet socket looks at the stop flag


class _Reconnect(Exception):
    """The socket is done; reconnect (resuming if the session is still known)."""


class Gateway:
    """One bot token's gateway session across its sockets; `run` until `stop` is set or Discord refuses."""

    def __init__(
        self,
        token: str,
        *,
        on_event: Callable[[str, Any], None],
        stop: threading.Event,
        session: requests.Session | None = None,
        timing: Timing = Timing(),
    ) -> None:
        self.token = token
        self.on_event = on_event
        self.stop = stop
        self.session = session or build_session()
        self.timing = timing
        self.session_id = ""
        self.resume_url = ""
        self.seq: int | None = None
        self.failures = 0
        self._identified_at = -float("inf")
        self._acked = True

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self._socket()
            except PermanentError:
                raise
            except (TransientError, PayloadError, WebSocketException, OSError) as exc:
                self.failures += 1
                if self.failures >= FRESH_AFTER:
                    self._forget()  # the resume URL or session may be what fails: start anew from /gateway/bot
                wait = min(self.timing.backoff_max, 2.0**self.failures) * random.uniform(0.5, 1.0)
                if isinstance(exc, RateLimited) and exc.retry_after:
                    wait = max(wait, exc.retry_after)
                logger.warning("discord gateway: %s; reconnecting in %.1fs", _said(exc), wait)
                self.stop.wait(wait)

    def _socket(self) -> None:
        resuming = bool(self.session_id and self.resume_url and self.seq is not None)
        url = self.resume_url if resuming else self._identify_url()
        if self.stop.is_set():
            return
        with connect(url + QUERY, ping_interval=None, max_size=MAX_MESSAGE, open_timeout=self.timing.open_timeout,
                     close_timeout=5, user_agent_header=USER_AGENT) as ws:  # fmt: skip
            # Closed here with the code that says what comes next (the context's own close would say 1000).
            code, reason = RESUMABLE_CLOSE, "reconnecting"
            try:
                self._speak(ws, resuming)
                code, reason = 1000, "shutting down"  # asked to stop: the session ends with the process
            except _Reconnect as exc:
                reason = str(exc)
            except ConnectionClosed as exc:
                self._drain(ws)
                closed = exc.rcvd.code if exc.rcvd is not None else None
                if closed in FATAL:
                    raise GatewayRefused(closed) from None
                if closed in NEW_SESSION:
                    self._forget()
                raise TransientError(f"the socket closed ({closed or 'no code'})") from None
            finally:
                ws.close(code, reason)

    def _speak(self, ws: ClientConnection, resuming: bool) -> None:
        hello = _frame(ws.recv(timeout=self.timing.open_timeout))
        if hello.get("op") == 7:
            raise _Reconnect("reconnect asked before hello")
        interval = clean.number(clean.mapping(hello.get("d")).get("heartbeat_interval"))
        if hello.get("op") != 10 or interval is None or not 0 < interval <= 600_000:
            raise PayloadError("the gateway's first message is not Hello")
        every = interval / 1000
        beat_at = time.monotonic() + every * random.random()
        self._acked = True
        if resuming:
            self._send(ws, 6, {"token": self.token, "session_id": self.session_id, "seq": self.seq})
        else:
            self._identified_at = time.monotonic()
            self._send(ws, 2, {"token": self.token, "intents": INTENTS, "properties": PROPERTIES})
        while not self.stop.is_set():
            now = time.monotonic()
            if now >= beat_at:
                if not self._acked and not self._pending(ws):
                    raise _Reconnect("no heartbeat ACK")
                if not self._acked:
                    continue  # a frame that waited while an event was stored, the ACK perhaps: read first
                self._beat(ws)
                beat_at = max(beat_at + every, now)
            try:
                raw = ws.recv(timeout=max(0.0, min(beat_at - now, self.timing.tick)))
            except TimeoutError:
                continue
            self._handle(ws, _frame(raw))

    def _handle(self, ws: ClientConnection, frame: dict[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d")
        seq = frame.get("s")
        if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0:
            self.seq = seq
        if op == 0:
            self._dispatch(clean.line(frame.get("t"), max_length=64), data)
        elif op == 1:
            self._beat(ws)  # Discord asked for one now
        elif op == 11:
            self._acked = True
        elif op == 7:
            raise _Reconnect("reconnect asked")
        elif op == 9:
            if data is not True:
                self._forget()
                self.stop.wait(random.uniform(*self.timing.invalid_session))
            raise _Reconnect("invalid session")

    def _dispatch(self, event: str, data: Any) -> None:
        if event == "READY":
            body = clean.mapping(data)
            self.session_id = clean.line(body.get("session_id"), max_length=200)
            self.resume_url = ws_url(body.get("resume_gateway_url"))
            self.failures = 0
            logger.info("discord gateway: ready as bot %s", clean.ident(clean.mapping(body.get("user")).get("id")))
        elif event == "RESUMED":
            self.failures = 0
            logger.info("discord gateway: resumed at sequence %s", self.seq)
        try:
            self.on_event(event, data)
        except Exception:  # one event that cannot be stored must not drop the socket: the next poll reads it
            logger.exception("discord gateway: the %s event (sequence %s) was not handled", event, self.seq)

    def _drain(self, ws: ClientConnection) -> None:
        """The events that came before Discord closed the socket and were not read yet: dispatched. A heartbeat sent
        as the close came in raises first, and a fatal close is not resumed, so Discord would not send them again
        (a message said just before a 4014 was lost when a beat fell due while the one before it was stored)."""
        while True:
            try:
                frame = _frame(ws.recv(timeout=0))
            except (ConnectionClosed, TimeoutError):
                return
            except PayloadError:
                continue
            if frame.get("op") == 0:
                self._handle(ws, frame)

    def _pending(self, ws: ClientConnection) -> bool:
        """Handle one frame already received, if any."""
        try:
            raw = ws.recv(timeout=0)
        except TimeoutError:
            return False
        self._handle(ws, _frame(raw))
        return True

    def _beat(self, ws: ClientConnection) -> None:
        self._send(ws, 1, self.seq)
        self._acked = False

    def _send(self, ws: ClientConnection, op: int, data: Any) -> None:
        ws.send(json.dumps({"op": op, "d": data}))

    def _forget(self) -> None:
        self.session_id, self.resume_url, self.seq = "", "", None

    def _identify_url(self) -> str:
        """The URL to identify on, from GET /gateway/bot, once an Identify is allowed."""
        wait = self._identified_at + self.timing.identify_gap - time.monotonic()
        if wait > 0:
            self.stop.wait(wait)
        body = clean.mapping(Client(self.session, self.token, budget=1).get("/gateway/bot"))
        limit = clean.mapping(body.get("session_start_limit"))
        if clean.whole(limit.get("remaining")) == 0:
            reset = (clean.whole(limit.get("reset_after"), minimum=0, maximum=86_400_000) or 60_000) / 1000
            logger.warning("discord gateway: no session starts left today; waiting %.0fs for the reset", reset)
            raise RateLimited("Discord: no session starts left", retry_after=reset)
        url = ws_url(body.get("url"))
        if not url:
            raise PayloadError("Discord's /gateway/bot named no websocket URL")
        return url


def ws_url(value: Any) -> str:
    """A gateway URL Discord gave, without its query: ``wss://``, or ``ws://`` on this machine (a local fake)."""
    text = clean.line(value, max_length=500)
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    local = parts.scheme == "ws" and parts.hostname in ("127.0.0.1", "localhost", "::1")
    if not parts.hostname or (parts.scheme != "wss" and not local):
        return ""
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/"


def _frame(raw: str | bytes) -> dict[str, Any]:
    try:
        frame = json.loads(raw)
    except (ValueError, RecursionError):
        raise PayloadError("the gateway sent something that is not JSON") from None
    if not isinstance(frame, dict):
        raise PayloadError("the gateway sent a JSON value that is not a payload object")
    return frame


def _said(exc: Exception) -> str:
    return f"{exc.__class__.__name__}: {exc}" if isinstance(exc, OSError | WebSocketException) else str(exc)


class BotGateway:
    """What ``manage.py discord_gateway`` runs per bot token: the gateway, its events routed to the channels
    that use the token, each push handed to `deliver` (intake stores it)."""

    def __init__(self, token: str, *, deliver: Deliver, stop: threading.Event, timing: Timing = Timing()) -> None:
        self.router = Router()
        self.deliver = deliver
        self.gateway = Gateway(token, on_event=self._event, stop=stop, timing=timing)

    def serve(self, channels: list[Channel]) -> None:
        self.router.serve(channels)

    def channel_ids(self) -> list[int]:
        return self.router.channel_ids()

    def run(self) -> None:
        self.gateway.run()

    def _event(self, event: str, data: Any) -> None:
        for channel, pushed in self.router.handle(event, data):
            self.deliver(channel, pushed)
