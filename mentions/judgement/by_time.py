"""The judgement as a team lives it (issue 68): a labelled set measured by time, through the desk's own path.

The set's mentions are stored as tickets in time order. The newest third is the future: after each step it is
judged by the worker's path (`run.tickets_judge`, the task's own function) with whatever version is active then,
scored against its labels, and put back unjudged (a savepoint), so every step scores the same future mentions.
The oldest two thirds are the team's work, in steps (50, 100, all): each step's mentions arrive and are judged by
the worker's path, then worked as a team would through the desk's services: a right "needs a response" answered
(`ticket_mark_replied`), a right "worth knowing" or "noise" solved without a reply (`ticket_change_status`), every
misjudged mention corrected (`judgement_correct`) and then answered or solved as its label says; then
beat's learning tasks run by name (`mentions.judgement_learn`, then `mentions.exclusions_suggest`, each where the
desk has it), and the gate decides whether the new version judges the future.

Each figure comes with its count and a bootstrap 90 % interval over the future third (1,000 resamples, seeded).
The whole run is one transaction rolled back: it needs a desk with no labelled tickets of its own (they would
join the learning), so it refuses a database that has any; run it on an empty one (docs/judgement.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction

from advocacy.versioned import version_bump
from mentions.judgement.evaluation import FIELDS, _store
from mentions.judgement.learning import MODEL_VERSION, scores
from mentions.judgement.run import tickets_judge
from mentions.models import Judgement, JudgementModel, ProductProfile, Ticket
from mentions.services.actions import ticket_change_status, ticket_mark_replied
from mentions.services.judgement import CORRECTIONS_VERSION_KEY, judgement_correct

STEPS = (50, 100)  # then all of the oldest two thirds
# Beat's tasks that learn from the team's work (advocacy/settings/tasks.py), in the order the evaluation runs them.
LEARNING_TASKS = ("mentions.judgement_learn", "mentions.exclusions_suggest")
RESAMPLES = 1000
FIGURES = ("needs_response_precision", "needs_response_recall", "noise_precision", "noise_recall", "accuracy")


@dataclass
class Figure:
    value: float | None
    hits: int
    total: int
    low: float | None = None
    high: float | None = None

    def said(self) -> str:
        if self.value is None:
            return "  -   (0/0)"
        interval = f" [{self.low:.2f}-{self.high:.2f}]" if self.low is not None else ""
        return f"{self.value:.3f} ({self.hits}/{self.total}){interval}"


@dataclass
class TimeStep:
    worked: int  # of the oldest two thirds, worked so far
    corrections: int  # of those, corrected
    gate: str  # what judgement_learn decided ("" at the cold start)
    figures: dict[str, Figure] = field(default_factory=dict)
    judged_needs_response: int = 0  # of the future third, judged needs a response (unsure included)


@dataclass
class TimeReport:
    label: str
    path: str
    product: str
    count: int
    future: int
    truth_needs_response: int
    steps: list[TimeStep] = field(default_factory=list)


class DeskNotEmpty(Exception):
    """The database has labelled tickets of its own, which would join the learning."""


def _counted(truth: list[str], judged: list[str], kind: str, measure: str) -> tuple[int, int]:
    if measure == "accuracy":
        return sum(t == j for t, j in zip(truth, judged, strict=True)), len(truth)
    said = [t for t, j in zip(truth, judged, strict=True) if j == kind]
    real = [j for t, j in zip(truth, judged, strict=True) if t == kind]
    if measure == "precision":
        return sum(t == kind for t in said), len(said)
    return sum(j == kind for j in real), len(real)


def figures_with_intervals(truth: list[str], judged: list[str], *, seed: int = 68) -> dict[str, Figure]:
    """Each figure, its count and a bootstrap 90 % interval (percentiles 5 and 95 of RESAMPLES resamples)."""
    rng = np.random.default_rng(seed)
    n = len(truth)
    samples = [rng.integers(0, n, n) for _ in range(RESAMPLES)] if n else []
    found: dict[str, Figure] = {}
    for name in FIGURES:
        kind, measure = name.rsplit("_", 1) if name != "accuracy" else ("", "accuracy")
        hits, total = _counted(truth, judged, kind, measure)
        if not total:
            found[name] = Figure(None, hits, total)
            continue
        values = []
        for sample in samples:
            got = scores([truth[i] for i in sample], [judged[i] for i in sample]).as_dict()[name]
            if got is not None:
                values.append(float(got))
        low, high = np.percentile(values, [5, 95]) if values else (None, None)
        found[name] = Figure(round(hits / total, 3), hits, total, low, high)
    return found


def _field_accuracy(truth: list[str], judged: list[str]) -> Figure:
    hits = sum(t == j for t, j in zip(truth, judged, strict=True))
    return Figure(round(hits / len(truth), 3) if truth else None, hits, len(truth))


def _work(ticket_id: int, label: str, actor: Any) -> bool:
    """The team works one judged ticket through the desk's services; True when it corrected the judgement."""
    ticket = Ticket.objects.get(pk=ticket_id)
    right = ticket.judgement == label and not ticket.judgement_unsure
    corrected = False
    if not right and not (label == Judgement.NEEDS_RESPONSE and ticket.judgement == label):
        # Misjudged (an unsure one that needs a response is answered as it stands: the advocate just answers it).
        corrected = judgement_correct(ticket, label, actor)
    ticket.refresh_from_db()
    if label == Judgement.NEEDS_RESPONSE:
        ticket_mark_replied(ticket=ticket, user=actor, body="Answered on the platform.")
    else:
        ticket_change_status(ticket=ticket, user=actor, status=Ticket.Status.SOLVED)
    return corrected


def _future_judged(ids: list[int], mentions: list[dict[str, Any]]) -> TimeStep:
    """The future third judged by the worker's path, read back and scored; then put back unjudged."""
    with transaction.atomic():
        tickets_judge(ids, batches=len(ids) // 200 + 2)
        rows = Ticket.objects.in_bulk(ids)
        got = {key: [getattr(rows[i], key) for i in ids] for key in FIELDS}
        transaction.set_rollback(True)
    truth = {key: [str(m["label"].get(key, "")) for m in mentions] for key in FIELDS}
    step = TimeStep(worked=0, corrections=0, gate="")
    step.figures = figures_with_intervals(truth["judgement"], got["judgement"])
    for key in ("intent", "sentiment"):
        step.figures[f"{key}_accuracy"] = _field_accuracy(truth[key], got[key])
    step.judged_needs_response = sum(j == Judgement.NEEDS_RESPONSE for j in got["judgement"])
    return step


def _beat_learns() -> dict[str, Any]:
    """Beat's tasks that learn from the team's work, run as the worker runs them (by name, in this process): a new
    version of the judgement, then the other senses of the name. What judgement_learn said, for the report."""
    from celery import current_app

    said: dict[str, Any] = {}
    for name in LEARNING_TASKS:
        if name in current_app.tasks:  # a desk from before a task existed runs the ones it has
            got = current_app.tasks[name]()
            said = got if name == "mentions.judgement_learn" else said
    return said


def _gate_said(result: dict[str, Any]) -> str:
    if not result.get("learned"):
        return f"not learned: {result.get('why', '')}"
    row = JudgementModel.objects.get(pk=result["version"])
    if row.outcome == JudgementModel.Outcome.ACTIVE:
        return f"v{row.pk} active{': ' + row.note if row.note else ''}"
    return f"v{row.pk} refused: {row.note}"


def _profile(data: dict[str, Any]) -> None:
    """The set's product as an admin would describe it: its name, other names and description."""
    ProductProfile.objects.all().delete()
    ProductProfile.objects.create(
        name=str(data.get("product") or "")[:80],
        description=str(data.get("description") or ""),
        other_names="\n".join(str(n) for n in data.get("other_names") or []),
    )


def by_time_evaluate(path: Path, label: str, *, steps: tuple[int, ...] = STEPS, keep: bool = False) -> TimeReport:
    """The by-time report of one set. `keep`: the worked desk is committed instead of rolled back, and the newest
    third is judged once more for good, so admin's versions, the suggested exclusions and the queue (noise held
    back) can be looked at as the team would find them after the run."""
    data = json.loads(path.read_text(encoding="utf-8"))
    mentions = sorted(data["mentions"], key=lambda m: str(m.get("at") or ""))
    past_n = len(mentions) * 2 // 3
    past, future = mentions[:past_n], mentions[past_n:]
    report = TimeReport(
        label=label,
        path=str(path),
        product=str(data.get("product")),
        count=len(mentions),
        future=len(future),
        truth_needs_response=sum(m["label"]["judgement"] == Judgement.NEEDS_RESPONSE for m in future),
    )
    if (
        Ticket.objects.filter(judged_by="advocate").exists()
        or Ticket.objects.filter(status=Ticket.Status.SOLVED).exists()
    ):
        raise DeskNotEmpty("This database has worked tickets of its own; run --by-time on an empty one.")
    try:
        with transaction.atomic():
            JudgementModel.objects.filter(outcome=JudgementModel.Outcome.ACTIVE).update(
                outcome=JudgementModel.Outcome.KEPT
            )
            version_bump(MODEL_VERSION)
            _profile(data)
            ids = _store(mentions, keywords=[str(k) for k in data.get("keywords") or []])
            actor = get_user_model().objects.create_superuser(f"by-time-{path.stem}"[:150], password=None)
            past_ids, future_ids = ids[:past_n], ids[past_n:]
            report.steps.append(_future_judged(future_ids, future))
            done = corrections = 0
            for k in [*(s for s in steps if s < past_n), past_n]:
                arriving = past_ids[done:k]
                tickets_judge(arriving, batches=len(arriving) // 200 + 2)
                corrections += sum(
                    _work(i, past[done + n]["label"]["judgement"], actor) for n, i in enumerate(arriving)
                )
                done = k
                gate = _gate_said(_beat_learns())
                step = _future_judged(future_ids, future)
                step.worked, step.corrections, step.gate = done, corrections, gate
                report.steps.append(step)
            if keep:
                tickets_judge(future_ids, batches=len(future_ids) // 200 + 2)
            else:
                transaction.set_rollback(True)
    finally:
        # The run's versions and corrections are gone with its transaction: every cache reads them again.
        version_bump(MODEL_VERSION)
        version_bump(CORRECTIONS_VERSION_KEY)
    return report


def by_time_lines(report: TimeReport) -> list[str]:
    share = report.truth_needs_response / report.future if report.future else 0.0
    lines = [
        f"== {report.label}: {report.path} ({report.product}, {report.count} mentions; "
        f"the oldest {report.count - report.future} worked in steps, the newest {report.future} judged after each) ==",
        f"  truth in the future third: {report.truth_needs_response} need a response ({share:.0%})",
        "  worked corrected | needs_response P (n) [90%] | R | noise P | R | accuracy | intent | sentiment | "
        "judged needs a response",
    ]
    for step in report.steps:
        f = step.figures
        worked = "cold" if step.worked == 0 else str(step.worked)
        lines.append(
            f"  {worked:>6} {step.corrections:>9} | {f['needs_response_precision'].said()} | "
            f"{f['needs_response_recall'].said()} | {f['noise_precision'].said()} | {f['noise_recall'].said()} | "
            f"{f['accuracy'].said()} | {f['intent_accuracy'].said()} | {f['sentiment_accuracy'].said()} | "
            f"{step.judged_needs_response}/{report.future}"
        )
        if step.gate:
            lines.append(f"  {'':>6} gate: {step.gate}")
    return lines
