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

from channels import clean

from ..poll.stored import Reading, Stored, ident, ids, kept, keyed, line, whole

KEPT_LIMIT = 5000  # the newest kept messages remembered; an older thread's reply must name a keyword again
TOPICS_LIMIT = 1000


class Cursor(Stored):
    VERSION = 1
    offset: int | None = kept(whole(minimum=0), default=None, optional=True)
    bot_id: str = kept(ident(), default="")
    bot_username: str = kept(line(max_length=clean.HANDLE_MAX), default="")
    topics: dict[str, str] = kept(
        Reading(keyed(ident()).read, lambda topics: dict(list(topics.items())[-TOPICS_LIMIT:])), default_factory=dict
    )
    # Ordered: the newest last. The last field: in the class body, its name hides `kept` below it.
    kept: dict[str, None] = kept(
        Reading(lambda raw: dict.fromkeys(ids().read(raw) or ()), lambda keys: list(keys)[-KEPT_LIMIT:]),
        default_factory=dict,
    )

    def keep(self, key: str, topic: str) -> None:
        self.kept.pop(key, None)
        self.kept[key] = None
        if topic:
            self.topics.setdefault(topic, key)
