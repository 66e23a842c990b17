"""One poll's reading (discord.com/developers/docs/resources/channel and .../message):

- each text channel: ``GET /channels/{id}/messages?after=<last seen>&limit=100`` (a new channel: its latest
  ``backfill_messages``, no ``after``);
- the threads of the chosen channels: ``GET /guilds/{guild}/threads/active`` once a poll (a forum's posts and a
  text channel's threads), and on a channel's first poll ``GET /channels/{id}/threads/archived/public`` for the
  posts already archived; then each thread like a text channel, from its own mark.

Discord lists messages newest first; a poll hands them over oldest first. The cursor is each channel's and each
thread's newest message id (snowflakes grow with time), kept for threads seen in the last `THREAD_DAYS`
(`cursor.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from channels import clean

from ..poll.engine import Page
from .client import Client
from .cursor import Cursor, order

PAGE = 100


def poll_streams(client: Client, config: dict[str, Any], cursor: Cursor) -> Iterator[Iterator[Page]]:
    """Everything new since the cursor's marks (updated in place), within the client's budget: the text channels,
    then the threads with something new, each a stream of the poll's walk (the engine begins each while the budget
    lasts). The threads are listed once the text channels are read, and walked once listed: taken from here only
    when reached."""
    for channel_id in config["text_channels"]:
        yield channel_pages(client, cursor, channel_id, backfill=int(config["backfill_messages"]))
    if not client.can_call():
        return  # the text channels took the budget: the threads are not listed, and that alone is not a backlog
    yield thread_listing(client, config, cursor)
    for thread in cursor.threads:
        yield channel_pages(client, cursor, clean.ident(thread.get("id")), backfill=PAGE)


def channel_pages(client: Client, cursor: Cursor, channel_id: str, *, backfill: int) -> Iterator[Page]:
    """A channel's (or a thread's) messages after its mark, one request, as one page of raw messages."""
    if not channel_id:
        return
    mark = cursor.marks.get(channel_id, "")
    params: dict[str, Any] = {"limit": PAGE, "after": mark} if mark else {"limit": max(1, backfill)}
    page = clean.objects(client.get(f"/channels/{channel_id}/messages", params))
    newest = max((clean.ident(m.get("id")) for m in page), key=order, default="")
    if newest and order(newest) > order(mark):
        cursor.marks[channel_id] = newest
    # A full page after a mark: more after these, the next poll goes on from the newest read.
    yield Page(items=list(page), reads=len(page), more=bool(mark and len(page) == PAGE))


def thread_listing(client: Client, config: dict[str, Any], cursor: Cursor) -> Iterator[Page]:
    """The threads with something new (`cursor.threads`), listed as a stream of its own so a 429 or the budget cuts
    it like any other (none are walked then). It hands nothing over itself: its threads are the context the poll's
    messages are parsed with, and the streams after it."""
    cursor.threads = _threads(client, config, cursor.marks)
    yield from ()


def _threads(client: Client, config: dict[str, Any], marks: dict[str, str]) -> list[dict[str, Any]]:
    chosen = set(config["text_channels"]) | set(config["forum_channels"])
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
        t for t in mine if order(clean.ident(t.get("last_message_id"))) > order(marks.get(clean.ident(t.get("id")), ""))
    ]
