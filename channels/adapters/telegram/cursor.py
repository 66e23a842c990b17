"""What a Telegram channel remembers between polls (`Channel.cursor`).

    {"version": 1, "offset": 291365956, "bot_id": "6129457865", "bot_username": "sicheebot",
     "kept": ["-1001971186208:2393"], "topics": {"-1001971186208:2391": "-1001971186208:2393"}}

``offset`` is the next ``getUpdates`` offset: the last update handed over plus one. Asking with it confirms every
update before it (Telegram then forgets them), and it is stored with the chunk it follows, so an update is
confirmed only once it is stored: nothing is lost, and a crash before storing reads the same updates again (stored
once: their ids are unique). ``bot_id``/``bot_username`` are ``getMe``'s answer, asked once. ``kept`` are the
messages kept as mentions lately (a reply to one follows it even when it names no keyword); ``topics`` the first
message kept in each forum topic, which the topic's later messages join.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from channels import clean

KEPT_LIMIT = 5000  # the newest kept messages remembered; an older thread's reply must name a keyword again
TOPICS_LIMIT = 1000


@dataclass
class Cursor:
    offset: int | None = None
    bot_id: str = ""
    bot_username: str = ""
    kept: dict[str, None] = field(default_factory=dict)  # ordered: the newest last
    topics: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, raw: Any) -> Cursor:
        raw = clean.mapping(raw)
        topics = {clean.ident(k): clean.ident(v) for k, v in clean.mapping(raw.get("topics")).items()}
        return cls(
            offset=clean.whole(raw.get("offset"), minimum=0),
            bot_id=clean.ident(raw.get("bot_id")),
            bot_username=clean.handle(raw.get("bot_username")),
            kept=dict.fromkeys(k for k in (clean.ident(v) for v in clean.items(raw.get("kept"))) if k),
            topics={k: v for k, v in topics.items() if k and v},
        )

    def keep(self, key: str, topic: str) -> None:
        self.kept.pop(key, None)
        self.kept[key] = None
        if topic:
            self.topics.setdefault(topic, key)

    def dump(self) -> dict[str, Any]:
        kept = list(self.kept)[-KEPT_LIMIT:]
        topics = dict(list(self.topics.items())[-TOPICS_LIMIT:])
        dumped: dict[str, Any] = {"version": 1, "bot_id": self.bot_id, "bot_username": self.bot_username}
        if self.offset is not None:
            dumped["offset"] = self.offset
        return {**dumped, "kept": kept, "topics": topics}
