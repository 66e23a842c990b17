"""What `seed_demo_answers` prints is what the index holds: seeded again (as `make demo-reset` does), it added
nothing and said "0 answers indexed" (or 1) while every answer was still there. The earlier questions are stored
through the ingest on the demo's channels (channels.demo.channels); no platform is reached (no DESK_DEMO_REPLAY:
the channels are made paused and never read)."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from answers.models import Answer
from intake.management.commands._demo_week import week_channels

pytestmark = pytest.mark.django_db


def _said() -> str:
    out = StringIO()
    call_command("seed_demo_answers", stdout=out)
    return out.getvalue()


def test_seeding_the_answers_again_says_how_many_the_index_holds():
    week_channels()
    first = _said()
    total = Answer.objects.count()
    assert total > 1
    assert re.search(
        rf"Answers: \d+ earlier questions, 5 saved replies, {total} answers in the index \({total} added", first
    )
    again = _said()
    assert Answer.objects.count() == total
    assert f"Answers: 0 earlier questions, 5 saved replies, {total} answers in the index (0 added now)." in again
