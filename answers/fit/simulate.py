"""What learning from the desk's use does to the suggestions, simulated on an evaluation set's rows
(answers.evaluation.fit_rows): `manage.py answers_fit --use`.

Each set's questions are cut in FOLDS by their order. For each fold, the other folds' questions are "used" as an
advocate would use the panel shown with the cold-start weights: a shown suggestion that is the question's answer
(in the first three) is inserted (fits); otherwise the top one shown is ignored (a reply written beside it: does
not fit, half a label, answers.fit.use); when nothing was shown, the likeliest answer the desk kept unshown is
ignored too, as answers.suggestions.stored keeps it for that (`unshown=False`: as the desk did before, no label). The
weights are learnt from those labels exactly as answers.fit.use learns them (pulled toward the cold start), and the
fold's questions are scored with them. Figures are summed over the folds: every question is scored once, by weights that
did not learn from it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import numpy as np

from answers.fit.label import COLD_WEIGHTS, FIT_FEATURES, FIT_NEXT, FIT_THRESHOLD, fit_probability
from answers.fit.learn import figures
from answers.fit.plain_first import plain_anchor, plain_kept
from answers.fit.use import IGNORED_WEIGHT, NAMES, Labels, _fit, _vector

FOLDS = 3


def _shown(found: list[dict], weights: Mapping[str, float]) -> tuple[list[dict], dict | None]:
    """What the panel shows, and the likeliest when it shows nothing (as answers.suggestions.ranking.text_ranked)."""
    ranked = sorted(
        ((fit_probability(r["features"], weights), r) for r in found if r["features"]), key=lambda fr: -fr[0]
    )
    if not ranked or ranked[0][0] < FIT_THRESHOLD:
        return [], (ranked[0][1] if ranked else None)
    shown = [(p, r) for n, (p, r) in enumerate(ranked) if p >= (FIT_THRESHOLD if n == 0 else FIT_NEXT)]
    return [r for _, r in plain_kept(shown, plain_anchor(ranked), fit=lambda pr: pr[0])], None


def _label(row: dict, fits: bool, weight: float) -> tuple[list[float], float, float]:
    return [1.0, *(float(row["features"].get(n, 0.0) or 0.0) for n in FIT_FEATURES)], 1.0 if fits else 0.0, weight


def use_labels(by_query: Mapping[str, list[dict]], queries: list[str], *, unshown: bool) -> Labels:
    """The labels an advocate's use of these questions leaves."""
    made = []
    for query in queries:
        shown, likeliest = _shown(by_query[query], COLD_WEIGHTS)
        hit = next((r for r in shown[:3] if r["fits"]), None)
        if hit is not None:
            made.append(_label(hit, True, 1.0))
        elif shown:
            made.append(_label(shown[0], False, IGNORED_WEIGHT))
        elif unshown and likeliest is not None:
            made.append(_label(likeliest, False, IGNORED_WEIGHT))
    x = np.array([m[0] for m in made], dtype=float).reshape(-1, len(NAMES))
    return Labels(x, np.array([m[1] for m in made]), np.array([m[2] for m in made]))


def use_simulate(rows: list[dict], *, unshown: bool = True, folds: int = FOLDS) -> dict[str, Any]:
    """Cold-start and learnt figures over the folds, and the labels each fold learnt from (mean)."""
    by_query: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_query[r["query"]].append(r)
    queries = list(by_query)
    sums: dict[str, dict[str, float]] = {"cold": defaultdict(float), "learnt": defaultdict(float)}
    labels = fits = 0
    for fold in range(folds):
        scored = [q for n, q in enumerate(queries) if n % folds == fold]
        used = use_labels(by_query, [q for n, q in enumerate(queries) if n % folds != fold], unshown=unshown)
        labels, fits = labels + len(used), fits + int(used.y.sum())
        learnt = dict(zip(NAMES, _fit(used, _vector(COLD_WEIGHTS)), strict=True))
        fold_rows = [r for q in scored for r in by_query[q]]
        unfit = sum(1 for q in scored if by_query[q][0]["unfit"])
        for name, weights in (("cold", COLD_WEIGHTS), ("learnt", learnt)):
            got = figures(fold_rows, weights, FIT_THRESHOLD)
            sums[name]["hits"] += got["hits"]
            sums[name]["repeats"] += got["repeats"]
            sums[name]["silent"] += round(got["silent"] * unfit) if unfit else 0
            sums[name]["unfit"] += unfit
    return {"labels": labels / folds, "fits": fits / folds, **sums}
