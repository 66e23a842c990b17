"""What an e-mail channel remembers between polls (``Channel.cursor``)::

    {"mailbox": "INBOX", "uidvalidity": 1700000000, "last_uid": 4242}

Every message of ``mailbox`` with a UID up to ``last_uid`` has been handed over (stored, skipped as automated, or
quarantined). UIDs only grow within one UIDVALIDITY, so no overlap window is needed; a changed UIDVALIDITY or
mailbox voids the cursor, and the poll re-syncs its backfill window (the ingest's unique (channel, Message-ID)
drops what is already stored).
"""

from __future__ import annotations

from ..poll.stored import Stored, kept, text, whole

UID_MAX = 2**32 - 1


class Cursor(Stored, frozen=True):
    mailbox: str = kept(text())
    uidvalidity: int = kept(whole(minimum=1, maximum=UID_MAX))
    last_uid: int = kept(whole(minimum=0, maximum=UID_MAX))
