"""The gate a learned version passes before it judges the desk's mentions (issue 68, mentions/judgement/gate.py),
and the by-time evaluation that measures learning as a team meets it (mentions/judgement/by_time.py). The labels
are built here; the by-time run reads the development set (mentions/judgement/eval/dev.json, written for the
judgement)."""

from __future__ import annotations

import json

import pytest

from mentions.judgement.by_time import by_time_evaluate, by_time_lines
from mentions.judgement.evaluation import DEVELOPMENT
from mentions.judgement.gate import MIN_TO_TELL, cost, refusal, told
from mentions.models import JudgementModel, ProductProfile, Ticket

NR, WK, NOISE = "needs_response", "worth_knowing", "noise"
# 30 held-out labels: 10 of each.
TRUTH = [NR] * 10 + [WK] * 10 + [NOISE] * 10


def test_a_version_that_buys_precision_from_one_that_calls_everything_needs_a_response_wins():
    """The cold start's trap (issue 68): a version that says "needs a response" to everything has recall 1.0. A
    version that finds 9 of the 10 (recall 0.9, the floor) and sorts the rest right costs less: it wins."""
    always = [NR] * 30
    learned = [NR] * 9 + [WK] + [WK] * 10 + [NOISE] * 10
    assert cost(TRUTH, learned) < cost(TRUTH, always)
    assert refusal(TRUTH, learned, always) == ""


def test_a_version_below_the_recall_floor_is_refused_with_both_versions_figures():
    always = [NR] * 30
    learned = [NR] * 8 + [WK] * 2 + [WK] * 10 + [NOISE] * 10
    assert refusal(TRUTH, learned, always) == (
        "Would have lowered needs-a-response recall to 0.80 (the active version: 1.00; the floor 0.9) on the newest "
        "30 labelled tickets."
    )


def test_a_version_that_hides_a_person_as_noise_is_refused_on_noise_precision():
    always = [NR] * 30
    learned = [NR] * 9 + [NOISE] + [WK] * 10 + [NOISE] * 10  # recall 0.9, but one person hidden as noise
    said = refusal(TRUTH, learned, always)
    assert said.startswith("Would have lowered noise precision to 0.91 (the active version: 1.00; the floor 0.95)")


def test_on_a_few_noise_calls_the_cost_decides_not_the_precision_floor():
    """One wrong call in two (a precision of 0.5) says nothing: the cost decides; from ten calls on, the floor."""
    truth = [NR] * 10 + [WK] * 18 + [NOISE] * 2
    always = [NR] * 30
    one_wrong = [NR] * 10 + [WK] * 17 + [NOISE] + [NOISE] + [WK]  # a read hidden as noise, one noise found
    assert refusal(truth, one_wrong, always) == ""
    costly = [NR] * 10 + [NOISE] * 18 + [NOISE] * 2  # every read hidden as noise: 36 for the 18 reads spared
    assert refusal(truth, costly, always).startswith("Would have lowered noise precision to 0.10")


def test_a_version_that_costs_no_less_is_refused_saying_both_costs():
    current = [NR] * 10 + [WK] * 10 + [WK] * 10
    assert refusal(TRUTH, list(current), current) == (
        "No lower cost on the newest 30 labelled tickets: 0.17 a mention against the active version's 0.17 "
        "(needs-a-response precision 1.00 against 1.00, noise recall 0.00 against 0.00)."
    )


def test_with_too_few_held_out_labels_the_desk_keeps_learning_unless_a_person_would_be_missed():
    """Nothing can be told on 24 labels: the version that learned from more of the team's labels judges, its note
    saying so, unless it missed a mention that needs a response the active version found."""
    few = TRUTH[: MIN_TO_TELL - 1]  # 10 that need a response, 10 worth knowing, 4 noise
    assert refusal(few, few, [NR] * len(few)) == ""
    assert told(len(few)).startswith(f"Too few held-out labels to tell ({MIN_TO_TELL - 1}; {MIN_TO_TELL} needed): used")
    assert told(MIN_TO_TELL) == ""
    missed = [WK, *few[1:]]
    assert refusal(few, missed, [NR] * len(few)) == (
        f"Too few held-out labels to tell ({MIN_TO_TELL - 1}; {MIN_TO_TELL} needed), and it found fewer of those that "
        "need a response (0.90 against 1.00): the active version stays."
    )
    assert refusal(TRUTH, TRUTH, None) == ""  # nothing active to compare with: the first version judges


@pytest.mark.django_db
def test_the_by_time_evaluation_scores_the_same_future_after_each_step_and_leaves_nothing(tmp_path):
    """60 mentions of the development set: the oldest 40 worked in two steps, the newest 20 judged after each; the
    desk's own services did the work (corrections counted), judgement_learn ran, and the run left nothing."""
    data = json.loads(DEVELOPMENT.read_text(encoding="utf-8"))
    data["mentions"] = sorted(data["mentions"], key=lambda m: m["at"])[:60]
    path = tmp_path / "small.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    tickets, profiles = Ticket.objects.count(), ProductProfile.objects.count()

    report = by_time_evaluate(path, "small", steps=(20,))

    assert [s.worked for s in report.steps] == [0, 20, 40] and report.future == 20
    assert all(s.figures["accuracy"].total == 20 for s in report.steps)
    assert report.steps[0].gate == "" and report.steps[1].gate == "not learned: 20 labelled tickets; 40 needed"
    assert "Too few held-out labels to tell (10; 25 needed)" in report.steps[2].gate  # used, or kept: it says
    assert report.steps[2].corrections >= report.steps[1].corrections
    accuracy = report.steps[0].figures["accuracy"]
    assert accuracy.low is not None and accuracy.high is not None and accuracy.value is not None
    assert accuracy.low <= accuracy.value <= accuracy.high
    assert any(line.startswith("    cold ") for line in by_time_lines(report))
    assert (Ticket.objects.count(), ProductProfile.objects.count()) == (tickets, profiles)
    assert not JudgementModel.objects.exists()


@pytest.mark.django_db
def test_by_time_with_keep_leaves_the_worked_desk_to_look_at(tmp_path):
    """--keep: the run's versions, its worked tickets and the newest third, judged by the worker's path, stay, so
    admin's list of versions and the queue show what a team would find after the run."""
    data = json.loads(DEVELOPMENT.read_text(encoding="utf-8"))
    data["mentions"] = sorted(data["mentions"], key=lambda m: m["at"])[:60]
    path = tmp_path / "small.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    report = by_time_evaluate(path, "small", steps=(20,), keep=True)

    assert Ticket.objects.count() == 60
    assert (
        Ticket.objects.filter(status=Ticket.Status.SOLVED).count()
        + Ticket.objects.filter(first_reply_at__isnull=False).count()
        >= 40
    )  # the oldest 40 were answered or solved
    newest = Ticket.objects.order_by("-requested_at")[:20]
    assert all(t.judgement for t in newest)  # judged for good, not rolled back
    assert JudgementModel.objects.count() == 1 and "Too few held-out labels" in report.steps[2].gate
