"""The detector reading a history (an import's thousands of pages) groups tickets exactly as the live path does:
many pages in one transaction, their term counts written once at its end (stories.detection.reading.DayCounts), against
each page in a transaction of its own, on the hand-written release day (stories/eval/release_day.json)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels.models import Channel
from mentions.models import Ticket
from stories.detection.detector import stories_detect
from stories.detection.evaluation import _ingest, _slices, dataset_load
from stories.models import DetectorState, Key, Membership, Signature, Story, TermDay
from stories.tests.helpers import RELEASE_DAY, mention

pytestmark = pytest.mark.django_db


def _history() -> None:
    """The release day's three weeks and afternoon stored by the ingest, nothing read yet (an import)."""
    data = dataset_load()
    platforms = sorted({i["platform"] for i in data["background"] + data["mentions"]})
    made = Channel.objects.bulk_create(
        [Channel(kind=p, name=f"History {p}", slug=f"history-{p}", config={}) for p in platforms]
    )
    channels = {c.kind: c for c in made}
    for chunk in _slices(data["background"] + data["mentions"], timedelta(minutes=10)):
        _ingest(channels, chunk)


def _read() -> dict[str, Any]:
    """Everything the detector wrote, without the ids of the stories it made (those differ between runs)."""
    members: dict[int, set[int]] = {}
    story_of = dict(Membership.objects.values_list("ticket_id", "story_id"))
    for ticket_id, story_id in story_of.items():
        members.setdefault(story_id, set()).add(ticket_id)
    group = {pk: frozenset(tickets) for pk, tickets in members.items()}
    stories = {
        group.get(s.pk, frozenset()): (s.title, s.origin, s.size, s.terms, s.term_counts, s.links, s.first_at,
                                       s.last_at, group.get(s.merged_into_id or 0))
        for s in Story.objects.all()
    }  # fmt: skip
    return {
        "stories": stories,
        "merged": Story.objects.filter(merged_into__isnull=False).count(),
        "memberships": set(Membership.objects.values_list("ticket_id", "via", "reason")),
        "signatures": {
            (t, at, p, tuple(links), tuple(terms.items()))
            for t, at, p, links, terms in Signature.objects.values_list("ticket_id", "at", "platform", "links", "terms")
        },
        "keys": sorted(Key.objects.values_list("key", "ticket_id", "at")),
        "term_days": set(TermDay.objects.values_list("term", "day", "tickets")),
    }


def _forget() -> None:
    for model in (Membership, Signature, Key, Story, TermDay, DetectorState):
        model.objects.all().delete()


def _first_mention_reads(queries: CaptureQueriesContext) -> int:
    """The detector's reads of first mentions (the start of each body: SUBSTR), not the meaning's."""
    return sum(1 for q in queries.captured_queries if 'FROM "mentions_message"' in q["sql"] and "SUBSTR" in q["sql"])


def test_a_history_read_in_one_transaction_groups_tickets_as_page_by_page_runs_do():
    _history()
    with CaptureQueriesContext(connection) as queries:
        # Each page its own transaction and its own reads, as after an ingest.
        live = stories_detect(batch=40, hold=timedelta(0), ahead=1)
    runs = DetectorState.objects.get().runs
    expected = _read()
    assert live.read == 288 and runs >= 8  # pages of 40: several transactions
    assert _first_mention_reads(queries) == runs  # each page read its first mentions
    assert len(expected["stories"]) >= 5 and len(expected["memberships"]) >= 60  # stories made, tickets joined
    _forget()

    with CaptureQueriesContext(connection) as queries:
        # Every page in one transaction; once the first came back full, the next eight pages read at once.
        history = stories_detect(batch=40, hold=timedelta(minutes=10))
    assert _first_mention_reads(queries) == 2
    assert (history.read, history.joined, history.made) == (live.read, live.joined, live.made)
    assert DetectorState.objects.get().runs == runs
    found = _read()
    for part in expected:
        assert found[part] == expected[part], part


def test_a_run_longer_than_its_hold_commits_and_goes_on_where_it_stopped():
    _history()
    found = stories_detect(batch=25, hold=timedelta(0))
    read = {*Signature.objects.values_list("ticket_id", flat=True)} | {
        *Membership.objects.values_list("ticket_id", flat=True)
    }
    assert found.read == 288 == len(read)
    days = Counter(at.date() for at in Ticket.objects.values_list("requested_at", flat=True))
    assert dict(TermDay.objects.filter(term="").values_list("day", "tickets")) == days  # each ticket counted once
    assert stories_detect().read == 0


def test_an_index_key_with_a_backslash_is_written_as_it_reads():
    ticket = mention("twitter", "see https://docs.example.com/runner\\config/setup now", at=RELEASE_DAY)
    stories_detect()
    assert set(Key.objects.filter(ticket=ticket).values_list("key", flat=True)) >= {
        "l:docs.example.com/runner\\config/setup"
    }
