"""What a bot's gateway events mean for the desk's Discord channels that use the bot
(discord.com/developers/docs/events/gateway-events, "Receive Events"):

- ``READY``: the bot's own user, whose messages are ours.
- ``GUILD_CREATE`` (its ``threads``), ``THREAD_CREATE`` (a forum post, or a thread started in a text channel),
  ``THREAD_UPDATE`` and ``THREAD_LIST_SYNC``: the active threads by id, with their parent channel and name. A
  message in a thread names only the thread (its ``channel_id``), so whether it is in a chosen channel, and a
  forum post's title, come from here. ``THREAD_DELETE`` forgets one.
- ``MESSAGE_CREATE`` and ``MESSAGE_UPDATE`` (a message object with ``guild_id`` and the author's ``member``):
  for each channel whose server it is and whose chosen channels hold the message's channel or its thread's
  parent, the message as the poll parses it (`parse.py`, with the same keyword filter), handed over as a push
  (`base.Pushed`) that intake stores as a poll's chunk. An update without the message's author and time (an
  embed resolved) says nothing new and is skipped.

A message in a thread this connection has not seen (archived and brought back, or a channel chosen since it
opened) is left to the poll, which lists the active threads each time: the gateway only brings messages sooner.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from channels import clean

from ..base import ConfigError, Pushed
from .config import settings_of
from .parse import context_of, parse_page, wanted

if TYPE_CHECKING:
    from channels.models import Channel

logger = logging.getLogger(__name__)

MESSAGE_EVENTS = frozenset({"MESSAGE_CREATE", "MESSAGE_UPDATE"})
THREAD_EVENTS = frozenset({"THREAD_CREATE", "THREAD_UPDATE"})
THREADS_KEPT = 5_000  # the newest threads seen; a busy server's older ones are the poll's


@dataclass(frozen=True)
class Served:
    """One desk channel a connection serves, with its settings read once."""

    channel: Channel
    config: dict[str, Any]
    chosen: frozenset[str]


class Router:
    """A bot's events, turned into each served channel's pushes. `serve` may be called from another thread: the
    served channels are swapped whole."""

    def __init__(self) -> None:
        self.bot_id = ""
        self.threads: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.served: tuple[Served, ...] = ()

    def serve(self, channels: Sequence[Channel]) -> None:
        served = []
        for channel in channels:
            try:
                config = settings_of(channel.config)
            except ConfigError as exc:  # stored by a script past the form: the poll marks it failing too
                logger.warning("discord gateway: channel=%s skipped, its config is wrong: %s", channel.slug, exc)
                continue
            chosen = frozenset(config["text_channels"]) | frozenset(config["forum_channels"])
            served.append(Served(channel=channel, config=config, chosen=chosen))
        self.served = tuple(served)

    def channel_ids(self) -> list[int]:
        return [s.channel.pk for s in self.served]

    def handle(self, event: str, data: Any) -> list[tuple[Channel, Pushed]]:
        """The pushes `event` brings, one per served channel it concerns (none for most events)."""
        body = clean.mapping(data)
        if event == "READY":
            self.bot_id = clean.ident(clean.mapping(body.get("user")).get("id"))
        elif event == "GUILD_CREATE":
            self._threads_seen(body.get("threads"), guild_id=clean.ident(body.get("id")))
        elif event == "THREAD_LIST_SYNC":
            self._threads_seen(body.get("threads"), guild_id=clean.ident(body.get("guild_id")))
        elif event in THREAD_EVENTS:
            self._threads_seen([body], guild_id=clean.ident(body.get("guild_id")))
        elif event == "THREAD_DELETE":
            self.threads.pop(clean.ident(body.get("id")), None)
        elif event in MESSAGE_EVENTS and _whole_message(body):
            return self._message(body)
        return []

    def _threads_seen(self, items: Any, *, guild_id: str) -> None:
        for thread in clean.objects(clean.items(items)):
            tid, parent = clean.ident(thread.get("id")), clean.ident(thread.get("parent_id"))
            if not tid or not parent:
                continue
            self.threads[tid] = {"id": tid, "parent_id": parent, "name": clean.line(thread.get("name")),
                                 "guild_id": clean.ident(thread.get("guild_id")) or guild_id}  # fmt: skip
            self.threads.move_to_end(tid)
        while len(self.threads) > THREADS_KEPT:
            self.threads.popitem(last=False)

    def _message(self, message: dict[str, Any]) -> list[tuple[Channel, Pushed]]:
        channel_id, guild_id = clean.ident(message.get("channel_id")), clean.ident(message.get("guild_id"))
        thread = self.threads.get(channel_id)
        places = {channel_id} | ({thread["parent_id"]} if thread else set())
        pushes = []
        for served in self.served:
            if served.config["guild_id"] != guild_id or not places & served.chosen:
                continue
            threads = {channel_id: thread} if thread else {}
            parsed = parse_page(message, context_of(served.config, self.bot_id, threads))
            mentions = [m for m in parsed.mentions if wanted(m, served.config)]
            if mentions or parsed.rejected:
                pushes.append((served.channel, Pushed(mentions=mentions, rejected=parsed.rejected)))
        return pushes


def _whole_message(body: dict[str, Any]) -> bool:
    """A message object to parse: MESSAGE_CREATE's always, MESSAGE_UPDATE's when it carries the author and time."""
    return bool(clean.mapping(body.get("author")) and body.get("timestamp"))
