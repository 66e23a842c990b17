"""What a Discord channel remembers between polls (`Channel.cursor`)::

    {"marks": {"613425648685547543": "1300000000000000001", "archived:1019000000000000001": "1", ...},
     "bot_id": "1100000000000000000"}

``marks`` holds each text channel's and each thread's newest message id handed over (snowflakes grow with time),
kept for the chosen channels and the newest `THREADS_KEPT` threads, and ``archived:<forum>`` once a forum's
archived posts were listed. ``bot_id`` is the bot's own user id (its messages are ours), asked once."""

from __future__ import annotations

from dataclasses import field
from typing import Any

from ..poll.stored import Stored, ident, kept, keyed, text

THREADS_KEPT = 500


def order(snowflake: str) -> int:
    # isdecimal, not isdigit: "²" is a digit int() refuses (a damaged mark made the dump raise).
    return int(snowflake) if snowflake.isdecimal() else 0


class Cursor(Stored):
    # channel or thread id -> its newest message id
    marks: dict[str, str] = kept(keyed(text(), key=str), default_factory=dict)
    bot_id: str = kept(ident(), default="")
    # This poll's threads with something new (as Discord lists them): what the poll's messages are parsed with (a
    # forum post's name, which channel is a thread). Not kept.
    threads: list[dict[str, Any]] = field(default_factory=list)

    def dump(self, config: dict[str, Any] | None = None) -> dict[str, Any]:
        """The marks trimmed to what `config` (the channel's) keeps."""
        dumped = super().dump()
        return dumped if config is None else {**dumped, "marks": marks_trimmed(self.marks, config)}


def marks_trimmed(marks: dict[str, str], config: dict[str, Any]) -> dict[str, str]:
    """Keep the chosen channels' marks and the newest `THREADS_KEPT` threads'."""
    fixed = {k: v for k, v in marks.items() if k in config["text_channels"] or k.startswith("archived:")}
    rest = sorted((k for k in marks if k not in fixed), key=lambda k: order(marks[k]), reverse=True)
    return fixed | {k: marks[k] for k in rest[:THREADS_KEPT]}
