"""One way for every platform's tests to poll a channel and see what it stored.

`poll(channel)` runs the real poll (`intake.services.polling.channel_poll`: lease, the adapter's fetch, the
quarantine of bad items, the ingest pipeline, the cursor), as the beat's task would, whatever the channel's
`next_poll_at` says; HTTP stays mocked at the edge by the calling test. `stored(channel)` is what it stored:
the external ids of the channel's messages (scoped to the channel: the test database may be shared with other
suites running at the same time). `ingested(outcome)` is what a poll that ran ingested; `figures(...)` the whole
set of an ingest's figures a test compares it with (IngestResult.as_dict, `manage.py ingest_payload`'s output);
`ingest_payload(...)` runs that command and returns the figures it prints.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any, Literal

import responses
from django.core.management import call_command
from django.utils import timezone

from channels.models import Channel
from intake.pipeline import IngestResult
from intake.services.polling import PollOutcome, channel_poll
from mentions.models import Message, Ticket

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


def polled_twice_then_redelivered(channel: Channel) -> tuple[IngestResult, IngestResult, IngestResult]:
    """Two polls, then a third with the cursor forgotten (the same items reach the ingest again): each one's
    figures, the third having run whole."""
    first, second = ingested(poll(channel)), ingested(poll(channel))
    Channel.objects.filter(pk=channel.pk).update(cursor={})
    third = poll(channel)
    assert third.status == "ok"
    return first, second, ingested(third)


def polled_into_retry_after(channel: Channel, url: str) -> None:
    """`url` answers HTTP 429 with Retry-After: 700 (under `responses.activate`): the poll is a transient error, the
    next one waits the 700 s out, and the cursor stays as it was (empty)."""
    responses.get(url, status=429, headers={"Retry-After": "700"})
    assert poll(channel).status == "transient_error"
    assert channel.next_poll_at is not None
    assert (channel.next_poll_at - timezone.now()).total_seconds() > 650
    assert channel.cursor == {}


def polled_our_reply(channel: Channel, external_id: str) -> tuple[Ticket, Message]:
    """One poll that opens one ticket holding our reply `external_id` (stored as OUR_REPLY): the ticket and the
    reply, for the test's checks of the first reply."""
    result = ingested(poll(channel))
    assert result.our_replies == 1 and result.tickets_created == 1
    ticket = Ticket.objects.get(channel=channel)
    reply = ticket.messages.get(external_id=external_id)
    assert reply.kind == Message.Kind.OUR_REPLY
    return ticket, reply


def figures(
    *,
    received: int = 0,
    created: int = 0,
    duplicates: int = 0,
    tickets_created: int = 0,
    threaded: int = 0,
    our_replies: int = 0,
    quarantined: int = 0,
    edited: int = 0,
) -> dict[str, int]:
    """Every figure an ingest reports, those not named zero: compared whole, so a figure that should stay zero
    (or a new one) is checked too."""
    return {
        "received": received,
        "created": created,
        "duplicates": duplicates,
        "tickets_created": tickets_created,
        "threaded": threaded,
        "our_replies": our_replies,
        "quarantined": quarantined,
        "edited": edited,
    }


def ingest_payload(*args: str) -> dict[str, Any]:
    """`manage.py ingest_payload ARGS`: the figures of the one JSON line it prints."""
    out = StringIO()
    call_command("ingest_payload", *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def ingest_payload_twice(channel: Channel, path: Path | str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The saved payload at `path` ingested into `channel` twice, the channel named by its name and then by its slug
    (the command takes either): the two runs' figures."""
    return ingest_payload("--channel", channel.name, str(path)), ingest_payload("--channel", channel.slug, str(path))


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
