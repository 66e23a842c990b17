"""Learning answers.fit.label's weights and threshold from collected rows (answers.evaluation.fit_rows), and the figures
they give: used by `manage.py answers_fit`, with scikit-learn (imported here, never by a web process).

A row is one of a question's fused top answers with its features and whether it is the question's target; a
question nothing fits has only rows that do not fit. The model learns from each question's first fused answer
(FIRST): whether to show anything is decided on the likeliest, and the rows below the first taught it mostly
which of two alike answers is right, which the fusion already decides (on the sets: recall at 3 0.77-0.83 at 91 %
silent and more, against 0.70-0.81 learnt from the top ten). The threshold is chosen on the same rows: the one
whose worst figure over the sets (each set's recall at 3 and its share kept silent) is best, the quieter of
equals: the targets ask both on every set, and a threshold tuned for one figure gives the other up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from answers.fit.label import FIT_FEATURES, FIT_NEXT, fit_probability
from answers.fit.plain_first import plain_anchor, plain_kept

MEANING_ONLY = ("meaning", "meaning_lead", "rr_meaning", "meaning_gap", "top_both")
FIRST = 1  # fused positions learnt from
C = 1.0  # sklearn's default regularisation: the features are few and on comparable scales


def _names(meaning: bool) -> list[str]:
    return [n for n in FIT_FEATURES if meaning or n not in MEANING_ONLY]


def learn(collected: Mapping[str, list[dict]], *, meaning: bool = True) -> dict[str, float]:
    """Logistic regression weights (and the intercept, and the chosen threshold) over all rows given."""
    from sklearn.linear_model import LogisticRegression

    names = _names(meaning)
    rows = [r for rs in collected.values() for r in rs if r["features"] and r["position"] <= FIRST]
    x = [[r["features"][n] for n in names] for r in rows]
    y = [1 if r["fits"] else 0 for r in rows]
    model = LogisticRegression(C=C, max_iter=5_000).fit(x, y)
    weights = {"intercept": round(float(model.intercept_[0]), 4)}
    weights.update({n: round(float(w), 4) for n, w in zip(names, model.coef_[0], strict=True)})
    weights["threshold"] = threshold_choose(collected, weights)
    return weights


def threshold_choose(collected: Mapping[str, list[dict]], weights: Mapping[str, float]) -> float:
    """The threshold whose worst figure over the sets (recall at 3, silent share) is best; the higher of equals."""
    best, chosen = -1.0, 0.5
    for step in range(5, 96):
        threshold = step / 100
        got = [figures(rows, weights, threshold) for rows in collected.values()]
        worst = min(min(g["recall"], g["silent"]) for g in got)
        if worst >= best:
            best, chosen = worst, threshold
    return chosen


def figures(rows: list[dict], weights: Mapping[str, float], threshold: float) -> dict[str, float]:
    """Recall at 3, MRR and the silent share the rows give at these weights and threshold."""
    by_query: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_query[r["query"]].append(r)
    hits = reciprocal = repeats = unfit = silent = 0.0
    for found in by_query.values():
        shown = sorted(
            ((fit_probability(r["features"], weights), r) for r in found if r["features"]), key=lambda fr: -fr[0]
        )
        anchor = plain_anchor(shown)
        shown = [(p, r) for n, (p, r) in enumerate(shown) if p >= (threshold if n == 0 else FIT_NEXT)]
        shown = plain_kept(shown, anchor, fit=lambda pr: pr[0]) if shown and shown[0][0] >= threshold else []
        if found[0]["unfit"]:
            unfit += 1
            silent += 0 if shown else 1
            continue
        repeats += 1
        place = next((n for n, (_, r) in enumerate(shown, start=1) if r["fits"]), 0)
        hits += 1 if 0 < place <= 3 else 0
        reciprocal += 1 / place if place else 0
    return {
        "recall": hits / repeats if repeats else 0.0,
        "mrr": reciprocal / repeats if repeats else 0.0,
        "silent": silent / unfit if unfit else 1.0,
        "hits": hits,
        "repeats": repeats,
    }


def cross_check(collected: Mapping[str, list[dict]]) -> list[str]:
    """Fitted on all sets but one, threshold included, scored on that one: what a set not seen might get."""
    lines = []
    for left_out in collected:
        rest = {name: rows for name, rows in collected.items() if name != left_out}
        weights = learn(rest)
        got = figures(collected[left_out], weights, weights["threshold"])
        lines.append(
            f"cross-check: fitted without {left_out} (threshold {weights['threshold']:.2f}), on it: "
            f"recall@3 {int(got['hits'])}/{int(got['repeats'])} = {got['recall']:.3f}   MRR {got['mrr']:.3f}"
            f"   silent when nothing fits {got['silent']:.0%}"
        )
    return lines
