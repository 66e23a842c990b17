"""One poll's reading (discord.com/developers/docs/resources/channel and .../message):

- each text channel: ``GET /channels/{id}/messages?after=<last seen>&limit=100`` (a new channel: its latest
  ``backfill_messages``, no ``after``);
- the threads of the chosen channels: ``GET /guilds/{guild}/threads/active`` once a poll (a forum's posts and a
  text channel's threads), and on a channel's first poll ``GET /channels/{id}/threads/archived/public`` for the
  posts already archived; then each thread like a text channel, from its own mark.

Discord lists messages newest first; a poll hands them over oldest first. The cursor is each channel's and each
thread's newest message id (snowflakes grow with time), kept for threads seen in the last `THREAD_DAYS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from channels import clean

from ..base import PollStopped
from ..polling import streams_walked
from .client import Client

PAGE = 100
THREADS_KEPT = 500


@dataclass
class Read:
    messages: list[dict[str, Any]] = field(default_factory=list)
    threads: list[dict[str, Any]] = field(default_factory=list)
    reads: int = 0
    more: bool = False


def read_all(client: Client, config: dict[str, Any], marks: dict[str, str]) -> Read:
    """Everything new since `marks` (updated in place), within the client's budget: the text channels, then the
    threads with something new, each a stream of the poll's walk (`streams_walked`)."""
    read = Read()
    chosen = set(config["text_channels"]) | set(config["forum_channels"])

    def walk(channel_ids: list[str], backfill: int) -> bool:
        """Each channel's messages in turn while the budget lasts; whether one was left for the next poll."""

        def one(channel_id: str) -> None:
            _messages(client, channel_id, marks, read, backfill=backfill)

        return streams_walked(channel_ids, one, can_call=client.can_call).short

    short = walk(config["text_channels"], int(config["backfill_messages"]))
    if not short:
        try:
            read.threads = _threads(client, config, chosen, marks)
        except PollStopped:
            read.threads, short = [], True
        short = short or walk([clean.ident(thread.get("id")) for thread in read.threads], PAGE)
    read.more = read.more or short
    return read


def _messages(client: Client, channel_id: str, marks: dict[str, str], read: Read, *, backfill: int) -> None:
    if not channel_id:
        return
    mark = marks.get(channel_id, "")
    params: dict[str, Any] = {"limit": PAGE, "after": mark} if mark else {"limit": max(1, backfill)}
    page = clean.objects(client.get(f"/channels/{channel_id}/messages", params))
    read.reads += len(page)
    if mark and len(page) == PAGE:
        read.more = True  # more after these: the next poll goes on from the newest read
    newest = max((clean.ident(m.get("id")) for m in page), key=_order, default="")
    if newest and _order(newest) > _order(mark):
        marks[channel_id] = newest
    read.messages.extend(page)


def _threads(client: Client, config: dict[str, Any], chosen: set[str], marks: dict[str, str]) -> list[dict[str, Any]]:
    if not client.can_call():
        return []
    listed = clean.mapping(client.get(f"/guilds/{config['guild_id']}/threads/active"))
    threads = clean.objects(listed.get("threads"))
    for forum in config["forum_channels"]:
        seen_key = f"archived:{forum}"
        if seen_key in marks or not client.can_call():
            continue
        archived = clean.mapping(client.get(f"/channels/{forum}/threads/archived/public", {"limit": 50}))
        threads.extend(clean.objects(archived.get("threads")))
        marks[seen_key] = "1"
    mine = [t for t in threads if clean.ident(t.get("parent_id")) in chosen]
    # Only threads with something new: Discord's thread object says its newest message (last_message_id).
    return [
        t
        for t in mine
        if _order(clean.ident(t.get("last_message_id"))) > _order(marks.get(clean.ident(t.get("id")), ""))
    ]


def _order(snowflake: str) -> int:
    return int(snowflake) if snowflake.isdigit() else 0


def marks_trimmed(marks: dict[str, str], config: dict[str, Any]) -> dict[str, str]:
    """Keep the chosen channels' marks and the newest `THREADS_KEPT` threads'."""
    fixed = {k: v for k, v in marks.items() if k in config["text_channels"] or k.startswith("archived:")}
    rest = sorted((k for k in marks if k not in fixed), key=lambda k: _order(marks[k]), reverse=True)
    return fixed | {k: marks[k] for k in rest[:THREADS_KEPT]}
