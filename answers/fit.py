"""Whether an earlier answer fits a question: a probability from a logistic model over a few features.

Most mentions fit no earlier answer (praise, events, small talk), yet a ranking always has a best. Hand-set floors
on one signal each (the words' evidence, the meaning's cosine) kept quiet on the set they were tuned on and lost
repeats elsewhere. Here each of the fused top answers (answers.hybrid) gets features from all three lists, and
P(fit) = 1 / (1 + exp(-(intercept + Σ weight · feature))); an answer is shown at P(fit) ≥ FIT_THRESHOLD.

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
)
EVIDENCE_CAP = 12.0  # units: beyond a dozen rare words in common, more says nothing more
LEAD_RANK = 5

# Written by `manage.py answers_fit --write` (do not edit by hand): fitted on the three evaluation sets.
# fmt: off
COLD_WEIGHTS: dict[str, float] = {
    "intercept": -4.0, "meaning": 4.0, "meaning_lead": 6.0, "evidence": 0.3, "coverage": 1.0,
    "words_share": 0.5, "rr_plain": 0.5, "rr_words": 0.5, "rr_meaning": 1.0, "lists": 0.3, "title_alike": 0.5,
}
WORDS_WEIGHTS: dict[str, float] = {
    "intercept": -3.0, "meaning": 0.0, "meaning_lead": 0.0, "evidence": 0.5, "coverage": 1.0,
    "words_share": 0.5, "rr_plain": 0.5, "rr_words": 0.5, "rr_meaning": 0.0, "lists": 0.3, "title_alike": 0.5,
}
FIT_THRESHOLD = 0.5
WORDS_THRESHOLD = 0.5
# fmt: on
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
