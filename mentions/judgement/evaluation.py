"""How well the judgement does on a labelled set (`manage.py judgement_evaluate`): the set's mentions are stored
as tickets, judged by the same code as at intake (`run.batch_judge`, `run.verdicts_store`), read back, and the
whole transaction rolled back, so it runs on any database, production's included, and leaves nothing.

A set is JSON: `{"product", "keywords", "team_handles", "written", "mentions": [{"id", "platform", "author",
"title", "text", "url", "at", "author_weight", "label": {"judgement", "intent", "sentiment", "language"}}]}`
(mentions/judgement/eval/dev.json)."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from channels.models import Channel
from mentions.judgement.curve import Step, curve_lines, learning_curve
from mentions.judgement.features import feature_matrix
from mentions.judgement.learning import scores
from mentions.judgement.product import Product, product_load, product_make
from mentions.judgement.run import batch_judge, hand_read, verdicts_store
from mentions.judgement.shipped_model import TRAINING_SETS
from mentions.models import Judgement, Message, Ticket

EVAL_DIR = Path(__file__).resolve().parent / "eval"
# Newest first. Caddy and Homebrew were written blind for issue 56 (2026-11-27) by two contributors who read neither
# the judgement nor the other sets, before the learned judgement was built, and are in no training set: they are
# the held-out sets. Ghost, Bun and Render were written blind too, but were read or scored while the judgement
# changed and now train the shipped model (shipped_model.TRAINING_SETS), so they count as seen; their learning
# curve is measured without themselves (docs/judgement.md).
HELD_OUT_SETS = (
    EVAL_DIR / "heldout_hugo.json",
    EVAL_DIR / "heldout_poetry.json",
    EVAL_DIR / "heldout_caddy.json",
    EVAL_DIR / "heldout_homebrew.json",
)
SEEN = (EVAL_DIR / "heldout_ghost.json", EVAL_DIR / "heldout_bun.json", EVAL_DIR / "heldout.json")
DEVELOPMENT = EVAL_DIR / "dev.json"
KIND_OF = {"stackoverflow": "stackexchange"}
FIELDS = ("judgement", "intent", "sentiment", "language")
JUDGEMENTS = tuple(Judgement.values)


@dataclass
class Report:
    label: str  # "held-out" or "development"
    path: str
    product: str
    count: int
    figures: dict[str, float] = field(default_factory=dict)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)  # true → predicted → count
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)  # id, true, predicted, reason
    curve: list[Step] = field(default_factory=list)
    unsure: int = 0
    seconds: float = 0.0


def datasets_default() -> list[tuple[str, Path]]:
    """The held-out set first when it exists, then the one seen since, then the development set."""
    found = [*(("held-out", h) for h in HELD_OUT_SETS), *(("held-out, seen", s) for s in SEEN)]
    return [*((label, path) for label, path in found if path.exists()), ("development", DEVELOPMENT)]


def dataset_label(path: Path) -> str:
    if path.resolve() in {h.resolve() for h in HELD_OUT_SETS}:
        return "held-out"
    if path.resolve() in {s.resolve() for s in SEEN}:
        return "held-out, seen"
    if path.resolve() == DEVELOPMENT.resolve():
        return "development"
    return path.stem


def _product(data: dict[str, Any]) -> Product:
    """The set's product; the admin's description when the set is about the desk's own product."""
    name = str(data.get("product") or "")
    keywords = [str(k) for k in data.get("keywords") or []]
    own = product_load()
    if name.lower() == own.name.lower():
        return product_make(own.name, description=own.description, other_names="\n".join(own.names), keywords=keywords)
    return product_make(name, description=str(data.get("description") or ""), keywords=keywords)


def _kind(mention: dict[str, Any]) -> str:
    """The channel kind a set's platform is stored as (Stack Overflow is a Stack Exchange site; a platform the desk
    has no channel for keeps its name)."""
    platform = str(mention.get("platform") or "webhook").strip().lower()[:32]
    return KIND_OF.get(platform, platform)


def _store(mentions: list[dict[str, Any]], keywords: list[str] | None = None) -> list[int]:
    """The mentions as tickets with their first message, on a channel of their platform made for the run, searching
    for `keywords` (what the product's judgement reads from the channels, product.product_load)."""
    tag = secrets.token_hex(4)
    kinds = sorted({_kind(m) for m in mentions})
    # Disabled and never validated (bulk_create skips save()): they exist for the run's foreign keys only and
    # are rolled back with it.
    made = Channel.objects.bulk_create(
        [
            Channel(
                kind=k,
                name=f"evaluation {k} {tag}",
                slug=f"evaluation-{k}-{tag}",
                enabled=False,
                config={"keywords": keywords} if keywords else {},
            )
            for k in kinds
        ]
    )
    channels = dict(zip(kinds, made, strict=True))
    now = timezone.now()
    tickets, messages = [], []
    for m in mentions:
        at = parse_datetime(str(m.get("at") or "")) or now
        channel = channels[_kind(m)]
        tickets.append(Ticket(channel=channel, subject=str(m.get("title") or "")[:300], requested_at=at))
    Ticket.objects.bulk_create(tickets)
    for m, ticket in zip(mentions, tickets, strict=True):
        messages.append(
            Message(
                ticket=ticket,
                channel=ticket.channel,
                kind=Message.Kind.INBOUND,
                external_id=f"evaluation-{tag}-{m.get('id')}",
                author_handle=str(m.get("author") or "")[:200],
                title=str(m.get("title") or "")[:300],
                body=str(m.get("text") or ""),
                platform_created_at=ticket.requested_at,
            )
        )
    Message.objects.bulk_create(messages)
    return [t.pk for t in tickets]


def _figures(truth: list[dict[str, str]], got: list[dict[str, str]]) -> dict[str, float]:
    """The judgement's precision and recall (learning.scores, as the learned versions are scored) and each field's
    accuracy; NaN where there is nothing to count."""
    judged = scores([t["judgement"] for t in truth], [g["judgement"] for g in got])
    figures = {
        f"{kind} {measure}": getattr(judged, f"{kind}_{measure}")
        for kind in ("needs_response", "noise")
        for measure in ("precision", "recall")
    }
    for key in FIELDS:
        figures[f"{key} accuracy"] = scores([t[key] for t in truth], [g[key] for g in got]).accuracy
    return {name: float("nan") if value is None else value for name, value in figures.items()}


def _curve(ids: list[int], truth: list[str], product: Product, learn: list[int], without: str) -> list[Step]:
    """The learning curve on the stored set (inside the evaluation's transaction)."""
    read = hand_read(ids, product)
    if read is None:
        return []
    features, cues = feature_matrix([read.mentions[i] for i in read.ids], read.matrix, product, read.shipped)
    labels = dict(zip(ids, truth, strict=True))
    listed = [read.mentions[i] for i in read.ids]
    truth_rows = [labels[i] for i in read.ids]
    return learning_curve(learn, truth_rows, read.hand, features, cues, read.matrix, (listed, product), without=without)


def report_score(report: Report, mentions: list[dict[str, Any]], got: list[dict[str, str]]) -> None:
    """The figures, the confusion table and the misses of `got` (one dict of FIELDS and "reason" a mention)."""
    truth = [{key: str(m["label"].get(key, "")) for key in FIELDS} for m in mentions]
    report.figures = _figures(truth, got)
    report.confusion = {t: dict.fromkeys(JUDGEMENTS, 0) for t in JUDGEMENTS}
    for m, t, g in zip(mentions, truth, got, strict=True):
        if g["judgement"] in JUDGEMENTS and t["judgement"] in JUDGEMENTS:
            report.confusion[t["judgement"]][g["judgement"]] += 1
        if g["judgement"] != t["judgement"]:
            report.misses.append((str(m.get("id")), t["judgement"], g["judgement"] or "-", g["reason"]))


def dataset_evaluate(
    path: Path, label: str | None = None, *, learn: list[int] | None = None, without_itself: bool = False
) -> Report:
    """`without_itself`: a set the shipped models trained on is judged by them refitted without it (the judgement,
    the cascade's second opinion, the intent and sentiment), as the learning curve's k = 0 is."""
    data = json.loads(path.read_text(encoding="utf-8"))
    mentions: list[dict[str, Any]] = list(data["mentions"])
    report = Report(
        label=label or dataset_label(path), path=str(path), product=str(data.get("product")), count=len(mentions)
    )
    started = time.perf_counter()
    with transaction.atomic():
        ids = _store(mentions)
        product = _product(data)
        left_out = path.name if without_itself and path.name in TRAINING_SETS else ""
        verdicts = batch_judge(ids, product=product, without=left_out)
        verdicts_store(verdicts)
        rows = Ticket.objects.in_bulk(ids)
        got = [{key: getattr(rows[i], key) for key in FIELDS} | {"reason": rows[i].judgement_reason} for i in ids]
        report.unsure = sum(rows[i].judgement_unsure for i in ids)
        if learn:
            truth_judgements = [str(m["label"].get("judgement", "")) for m in mentions]
            trained_on = path.name if path.name in TRAINING_SETS else ""
            report.curve = _curve(ids, truth_judgements, product, learn, trained_on)
        transaction.set_rollback(True)  # the whole run leaves nothing
    report.seconds = round(time.perf_counter() - started, 2)
    report_score(report, mentions, got)
    return report


def report_lines(report: Report, *, misses: bool = False) -> list[str]:
    lines = [
        f"== {report.label}: {report.path} ({report.product}, {report.count} mentions, {report.seconds} s) ==",
        *(f"  {name:<26} {value:.3f}" for name, value in report.figures.items()),
        f"  unsure (served as needs a response) {report.unsure}",
        "  confusion (rows: label, columns: judged)",
        "  " + " " * 16 + "".join(f"{p:>16}" for p in JUDGEMENTS),
        *(f"  {t:<16}" + "".join(f"{report.confusion[t][p]:>16}" for p in JUDGEMENTS) for t in JUDGEMENTS),
    ]
    if report.curve:
        lines += curve_lines(report.curve)
    if misses:
        lines += [f"  miss {i}: {t} judged {g}: {reason}" for i, t, g, reason in report.misses]
    return lines
