"""Whether an earlier answer fits a question: a probability from a logistic model over a few features.

Most mentions fit no earlier answer (praise, events, small talk), yet a ranking always has a best. Hand-set floors
on one signal each (the words' evidence, the meaning's cosine) kept quiet on the set they were tuned on and lost
repeats elsewhere. Here each of the fused top answers (answers.suggestions.hybrid) gets features from all three lists,
and P(fit) = 1 / (1 + exp(-(intercept + Σ weight · feature))); an answer is shown at P(fit) ≥ FIT_THRESHOLD.

COLD_WEIGHTS are the cold start: fitted with scikit-learn on the evaluation sets (answers/eval) by
`manage.py answers_fit`, which writes them here. The desk may later learn its own weights from use (an inserted
suggestion fits, a dismissed or ignored one does not): `fit_probability(features, weights)` takes them, with the
same names (FIT_FEATURES) and an "intercept".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

FIT_FEATURES = (
    "meaning",  # cosine of the question's vector and the answer's (0 without a vector)
    "meaning_lead",  # ...less the cosine of the meaning list's LEAD_RANK-th answer: how far it stands out
    "evidence",  # BM25F score of the question's distinctive stems, in units of one stem a single answer holds
    "coverage",  # that evidence over what the question's own distinctive stems weigh (capped at 1)
    "words_share",  # the BM25F score over the best candidate's
    "rr_plain",  # 1 / rank in the plain full-text list (0: not in its top)
    "rr_words",  # 1 / rank in the BM25F list
    "rr_meaning",  # 1 / rank in the meaning list
    "lists",  # how many of the three lists hold it
    "title_alike",  # pg_trgm similarity of the titles (PostgreSQL)
    # Against the other fused top answers of the same question (fit_gaps): a repeat's answer stands out.
    "meaning_gap",  # its cosine less the best other's
    "evidence_gap",  # its evidence less the best other's
    "coverage_gap",  # its coverage less the best other's
    "top_both",  # 1 when it is first in both the meaning list and the BM25F list
)
EVIDENCE_CAP = 12.0  # units: beyond a dozen rare words in common, more says nothing more
LEAD_RANK = 5

# Written by `manage.py answers_fit --write` (do not edit by hand): fitted on the three evaluation sets.
# fmt: off
COLD_WEIGHTS: dict[str, float] = {
    "intercept": -6.924, "meaning": 0.8008, "meaning_lead": 1.5784, "evidence": 0.841, "coverage": 0.78,
    "words_share": 0.4604, "rr_plain": 0.2054, "rr_words": -0.5725, "rr_meaning": 1.9629, "lists": 0.23,
    "title_alike": -0.1536, "meaning_gap": 1.56, "evidence_gap": -0.4722, "coverage_gap": 0.6288, "top_both": 0.9528,
}
WORDS_WEIGHTS: dict[str, float] = {
    "intercept": -6.5689, "evidence": 0.8909, "coverage": 1.2143, "words_share": 0.5933, "rr_plain": 0.5748,
    "rr_words": 0.3982, "lists": 0.4771, "title_alike": -0.384, "evidence_gap": -0.3845, "coverage_gap": 1.0525,
}
FIT_THRESHOLD = 0.31
WORDS_THRESHOLD = 0.32
# fmt: on
FIT_NEXT = 0.02  # once the likeliest is shown, the others of the fused top as likely as this (a second opinion)
LIKELY = 0.8  # the panel's "likely fits" from here, "may fit" below


@dataclass
class FitContext:
    """One question's lists, what its features are read against."""

    plain: list[int]
    words: list[int]
    meaning: list[int]
    cosines: dict[int, float]
    unit: float  # the weight of a stem a single answer holds
    weighs: float  # what the question's own distinctive stems weigh
    best_words: float  # the best candidate's BM25F score


def fit_features(pk: int, evidence: float, alike: float, words_score: float, ctx: FitContext) -> dict[str, float]:
    cosine = ctx.cosines.get(pk, 0.0)
    lead = 0.0
    if ctx.meaning:
        pivot = ctx.cosines[ctx.meaning[min(LEAD_RANK, len(ctx.meaning)) - 1]]
        lead = cosine - pivot if pk in ctx.cosines else 0.0
    ranks = [_rr(pk, ranked) for ranked in (ctx.plain, ctx.words, ctx.meaning)]
    units = evidence / ctx.unit if ctx.unit else 0.0
    return {
        "meaning": round(cosine, 4),
        "meaning_lead": round(lead, 4),
        "evidence": round(min(units, EVIDENCE_CAP), 4),
        "coverage": round(min(1.0, evidence / ctx.weighs) if ctx.weighs else 0.0, 4),
        "words_share": round(words_score / ctx.best_words, 4) if ctx.best_words > 0 else 0.0,
        "rr_plain": ranks[0],
        "rr_words": ranks[1],
        "rr_meaning": ranks[2],
        "lists": float(sum(1 for r in ranks if r)),
        "title_alike": round(alike, 4),
    }


def fit_gaps(features: list[dict[str, float]]) -> None:
    """Add, to each of a question's fused top answers' features, how far it stands above the best of the others."""
    for n, own in enumerate(features):
        others = features[:n] + features[n + 1 :]
        for name in ("meaning", "evidence", "coverage"):
            own[f"{name}_gap"] = round(own[name] - max((o[name] for o in others), default=0.0), 4)
        own["top_both"] = 1.0 if own["rr_meaning"] == 1 and own["rr_words"] == 1 else 0.0


def _rr(pk: int, ranked: list[int]) -> float:
    return round(1.0 / (ranked.index(pk) + 1), 4) if pk in ranked else 0.0


def fit_probability(features: Mapping[str, float], weights: Mapping[str, float] | None = None) -> float:
    """P(the answer fits the question), 0..1; a feature the weights do not name counts nothing."""
    weights = COLD_WEIGHTS if weights is None else weights
    z = weights.get("intercept", 0.0) + sum(weights.get(name, 0.0) * value for name, value in features.items())
    if z < -40:  # exp overflows far out; the answer is 0 to every digit shown
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def fit_label(fit: float) -> str:
    return "likely fits" if fit >= LIKELY else "may fit"
