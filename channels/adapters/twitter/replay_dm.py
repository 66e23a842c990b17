"""The demo's X direct messages (issue 69): a DM our handle sends is remembered (channels.demo.kept) and answered by
the person at the desk's next read of the conversation, so a newcomer sees a DM come back on the ticket.

- ``POST /2/dm_conversations/with/{participant_id}/messages`` (replay_writes.message) names the conversation as X does
  for two people, their user ids joined by a hyphen, the smaller first, and the event a Snowflake of now.
- ``GET /2/dm_conversations/{id}/dm_events`` (docs.x.com "Get DM events for a DM conversation"; the recorded answer of
  sns-sdks/python-twitter, testdata/apis/dm_events/events_by_conversation.json): ``{"data": [event...], "meta":
  {"result_count"}}``, newest first, an event ``{"id", "text", "event_type": "MessageCreate", "dm_conversation_id",
  "created_at", "sender_id"}`` (``id``, ``event_type`` and ``text`` without ``dm_event.fields``); our messages and
  the person's answers, or X's empty result (``{"meta": {"result_count": 0}}``) in a conversation the desk never wrote
  in. The answers are few: one page, no ``next_token``.

An answer's id is a Snowflake of its time with the made posts' worker bits (replay_writes.WORKER), one above our
message's place in the sequence, so it is newer than our message whatever the clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from channels.demo import kept
from channels.demo.replay_kit import zulu

from .ids import SNOWFLAKE_EPOCH_MS
from .replay_writes import WORKER

KIND = "twitter"
DEFAULT_FIELDS = ("id", "event_type", "text")


def snowflake_at(event_id: str) -> datetime:
    return datetime.fromtimestamp(((int(event_id) >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, tz=UTC)


def snowflake_of(moment: datetime, sequence: int = 0) -> str:
    return str(((int(moment.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS) << 22) | WORKER | (sequence % 4096))


def dm_sent(*, conversation: str, event_id: str, participant: str, our_id: str, text: str) -> None:
    kept.dm_sent(
        KIND, conversation=conversation, sent_id=event_id, at=snowflake_at(event_id), to=participant, ours=our_id,
        text=text,
    )  # fmt: skip


def dm_events(conversation: str, query: dict[str, str], now: datetime) -> dict[str, Any]:
    """The conversation's events by now, newest first, with the fields `query` asks for."""
    events: list[dict[str, Any]] = []
    for dm in kept.dms_read(KIND, now=now, conversation=conversation):
        events.append(_event(dm.sent_id, conversation, dm.data.get("text", ""), dm.sent_at, dm.data.get("ours", "")))
        if dm.answered_at is not None:
            answer_id = snowflake_of(dm.answered_at, int(dm.sent_id) + 1)
            events.append(_event(answer_id, conversation, dm.answer, dm.answered_at, dm.data.get("to", "")))
    if not events:
        return {"meta": {"result_count": 0}}
    asked = {f.strip() for f in query.get("dm_event.fields", "").split(",") if f.strip()}
    shown = [{k: v for k, v in e.items() if k in DEFAULT_FIELDS or k in asked} for e in events]
    shown.sort(key=lambda e: int(e["id"]), reverse=True)
    return {"data": shown, "meta": {"result_count": len(shown)}}


def _event(event_id: str, conversation: str, text: str, at: datetime, sender: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "text": text,
        "event_type": "MessageCreate",
        "dm_conversation_id": conversation,
        "created_at": zulu(at),
        "sender_id": sender,
    }
