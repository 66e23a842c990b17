"""The plain full-text query's first answer keeps a place among the three shown (issue 74).

On a set nobody had tuned for, the fused ranking found fewer repeats in its top three than the plain full-text OR
query alone (25 against 28 of 32). Whatever the fusion and P(fit) decide, the plain query's first answer (its
*anchor*) is therefore never pushed out of the first KEPT shown unless the likeliest shown answer's P(fit) exceeds
the anchor's by PLAIN_MARGIN: then something scores as a better fit by a margin the evaluation sets measured
(`manage.py answers_fit` prints it, `margin_measured` below). Otherwise the anchor takes the KEPT-th place (or the
last, when fewer are shown), whatever its own P(fit). The rule applies once something is shown: whether to show
anything stays P(fit)'s decision (answers.fit.label), so a mention nothing fits stays silent as before.

One function for every path that says what is shown: the ranking (answers.suggestions.ranking), the threshold's
choice (answers.fit.learn) and the simulation of learning (answers.fit.simulate).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R", bound=Mapping)

KEPT = 3  # the places the panel shows first, what recall at 3 counts
# Measured by `manage.py answers_fit` (margin_measured) on the seen sets and the weights in answers/fit/label.py,
# 2026-11-30: one plain-first target of 236 repeats was outscored, by 0.045, so 0.05 keeps every such repeat. Beyond it
# the likeliest was the target in 38 questions and neither was in 77 (nothing fits, or the target was elsewhere).
PLAIN_MARGIN = 0.05
MARGIN_STEP = 0.05
# Its "why" on the panel when the rule brought it among the three (answers.suggestions.ranking): it may be less likely
# than those above and below it, and the panel says so rather than show it unexplained.
PLAIN_WHY = "first in a plain word search"


def plain_kept(shown: Sequence[T], anchor: T | None, fit: Callable[[T], float]) -> list[T]:
    """`shown` (most likely first) with `anchor`, the plain query's first answer, among its first KEPT unless the
    first shown outscores it by PLAIN_MARGIN. `anchor` may be one not shown (under FIT_NEXT) or None (the plain query
    found nothing the desk still offers)."""
    shown = list(shown)
    if not shown or anchor is None or anchor in shown[:KEPT]:
        return shown
    if fit(shown[0]) - fit(anchor) >= PLAIN_MARGIN:
        return shown
    rest = [each for each in shown if each != anchor]
    return [*rest[: KEPT - 1], anchor, *rest[KEPT - 1 :]]


def plain_first(row: Mapping) -> bool:
    """Whether a collected row (answers.evaluation.fit_rows) is the plain query's first: its reciprocal rank is 1."""
    return row["features"].get("rr_plain") == 1.0


def plain_anchor(ranked: Sequence[tuple[float, R]]) -> tuple[float, R] | None:
    """Of collected rows as (P(fit), row) pairs: the plain query's first, if among them."""
    return next((pr for pr in ranked if plain_first(pr[1])), None)


def margin_measured(questions: Sequence[Sequence[Mapping]], fit: Callable[[Mapping], float]) -> dict[str, float]:
    """From each question's rows (answers.evaluation.fit_rows: features, "fits"), on the weights `fit` applies: the
    smallest margin, in MARGIN_STEP steps, by which no answer outscored a plain-first answer that was the target
    ("margin"), with how many such targets were outscored at all ("outscored") and, at that margin, how many
    questions an answer above the plain first was the target where the plain first was not ("right_above") or
    neither was ("neither_above")."""
    harmful: list[float] = []
    right = neither = 0
    gaps: list[tuple[float, bool]] = []  # (gap of the first over the anchor, the first is the target)
    for rows in questions:
        ranked = sorted((r for r in rows if r["features"]), key=lambda r: -fit(r))
        anchor = next((r for r in ranked if plain_first(r)), None)
        if anchor is None or ranked[0] is anchor:
            continue
        gap = fit(ranked[0]) - fit(anchor)
        if anchor["fits"]:
            harmful.append(gap)
        else:
            gaps.append((gap, bool(ranked[0]["fits"])))
    steps = int(max(harmful, default=0.0) / MARGIN_STEP) + 1
    margin = round(steps * MARGIN_STEP, 2)
    for gap, first_fits in gaps:
        if gap >= margin:
            right += first_fits
            neither += not first_fits
    return {"margin": margin, "outscored": len(harmful), "right_above": right, "neither_above": neither}
