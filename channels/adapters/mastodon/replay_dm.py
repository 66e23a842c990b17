"""The demo's Mastodon direct messages (issue 69): a direct status our account posts is remembered (channels.demo.kept)
and answered by the person it names at the desk's next read, so a newcomer sees a DM come back on the ticket.

On Mastodon a direct message is a status with ``visibility: "direct"`` that names its reader first (``@bob@other.social
...``); an answer is their status replying to it, direct too. `GET /api/v1/statuses/:id/context` of our status
(docs.joinmastodon.org methods/statuses, "Get parent and child statuses in context"; ``context_empty.json``'s keys,
its statuses as replay.status draws the recorded ones) holds it in ``descendants`` once given.

An answer's id is its time in milliseconds shifted 16 bits, its place from ``ANSWERS`` up by our status's id (below
replay.MADE, ours, and the boosts' 0xFFFE; the week's statuses are numbered from 0): newer than our status, and two
answers given at the same read differ.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

from channels.adapters.base import IncomingMention
from channels.demo import kept

KIND = "mastodon"
ANSWERS = 0xC000  # the first of the places an answer's id may have, up to 0xFFFC


def dm_sent(made: dict[str, Any], text: str, handles: list[str], now: datetime) -> None:
    """Remember our direct status `made` (its text `text`, the accounts it names `handles`, its reader the first)."""
    if handles:
        kept.dm_sent(KIND, conversation=made["id"], sent_id=made["id"], at=now, to=handles[0], text=text)


def answers(status_id: str, now: datetime) -> list[dict[str, Any]]:
    """The person's answers below our direct status `status_id` by `now`, as the replay draws statuses."""
    from .replay import TEAM, status  # the replay's shapes (replay.py imports this module)

    found = []
    for dm in kept.dms_read(KIND, now=now, conversation=status_id):
        if dm.answered_at is None:
            continue
        place = ANSWERS + zlib.crc32(dm.sent_id.encode()) % (0xFFFD - ANSWERS)
        answer_id = str((int(dm.answered_at.timestamp() * 1000) << 16) + place)
        post = IncomingMention(
            external_id=answer_id, author_handle=dm.data["to"], text=f"@{TEAM} {dm.answer}", created_at=dm.answered_at
        )
        found.append({**status(post, answer_id, status_id), "visibility": "direct"})
    return found
