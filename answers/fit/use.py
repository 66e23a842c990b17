"""The desk's own "nothing fits": the weights of answers.fit.label's logistic model learned from what advocates did with
the suggestions (answers.SuggestionFeedback), anchored on the cold start.

An inserted suggestion fits; a dismissed one ("Doesn't fit") does not; an ignored one (a reply of ours sent beside
it, nothing inserted) probably does not, and counts half: an advocate may have answered from memory what the
suggestion said. Each label keeps the features the suggestion had when it was shown, so learning reads rows, never
searches again.

The weights are fitted by penalised maximum likelihood pulled toward COLD_WEIGHTS (a Gaussian prior: loss +
PRIOR · |w - w_cold|²): with few labels the desk's model stays near the shipped one, with many it follows the desk.
A new version becomes active only when it predicts the desk's newest labels (which it did not train on) better
than the active one does (lower log loss) and, on every label, shows as many of the answers the team inserted and
keeps as many of those it turned down quiet: learning never buys silence with recall or recall with silence.
Only the likeliest answer's labels are learnt from (rank 1, shown or kept unshown), as the cold start learns.
Every version is kept (answers.FitWeights), one is active; admin lists them with their figures.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from django.db import transaction

from answers.fit.label import COLD_WEIGHTS, FIT_FEATURES, FIT_THRESHOLD
from answers.fit_models import FIT_WEIGHTS_CACHE
from answers.models import FitWeights, SuggestionFeedback

logger = logging.getLogger(__name__)

MIN_LABELS = 40  # labels before the desk learns at all
MIN_EACH = 8  # ...of which fits and does-not-fit each at least this many
HOLDOUT_SHARE = 0.25  # the newest quarter (at least HOLDOUT_MIN) judges a new version against the active one
HOLDOUT_MIN = 10
PRIOR = 0.5  # pull toward the cold start, per label-weight unit; 0.5 lets ~100 labels move a weight by ~1
IGNORED_WEIGHT = 0.5
MIN_GAIN = 0.02  # a new version must predict the newest labels this much better (log loss) to replace the active one
NAMES = ("intercept", *FIT_FEATURES)

Outcome = SuggestionFeedback.Outcome


@dataclass
class Labels:
    x: np.ndarray  # rows of [1, *features]
    y: np.ndarray  # 1 fits, 0 does not
    w: np.ndarray  # each label's weight

    def __len__(self) -> int:
        return len(self.y)

    def part(self, rows: slice) -> Labels:
        return Labels(self.x[rows], self.y[rows], self.w[rows])


def labels_read() -> Labels:
    """Every label of a suggestion ranked with meaning, with its features, oldest first (by when the outcome was
    last set)."""
    # The likeliest only (rank 1, shown or kept unshown), as the cold start learns from each question's first answer
    # (answers.fit.learn): whether anything is shown is decided on it. The "Doesn't fit" of the second opinions below
    # it taught the model that nothing fits: measured by time through the desk's path, a desk whose team dismissed them
    # fell below the plain query (answers_evaluate --by-time --use on the Sentry set: 16/28 against 20/28).
    rows = (
        SuggestionFeedback.objects.exclude(features={})
        .filter(rank=1)
        .order_by("updated_at", "pk")
        .values_list("features", "outcome")
    )
    x, y, w = [], [], []
    for features, outcome in rows.iterator(chunk_size=2000):
        if not features.get("rr_meaning") and not features.get("meaning"):
            continue  # shown by the words alone (no vector yet): those have weights of their own, not learnt here
        x.append([1.0, *(float(features.get(name, 0.0) or 0.0) for name in FIT_FEATURES)])
        y.append(1.0 if outcome == Outcome.INSERTED else 0.0)
        w.append(IGNORED_WEIGHT if outcome == Outcome.IGNORED else 1.0)
    width = len(NAMES)
    return Labels(np.array(x, dtype=float).reshape(-1, width), np.array(y), np.array(w))


def _vector(weights: dict[str, float]) -> np.ndarray:
    return np.array([float(weights.get(name, 0.0)) for name in NAMES])


def _loss(beta: np.ndarray, labels: Labels) -> float:
    """Weighted mean log loss."""
    z = labels.x @ beta
    # log(1 + e^z) - y z, computed without overflow
    per = np.logaddexp(0.0, z) - labels.y * z
    return float((labels.w * per).sum() / max(labels.w.sum(), 1e-9))


def _fit(labels: Labels, anchor: np.ndarray) -> np.ndarray:
    """Penalised maximum likelihood (L-BFGS, scipy: a dependency of scikit-learn, already installed)."""
    from scipy.optimize import minimize

    def objective(beta: np.ndarray) -> tuple[float, np.ndarray]:
        z = labels.x @ beta
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
        per = np.logaddexp(0.0, z) - labels.y * z
        gap = beta - anchor
        value = float((labels.w * per).sum() + PRIOR * (gap @ gap))
        grad = labels.x.T @ (labels.w * (p - labels.y)) + 2 * PRIOR * gap
        return value, grad

    done = minimize(objective, anchor.copy(), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return np.asarray(done.x)


def _accuracy(beta: np.ndarray, labels: Labels) -> float:
    p = 1.0 / (1.0 + np.exp(-np.clip(labels.x @ beta, -40, 40)))
    right = ((p >= FIT_THRESHOLD) == (labels.y == 1.0)).astype(float)
    return float((labels.w * right).sum() / max(labels.w.sum(), 1e-9))


def _sides(beta: np.ndarray, labels: Labels) -> tuple[float, float]:
    """(the weight of the fitting labels it would show, the weight of the others it would keep quiet) at the
    threshold: the panel's two sides, recall and silence."""
    shown = 1.0 / (1.0 + np.exp(-np.clip(labels.x @ beta, -40, 40))) >= FIT_THRESHOLD
    fits = labels.y == 1.0
    return float(labels.w[shown & fits].sum()), float(labels.w[~shown & ~fits].sum())


def fit_learn() -> FitWeights | None:
    """Learn a new version from the labels when there are enough; it becomes active only if it beats the active
    version on the newest labels. None when there is too little to learn from."""
    started = time.process_time()
    labels = labels_read()
    fits = int(labels.y.sum())
    if len(labels) < MIN_LABELS or min(fits, len(labels) - fits) < MIN_EACH:
        logger.info("answers.fit_learn: %s labels (%s fit): too few to learn from", len(labels), fits)
        return None
    held = max(HOLDOUT_MIN, math.ceil(HOLDOUT_SHARE * len(labels)))
    train, newest = labels.part(slice(0, len(labels) - held)), labels.part(slice(len(labels) - held, None))
    cold = _vector(COLD_WEIGHTS)
    active = FitWeights.objects.filter(outcome=FitWeights.Outcome.ACTIVE).first()
    current = _vector(active.weights) if active else cold
    candidate = _fit(train, cold)
    before, after = _loss(current, newest), _loss(candidate, newest)
    # Better at predicting the newest labels, and neither side of the panel worse on every label the team gave: as
    # many of the answers it inserted shown, as many of those it turned down kept quiet. A version that buys silence
    # with recall (or the reverse) is refused, however well it predicts.
    better = after < before * (1 - MIN_GAIN) and all(
        got >= had for got, had in zip(_sides(candidate, labels), _sides(current, labels), strict=True)
    )
    weights = _fit(labels, cold) if better else candidate  # adopted: learn from the newest too
    with transaction.atomic():
        if better:
            FitWeights.objects.filter(outcome=FitWeights.Outcome.ACTIVE).update(outcome=FitWeights.Outcome.KEPT)
        row = FitWeights.objects.create(
            outcome=FitWeights.Outcome.ACTIVE if better else FitWeights.Outcome.REFUSED,
            weights={name: round(float(v), 4) for name, v in zip(NAMES, weights, strict=True)},
            labels=len(labels),
            labels_fit=fits,
            scored_on=len(newest),
            loss_before=round(before, 4),
            loss_after=round(after, 4),
            accuracy_before=round(_accuracy(current, newest), 4),
            accuracy_after=round(_accuracy(candidate, newest), 4),
            cpu_seconds=round(time.process_time() - started, 3),
        )
    cache.delete(FIT_WEIGHTS_CACHE)  # committed (the task runs outside a transaction): the workers read it anew
    logger.info(
        "answers.fit_learn: v%s %s: %s labels, log loss on the newest %s %.3f -> %.3f",
        row.pk, row.outcome, len(labels), len(newest), before, after,
    )  # fmt: skip
    return row
