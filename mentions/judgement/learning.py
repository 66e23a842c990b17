"""The desk learns its own product (issue 56): `judgement_learn` trains a new version of the judgement on this
desk's labelled tickets (labels.py) beside the shipped examples, scores it and the active version on the desk's
newest labelled tickets that neither trained on, and makes it active only when it does better there. Every
version is kept (JudgementModel); `active_model` is what the worker judges with: the desk's active version, or the
shipped cold start before there is one.

Run by beat (`mentions.judgement_learn`, daily) and from admin ("Learn now"), in the worker."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from django.db import transaction

from advocacy import embeddings
from advocacy.versioned import version_bump, versioned
from mentions.judgement.examples import shipped as shipped_examples
from mentions.judgement.features import FEATURES_VERSION, feature_matrix
from mentions.judgement.fitting import cpu_seconds
from mentions.judgement.labels import WEIGHT_SHIPPED, Label, desk_labels
from mentions.judgement.learned import CLASSES, NOISE_FLOOR_LEARNED, LearnedModel, fit
from mentions.judgement.product import Product, product_load
from mentions.judgement.reading import first_mentions
from mentions.judgement.shipped_model import shipped_model, shipped_rows
from mentions.meaning import ticket_vectors
from mentions.models import Judgement, JudgementModel

MODEL_VERSION = "judgement-model"
LEARN_MAX = 10_000  # the newest labelled tickets a version learns from
HOLDOUT = 200  # the newest labelled tickets it is scored on, and not trained on
MIN_LABELS = 40
LEAN_STEP = 0.1  # the respond bias's step (a logit); the noise floor moves by half of it (a probability)
BIAS_MAX = 5.0  # a logit of 5 calls nearly everything "needs a response": no version leans further


def _active_row() -> tuple[int, bytes] | None:
    row = (
        JudgementModel.objects.filter(
            outcome=JudgementModel.Outcome.ACTIVE,
            features_version=FEATURES_VERSION,
            embedding_model=embeddings.model_name(),
        )
        .values_list("pk", "weights")
        .first()
    )
    return (row[0], bytes(row[1])) if row else None


def active_model() -> LearnedModel | None:
    """The version that judges: the desk's active one, else the shipped cold start (None: no learned judgement
    for this embedding model; the hand-written one stands alone)."""
    row = versioned(MODEL_VERSION, "active", _active_row, ttl=3600)
    if row is not None:
        return LearnedModel.from_bytes(row[1], version=row[0])
    return shipped_model()


def desk_features(ticket_ids: list[int], product: Product | None = None) -> tuple[list[int], np.ndarray]:
    """The feature rows of tickets with a first mention and a stored vector (in `ticket_ids`' order)."""
    mentions = first_mentions(ticket_ids)
    vectors = ticket_vectors([i for i in ticket_ids if i in mentions])
    ids = [i for i in ticket_ids if i in mentions and i in vectors]
    if not ids:
        return [], np.zeros((0, 0), dtype=np.float32)
    product = product or product_load()
    matrix, _ = feature_matrix(
        [mentions[i] for i in ids],
        np.vstack([vectors[i] for i in ids]),
        product,
        shipped_examples(product.name, product.description),
    )
    return ids, matrix


@dataclass(frozen=True)
class Scores:
    count: int
    needs_response_precision: float | None
    needs_response_recall: float | None
    noise_precision: float | None
    noise_recall: float | None
    accuracy: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return dict(self.__dict__)


def scores(truth: list[str], judged: list[str]) -> Scores:
    def share(hits: int, total: int) -> float | None:
        return round(hits / total, 3) if total else None

    pairs = list(zip(truth, judged, strict=True))
    figures = {}
    for kind in (Judgement.NEEDS_RESPONSE, Judgement.NOISE):
        said = [t for t, j in pairs if j == kind]
        real = [j for t, j in pairs if t == kind]
        figures[f"{kind}_precision"] = share(sum(t == kind for t in said), len(said))
        figures[f"{kind}_recall"] = share(sum(j == kind for j in real), len(real))
    return Scores(count=len(pairs), accuracy=share(sum(t == j for t, j in pairs), len(pairs)), **figures)


def model_fit(
    features: np.ndarray, labels: list[str], weights: np.ndarray, *, without: str = "", apart: bool = False
) -> LearnedModel:
    """A version trained on the shipped rows (`without` one set, when measuring on it) and these labelled rows of
    a desk; `apart`: fitted in a child process (learned.fit)."""
    rows, shipped_labels = shipped_rows(without=without)
    return fit(
        np.vstack([rows, features]) if len(features) else rows,
        [*shipped_labels, *labels],
        # A shipped row weighs 1, a desk's history 2, a correction 5: measured on the seen sets' learning curves,
        # a lighter prior (all shipped rows weighing 250 or 400 together) did worse at every k.
        np.concatenate([np.full(len(shipped_labels), WEIGHT_SHIPPED), weights]),
        noise_floor=NOISE_FLOOR_LEARNED,
        apart=apart,
    )


def leaning_chosen(
    fitted: LearnedModel, features: np.ndarray, labels: list[str], weights: np.ndarray, current: LearnedModel | None
) -> LearnedModel:
    """`fitted` with its respond bias and noise floor chosen on its own training rows (newest first), so that it
    gives up neither needs-a-response recall nor noise precision against the active version there.

    Why a lean and not only a gate: a version fitted for accuracy trades recall for precision (measured on an
    imported Caddy history: accuracy up, recall down), and the gate alone would then refuse every version. Raising
    the respond bias (a shift of the needs_response prior) buys the recall back with some of the precision.

    Why on a slice of the training rows and not on the rows it was fitted on: a model judges the rows it learned
    from too well (on that Caddy history its own rows asked for a bias of about 0.5, which still lost recall on the
    newest tickets). So a probe is fitted on the older three quarters of the training part and the bias and floor
    are chosen on its newest quarter, then set on the version fitted on the whole of it. The hold-out it is scored
    on stays unseen by both. The active version may have learned from that slice: its figures there are the
    harder target, which errs on the side of recall."""
    tune = len(labels) // 4
    if current is None or tune == 0:
        return fitted
    probe = model_fit(features[tune:], labels[tune:], weights[tune:], apart=True)
    truth, rows = labels[:tune], features[:tune]
    target = scores(truth, current.judge(rows)[0])

    def probed(bias: float, floor: float) -> Scores:
        return scores(truth, replace(probe, respond_bias=bias, noise_floor=floor).judge(rows)[0])

    bias, floor, wanted = fitted.respond_bias, fitted.noise_floor, target.needs_response_recall or 0.0
    # Never below the shipped lean. Each step only adds needs-a-response calls (bias) or removes noise calls
    # (floor); the ends (every mention needs a response, none is noise) meet any target, so both loops stop.
    while bias < BIAS_MAX and (probed(bias, floor).needs_response_recall or 0.0) < wanted:
        bias = round(bias + LEAN_STEP, 2)
    while floor < 1.0 and _silence(probed(bias, floor)) < _silence(target):
        floor = round(floor + LEAN_STEP / 2, 2)
    return replace(fitted, respond_bias=bias, noise_floor=floor)


def _silence(s: Scores) -> float:
    """Noise precision, the silence side: a version that calls nothing noise hides nobody (1.0)."""
    return 1.0 if s.noise_precision is None else s.noise_precision


def _refusal(new: Scores, current: Scores) -> str:
    """Why `new` may not replace `current`, in words ("" when it may). The house rule: figures with two sides move
    together. A version that would lower needs-a-response recall (a person left unanswered, the costly error) or
    noise precision (a mention hidden as noise that was not) is refused whatever it gains in accuracy; otherwise it
    must be more accurate, or as accurate with a better recall."""
    if current.accuracy is None:
        return ""
    recall, was = new.needs_response_recall or 0.0, current.needs_response_recall or 0.0
    lowered = []
    if recall < was:
        lowered.append(
            f"needs-a-response recall from {was} to {recall} (more mentions that need a response judged otherwise)"
        )
    if _silence(new) < _silence(current):
        lowered.append(
            f"noise precision from {_silence(current)} to {_silence(new)} (more mentions called noise that were not)"
        )
    if lowered:
        gain = f"for an accuracy of {new.accuracy} against {current.accuracy}"
        return f"Would have lowered {' and '.join(lowered)} on the newest labelled tickets, {gain}."
    if (new.accuracy or 0.0) > current.accuracy or (new.accuracy == current.accuracy and recall > was):
        return ""
    return "Did no better than the active version on the newest labelled tickets."


def judgement_learn() -> dict[str, object]:
    """Train, score and keep a new version (active only when it beats the active one). Idempotent enough to run
    twice: a second version trained on the same labels scores the same and is refused."""
    started = cpu_seconds()
    labels: list[Label] = desk_labels(limit=LEARN_MAX, embedding_model=embeddings.model_name())
    ids, matrix = desk_features([label.ticket_id for label in labels])
    by_id = {label.ticket_id: label for label in labels}
    labelled = [by_id[i] for i in ids]
    if len(labelled) < MIN_LABELS:
        return {"learned": False, "why": f"{len(labelled)} labelled tickets; {MIN_LABELS} needed"}
    hold = min(HOLDOUT, len(labelled) // 4)
    truth = [label.judgement for label in labelled[:hold]]
    train = [label.judgement for label in labelled[hold:]]
    weights = np.array([x.weight for x in labelled[hold:]])
    current = active_model()
    new = model_fit(matrix[hold:], train, weights, apart=True)  # apart: scikit-learn stays out of the worker
    new = leaning_chosen(new, matrix[hold:], train, weights, current)
    new_scores = scores(truth, new.judge(matrix[:hold])[0])
    current_scores = scores(truth, current.judge(matrix[:hold])[0]) if current else Scores(0, *([None] * 5))
    refusal = _refusal(new_scores, current_scores)
    wins = not refusal
    with transaction.atomic():
        if wins:
            JudgementModel.objects.filter(outcome=JudgementModel.Outcome.ACTIVE).update(
                outcome=JudgementModel.Outcome.KEPT
            )
        row = JudgementModel.objects.create(
            outcome=JudgementModel.Outcome.ACTIVE if wins else JudgementModel.Outcome.REFUSED,
            weights=new.to_bytes(),
            features_version=FEATURES_VERSION,
            embedding_model=embeddings.model_name(),
            labels_desk=len(labelled) - hold,
            labels_corrected=sum(x.how == "corrected" for x in labelled[hold:]),
            labels_shipped=len(shipped_rows()[1]),
            scored_on=hold,
            compared_with={"version": current.version if current else None, **current_scores.as_dict()},
            cpu_seconds=round(cpu_seconds() - started, 2),
            note=refusal,
            **{k: v for k, v in new_scores.as_dict().items() if k != "count"},
        )
    if wins:  # every worker reads the new version: now, and once this transaction commits
        version_bump(MODEL_VERSION)
        transaction.on_commit(lambda: version_bump(MODEL_VERSION))
    return {
        "learned": True,
        "version": row.pk,
        "active": wins,
        "respond_bias": round(new.respond_bias, 2),
        "noise_floor": round(new.noise_floor, 2),
        **new_scores.as_dict(),
    }


__all__ = ["CLASSES", "active_model", "desk_features", "judgement_learn", "model_fit", "scores"]
