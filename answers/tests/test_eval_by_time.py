"""The suggestions measured by time (answers.eval_by_time, issue 74): the set's answers indexed in its order in steps,
the same questions asked after each through the worker's tasks run by name and GET /api/tickets/{id}/suggestions/, the
plain query beside on the same index. The set is the small one test_evaluate_command.py writes for this purpose; no
platform is involved."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from answers.eval_by_time import evaluate_by_time
from answers.evaluation import evaluate
from answers.models import Answer
from answers.tests.test_evaluate_command import QUERIES, TICKETS, _write
from mentions.models import Ticket

pytestmark = pytest.mark.django_db


def test_a_repeat_is_one_only_once_its_first_asking_is_indexed_and_the_last_step_is_the_whole_set():
    # The runner's answer (t1) arrives last: before it, nothing fits the runner question, and silence is right.
    data = {"product": "Acme Cloud", "tickets": [TICKETS[1], TICKETS[2], TICKETS[0]], "queries": QUERIES}
    before = Ticket.objects.count()
    steps = evaluate_by_time(data, steps=3)
    assert [s.indexed for s in steps] == [1, 2, 3]
    first, last = steps[0].desk, steps[-1].desk
    assert (first.queries, first.unfit) == (0, 2)  # the repeat's answer is not there yet: two that nothing fits
    assert first.silent == 2  # the praise and the runner question, with no runner answer: nothing shown
    assert (last.queries, last.at_3, last.unfit, last.silent) == (1, 1, 1, 1)
    plain = steps[-1].plain
    assert plain is not None and (plain.at_3, plain.silent) == (1, 0)  # the plain query always has a best
    # The same as the direct evaluation at the last step: the worker's path and the ranking called in place agree.
    (direct, _plain) = evaluate(data)
    assert (direct.at_3, direct.silent) == (last.at_3, last.silent)
    assert Ticket.objects.count() == before and not Answer.objects.exists()  # rolled back


def test_the_command_prints_each_step_with_intervals(tmp_path):
    out = StringIO()
    call_command("answers_evaluate", "--by-time", "--set", str(_write(tmp_path / "s.json", product="Acme Cloud")),
                 stdout=out)  # fmt: skip
    lines = out.getvalue().splitlines()
    assert lines[1].split()[:4] == ["answers", "indexed", "desk", "recall@3"]
    last = lines[-1].split()
    assert last[0] == "3" and last[1:5] == ["1/1", "=", "1.000", "[0.21-1.00]"]
    assert len(lines) == 2 + 4  # the header, the columns and four steps
