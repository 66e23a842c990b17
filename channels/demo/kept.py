"""What the demo's platforms remember of our account's writes, to answer them later (issue 69): everything else our
account sends on the demo is answered as done and kept nowhere (channels.demo.replay_kit).

- A **direct message** the desk sends (`dm_sent`, by the platform's replay when it answers the send) is answered by
  the person at the desk's next read of its conversation (`dms_read`): one of a few made-up answers, dated that read
  (at least `ANSWER_AFTER` after our message, so it is always the newer of the two) and the same at every later read,
  so the desk stores it once, as a private message on the ticket (channels.adapters.direct).
- An **issue** the desk files (`issue_filed`: the project's next number from `FIRST_NUMBER`) moves one step at each of
  the desk's reads (`issue_read`, the follow-up beat's): open as filed, in progress at the first read, done at the
  second (the time of that read, kept) and after. Each tracker's replay shows the step in its own shape.

Kept in the database (channels.DemoSent) because the web process sends and the worker reads; only the replays write
or read it, so a desk that reaches the real platforms keeps nothing there.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from channels.models import DemoSent

ANSWER_AFTER = timedelta(seconds=1)
FIRST_NUMBER = 101  # a demo project's first issue: the projects had issues before the demo
FILED, STARTED, DONE = 0, 1, 2  # an issue's steps, one a read
# The person's answers to our direct message: whatever the desk asked, they answer as someone glad to go on in private.
ANSWERS = (
    "Thanks for reaching out! Sure: it's our self-managed instance, on 18.5 since last week. "
    "I can send the job log here if that helps.",
    "Hi, thanks for the message. Happy to continue here rather than in public: the project is private, "
    "but I can share the pipeline config and the exact error.",
    "Thanks! Yes, it still happens for us. Tell me what else you need and I'll send it over.",
)


@dataclass(frozen=True)
class DemoDM:
    """One of our direct messages as the demo's platform remembers it, with the person's answer once given."""

    key: str
    sent_id: str
    sent_at: datetime
    answered_at: datetime | None
    data: dict[str, Any]

    @property
    def answer(self) -> str:
        return ANSWERS[zlib.crc32(self.sent_id.encode()) % len(ANSWERS)]


@dataclass(frozen=True)
class DemoIssue:
    """An issue filed on a demo tracker, at the step the desk's reads have moved it to."""

    key: str  # "DESK-101"
    project: str
    number: int
    title: str
    filed_at: datetime
    step: int  # FILED, STARTED or DONE
    done_at: datetime | None


def dm_sent(kind: str, *, conversation: str, sent_id: str, at: datetime, **data: Any) -> None:
    """Remember our direct message `sent_id` in `conversation` (`data`: who it went to, what it said). The same
    message remembered twice (a send retried with its idempotency key) is one."""
    DemoSent.objects.get_or_create(
        kind=kind,
        what=DemoSent.What.DM,
        key=conversation,
        sent_id=sent_id,
        defaults={"sent_at": at, "data": data},
    )


def dms_read(kind: str, *, now: datetime, conversation: str | None = None) -> list[DemoDM]:
    """Our direct messages in `conversation` (every one of the kind's when None), oldest first; each answered by
    the person now if it was not before and was sent at least `ANSWER_AFTER` ago (until then `answered_at` is None)."""
    rows = DemoSent.objects.filter(kind=kind, what=DemoSent.What.DM)
    if conversation is not None:
        rows = rows.filter(key=conversation)
    found = []
    for row in rows.order_by("sent_at", "pk"):
        if row.answered_at is None and now >= row.sent_at + ANSWER_AFTER:
            # Only the first reader dates the answer; a second process reading at once leaves it as the first set it.
            DemoSent.objects.filter(pk=row.pk, answered_at__isnull=True).update(answered_at=now, updated_at=now)
            row.refresh_from_db(fields=["answered_at"])
        found.append(DemoDM(row.key, row.sent_id, row.sent_at, row.answered_at, row.data))
    return found


def _issue(row: DemoSent) -> DemoIssue:
    project, _, number = row.key.rpartition("-")
    return DemoIssue(
        key=row.key,
        project=project,
        number=int(number),
        title=str(row.data.get("title") or ""),
        filed_at=row.sent_at,
        step=min(row.reads, DONE),
        done_at=row.answered_at,
    )


def issue_filed(kind: str, *, project: str, title: str, at: datetime, **data: Any) -> DemoIssue:
    """A new issue of `project`, numbered after the project's last one on the demo."""
    issues = DemoSent.objects.filter(kind=kind, what=DemoSent.What.ISSUE, key__startswith=f"{project}-")
    for _ in range(5):
        key = f"{project}-{FIRST_NUMBER + issues.count()}"
        try:
            with transaction.atomic():
                row = DemoSent.objects.create(
                    kind=kind,
                    what=DemoSent.What.ISSUE,
                    key=key,
                    sent_id=key,
                    sent_at=at,
                    data={**data, "title": title},
                )
        except IntegrityError:
            continue  # another issue of the project was filed at the same moment and took the number: the next one
        return _issue(row)
    raise RuntimeError(f"the demo could not number a new issue of {project}")


def issue_read(kind: str, *, key: str, now: datetime) -> DemoIssue | None:
    """The issue `key` one step further along (the desk has read it once more); None if the demo filed no such
    issue."""
    with transaction.atomic():
        row = DemoSent.objects.select_for_update().filter(kind=kind, what=DemoSent.What.ISSUE, key=key).first()
        if row is None:
            return None
        row.reads += 1
        if row.reads >= DONE and row.answered_at is None:
            row.answered_at = now  # done now, and so it stays
        row.save(update_fields=["reads", "answered_at", "updated_at"])
    return _issue(row)
