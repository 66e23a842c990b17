"""One way for every platform's tests to poll a channel and see what it stored.

`poll(channel)` runs the real poll (`intake.services.polling.channel_poll`: lease, the adapter's fetch, the
quarantine of bad items, the ingest pipeline, the cursor), as the beat's task would, whatever the channel's
`next_poll_at` says; HTTP stays mocked at the edge by the calling test. `stored(channel)` is what it stored:
the external ids of the channel's messages (scoped to the channel: the test database may be shared with other
suites running at the same time). `ingested(outcome)` is what a poll that ran ingested.
"""

from __future__ import annotations

from typing import Literal

from channels.models import Channel
from intake.pipeline import IngestResult
from intake.services.polling import PollOutcome, channel_poll
from mentions.models import Message

Order = Literal["id", "number", "stored"]


def poll(channel: Channel) -> PollOutcome:
    """One poll now (the beat would wait for `next_poll_at`); the channel is read back afterwards."""
    Channel.objects.filter(pk=channel.pk).update(next_poll_at=None)
    outcome = channel_poll(channel_id=channel.pk)
    channel.refresh_from_db()
    return outcome


def ingested(outcome: PollOutcome) -> IngestResult:
    """The poll's ingest counts; a poll that did not run (locked, disabled, failing) has none and fails here."""
    assert outcome.result is not None, f"the poll did not run: {outcome.status} {outcome.error}"
    return outcome.result


def stored(channel: Channel, *, order: Order = "id") -> list[str]:
    """The external ids of the channel's stored messages: sorted as text ("id"), as whole numbers ("number":
    platforms with numeric ids), or in the order they were stored ("stored")."""
    messages = Message.objects.filter(channel=channel)
    if order == "stored":
        return [_polled(i) for i in messages.order_by("pk").values_list("external_id", flat=True)]
    ids = [_polled(i) for i in messages.values_list("external_id", flat=True)]
    return sorted(ids, key=int) if order == "number" else sorted(ids)


def _polled(external_id: str | None) -> str:
    # The column is nullable for messages written on the desk; one read from a platform always has its id.
    assert external_id is not None, "a polled message stored without its platform's id"
    return external_id
