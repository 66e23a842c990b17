"""Which messages one poll reads, oldest first, in chunks that each carry the cursor just after them.

A poll opens the mailbox read-only (``EXAMINE``) and lists the UIDs it has not handed over: with a cursor for this
mailbox and UIDVALIDITY, ``UID SEARCH UID <last+1>:*`` (a range ending in ``*`` always contains the highest
message, even when its UID is not above ``last``, so UIDs are filtered client-side); without one (first poll, the
mailbox setting changed, or UIDVALIDITY changed, which voids every UID we know), ``UID SEARCH SINCE <date>`` for
``backfill_days`` (0: nothing old, only mail that arrives from now on).

The oldest ``max_messages_per_poll`` of them (the poll's budget) are fetched in UID ranges of `FETCH_CHUNK`
(``UID FETCH <set> (UID INTERNALDATE BODY.PEEK[])``: PEEK and EXAMINE leave ``\\Seen`` alone). Each chunk is
handed over on its own with the cursor at its highest UID, and the poll stores it with that cursor before the next
FETCH is sent: a poll that dies part-way keeps what it stored, and the next poll goes on from there. The rest wait
for the next poll, which comes soon (``more``); so a mailbox holding more than one poll's budget drains oldest
first over successive polls, every message handed over once.

``last_uid`` covers the messages dropped as automated (logged, with their Message-ID) and the ones quarantined, so
neither is read again. When a re-sync read its whole window, the last chunk moves ``last_uid`` to ``UIDNEXT - 1``:
the UIDs below it that the window did not return are older mail.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from ..base import FetchResult
from ..guard import Parsed
from .client import FETCH_CHUNK, MailboxState, Session
from .config import Config
from .cursor import Cursor
from .page import message_item, parse_items

logger = logging.getLogger(__name__)


class MailboxWalk:
    """One poll of one mailbox (see the module docstring)."""

    def __init__(self, imap: Session, config: Config, old: Cursor | None, *, channel_slug: str) -> None:
        self.imap = imap
        self.config = config
        self.old = old
        self.slug = channel_slug

    def chunks(self) -> Iterator[FetchResult]:
        box = self.imap.examine()
        resync = self.old is None or self.old.mailbox != self.config.mailbox or self.old.uidvalidity != box.uidvalidity
        if resync:
            if self.old is not None:
                logger.warning(
                    "email: channel=%s mailbox=%s UIDVALIDITY %s -> %s (or the mailbox changed): UIDs reset, "
                    "re-reading the last %s days; stored messages are recognised by Message-ID",
                    self.slug,
                    self.config.mailbox,
                    self.old.uidvalidity,
                    box.uidvalidity,
                    self.config.backfill_days,
                )
            floor = 0
            found = self.imap.search_since(self.config.backfill_days) if self.config.backfill_days else []
        else:
            floor = self.old.last_uid if self.old else 0
            found = self.imap.search(f"UID {floor + 1}:*")
        candidates = sorted({uid for uid in found if uid > floor})
        batch = candidates[: self.config.max_messages_per_poll]
        backlog = len(candidates) - len(batch)
        last_uid = floor
        made = 0  # commands already counted in a chunk's requests_made
        chunks = [batch[i : i + FETCH_CHUNK] for i in range(0, len(batch), FETCH_CHUNK)] or [[]]
        handed = 0
        for index, chunk in enumerate(chunks):
            final = index == len(chunks) - 1
            handed += len(chunk)
            parsed, reads = Parsed(), 0
            if chunk:
                parsed, reads = self._read_chunk(chunk)
                last_uid = max(last_uid, chunk[-1])
            if final and resync and not backlog:
                last_uid = max(last_uid, (box.uidnext - 1) if box.uidnext else self.imap.highest_uid())
            cursor = Cursor(mailbox=self.config.mailbox, uidvalidity=box.uidvalidity, last_uid=last_uid)
            yield FetchResult(
                mentions=parsed.mentions,
                cursor=cursor.dump(),
                requests_made=self.imap.commands - made,
                more=not final or backlog > 0,
                rejected=parsed.rejected,
                reads=reads,
                platform_status=_status(self.config, box, backlog=len(candidates) - handed),
            )
            made = self.imap.commands

    def _read_chunk(self, chunk: list[int]) -> tuple[Parsed, int]:
        """One UID FETCH: the chunk's messages as mentions, automated mail dropped, unreadable ones rejected."""
        wanted = set(chunk)
        items: list[dict[str, Any]] = []
        for uid, internaldate, raw in self.imap.fetch_chunk(chunk):
            if uid not in wanted:
                continue  # unsolicited, or a UID the range's "*" returned again
            wanted.discard(uid)
            items.append(message_item(raw, uid=uid, internaldate=internaldate, mailbox=self.config.mailbox))
        parsed = parse_items(items, skip_list_mail=self.config.skip_list_mail, channel_slug=self.slug)
        return parsed, len(items)


def _status(config: Config, box: MailboxState, *, backlog: int) -> dict[str, Any]:
    """For admin: the mailbox as EXAMINE saw it, and the messages still to read after this chunk."""
    return {
        "mailbox": config.mailbox,
        "messages": box.exists,
        "uidvalidity": box.uidvalidity,
        "uidnext": box.uidnext,
        "backlog": backlog,
        "checked_at": datetime.now(tz=UTC).isoformat(),
    }
