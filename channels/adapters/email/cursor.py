"""What an e-mail channel remembers between polls (``Channel.cursor``)::

    {"mailbox": "INBOX", "uidvalidity": 1700000000, "last_uid": 4242}

Every message of ``mailbox`` with a UID up to ``last_uid`` has been handed over (stored, skipped as automated, or
quarantined). UIDs only grow within one UIDVALIDITY, so no overlap window is needed; a changed UIDVALIDITY or
mailbox voids the cursor, and the poll re-syncs its backfill window (the ingest's unique (channel, Message-ID)
drops what is already stored).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from channels import clean

UID_MAX = 2**32 - 1


@dataclass(frozen=True)
class Cursor:
    mailbox: str
    uidvalidity: int
    last_uid: int

    @classmethod
    def load(cls, raw: Any) -> Cursor | None:
        """None for a missing or damaged cursor: the poll re-syncs the backfill window (Message-ID dedupes)."""
        if not isinstance(raw, dict):
            return None
        mailbox = raw.get("mailbox")
        validity = clean.whole(raw.get("uidvalidity"), minimum=1, maximum=UID_MAX)
        last = clean.whole(raw.get("last_uid"), minimum=0, maximum=UID_MAX)
        if not isinstance(mailbox, str) or validity is None or last is None:
            return None
        return cls(mailbox=mailbox, uidvalidity=validity, last_uid=last)

    def dump(self) -> dict[str, Any]:
        return {"mailbox": self.mailbox, "uidvalidity": self.uidvalidity, "last_uid": self.last_uid}
