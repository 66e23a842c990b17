"""An imported history is judged behind the live tickets (issue 69: 312 of 503 live tickets were still unjudged
minutes after a 30,001-ticket import). The history goes through the documented import (docs/importing.md, its own
`tickets.jsonl` shape); the live tickets through the real ingest, as a poll's parser hands them over
(IncomingMention); the judging is the worker's task as beat runs it. The texts are written here."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from channels.adapters.base import IncomingMention
from channels.tests.factories import ChannelFactory
from imports.models import ImportRun
from imports.running import run_execute
from imports.starting import run_create
from intake.pipeline import mentions_ingest
from mentions.judgement.run import BATCH
from mentions.models import Message, Ticket
from mentions.tasks import judgement_run

pytestmark = pytest.mark.django_db

HISTORY = 6 * BATCH  # more than a run judged before, 5 batches of 200: all of them imported after the live ticket


def _history(root: Path, count: int) -> None:
    """`count` tickets of a year ago in the documented JSONL, each a question and an agent's answer."""
    start = datetime(2025, 11, 1, tzinfo=UTC)
    lines = []
    for n in range(count):
        at = start + timedelta(hours=n)
        lines.append(
            json.dumps(
                {
                    "id": f"OLD-{n}",
                    "subject": f"Runner cache question {n}",
                    "status": "solved",
                    "created_at": at.isoformat(),
                    "requester": {"email": f"user{n}@example.com", "name": f"User {n}"},
                    "messages": [
                        {"id": "q", "from": "requester", "created_at": at.isoformat(),
                         "body": f"How do I keep the runner cache between jobs of pipeline {n}? It is always empty."},
                        {"id": "a", "from": "agent", "author": {"email": "sam@desk.example", "name": "Sam"},
                         "created_at": (at + timedelta(minutes=30)).isoformat(), "body": "Set cache:key per branch."},
                    ],
                }
            )
        )  # fmt: skip
    (root / "tickets.jsonl").write_text("\n".join(lines) + "\n")
    run = run_execute(run_create(kind=ImportRun.Kind.DOCUMENTED, path=str(root)).pk, index=False)
    assert run.status == ImportRun.Status.DONE, run.error


def _live(channel, external_id: str, text: str) -> Ticket:
    """A mention a poll hands over now, stored by the ingest (its own judging task is not run here: the worker was
    busy with the import, or down)."""
    mentions_ingest(
        channel=channel,
        mentions=[IncomingMention(external_id=external_id, created_at=timezone.now(), text=text, author_handle="dana")],
    )
    ticket = Message.objects.get(external_id=external_id).ticket
    assert ticket is not None and not ticket.imported
    return ticket


def test_live_tickets_are_judged_by_the_next_run_before_an_imported_backlog(tmp_path):
    channel = ChannelFactory(config={"keywords": ["gitlab"]})
    during = _live(channel, "live-1", "is gitlab.com down? every push fails with 502 since ten minutes")
    _history(tmp_path, HISTORY)  # written after the first live ticket: higher ids, as an import's later pages are
    after = _live(channel, "live-2", "How do I mirror a GitLab repository to GitHub on every push?")
    assert Ticket.objects.filter(imported=True, judged_at__isnull=True).count() == HISTORY

    judgement_run.apply().get()  # the task, as beat runs it

    live = Ticket.objects.filter(pk__in=[during.pk, after.pk], judged_at__isnull=False, judged_by="desk")
    assert live.count() == 2
    # Then the history, newest first, behind them.
    assert Ticket.objects.filter(imported=True, judged_at__isnull=True).count() < HISTORY
