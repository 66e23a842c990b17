"""The demo's truth (issue 68): every mention the demo seeds that opens a ticket carries a label a reader gave it
(`needs_response`, `worth_knowing` or `noise`, docs/judgement.md's table), which bench/judgement_demo.py measures the
desk's judgement against. A thread cannot be written without one; every ticket `seed_demo` makes finds exactly one,
through the bench's own matching (bench/_demo_truth.py); and the counts are the ones docs/judgement.md gives. The
demo's texts are the demo's own (channels/demo/, the seeders named in bench/_demo_truth.py); the platforms answer
from the demo's replays on this machine (DESK_DEMO_REPLAY), no network."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from channels.adapters.hackernews.replay import SAMPLES
from channels.demo.threads import THREADS, Thread
from channels.demo.threads.thread import TRUTHS
from mentions.models import Judgement, Ticket

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from _demo_truth import (
    demo_truths,
    month_ticket_ids,
    tickets_truth,
)  # the bench's own: it counts what the bench measures

ROOT = Path(__file__).resolve().parent.parent

# What docs/judgement.md ("The demo") says of the truth: the labelled mentions, and of them each label.
TRUTH_COUNTS = {"needs_response": 62, "worth_knowing": 22, "noise": 4}
# Late in the day (UTC), so every thread of the week's last morning has been posted when the demo is seeded.
SEEDED_AT = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)


def test_the_labels_are_the_judgements_the_desk_gives():
    assert set(TRUTHS) == {value for value in Judgement.values if value}


def test_every_demo_thread_has_a_truth_label():
    assert THREADS
    assert [t for t in THREADS if t.truth not in TRUTHS] == []


def test_a_thread_without_a_truth_or_with_another_word_is_refused():
    with pytest.raises(TypeError, match="truth"):
        Thread("twitter", 0, 9, "", "someone", "@gitlab is it down?")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="truth 'question'"):
        Thread("twitter", 0, 9, "", "someone", "@gitlab is it down?", truth="question")


def test_every_hacker_news_story_has_a_truth_label():
    stories = [s for s in SAMPLES if s["type"] == "story"]
    assert stories
    assert [s["title"] for s in stories if s.get("truth") not in TRUTHS] == []


def test_the_truths_counts_are_the_docs_and_each_opening_is_told_apart():
    truths = demo_truths()
    counts = Counter(t.truth for t in truths)
    assert dict(counts) == TRUTH_COUNTS
    assert Counter(t.source for t in truths) == {
        "threads": len(THREADS),
        "hn_samples.json": 4,
        "seed_demo_answers": 7,
        "seed_demo_slack": 1,
        "seed_demo_stories": 26,
    }
    # The bench finds a ticket's truth by its channel kind and opening words: no two of a kind may share them.
    openings = Counter((t.kind, t.opening) for t in truths)
    assert [key for key, n in openings.items() if n > 1] == []
    total, needs = len(truths), counts["needs_response"]
    said = (
        f"{total} labelled mentions: {needs} need a response ({100 * needs / total:.1f} %), "
        f"{counts['worth_knowing']} are worth knowing and {counts['noise']} are noise"
    )
    docs = " ".join((ROOT / "docs" / "judgement.md").read_text(encoding="utf-8").split())
    assert said in docs


@pytest.mark.django_db
@override_settings(DESK_DEMO_REPLAY=True)
def test_every_ticket_the_demo_seeds_has_exactly_one_truth():
    with time_machine.travel(SEEDED_AT, tick=True):
        call_command("seed_demo", stdout=StringIO())
    matched = tickets_truth()
    assert matched.without == [] and matched.ambiguous == []
    assert matched.unseen == []
    # Every ticket but the month before the week's (unlabelled history for the community figures: channels.demo.month).
    month = month_ticket_ids()
    assert len(month) > 200
    assert len(matched.truth_of) == Ticket.objects.count() - len(month) == sum(TRUTH_COUNTS.values())
    assert Counter(t.truth for t in matched.truth_of.values()) == TRUTH_COUNTS
