"""The learning curve (issue 56): how the judgement does on a product after an advocate corrected k of its
mentions, the most unsure first, as a team would in its first days.

For each k: the k mentions are chosen 25 at a time, each round the ones the model of the moment is least sure
of; a version is trained on the shipped sets (without the measured set, when it is one of them) and those k
corrections weighed as corrections are; the rest are judged as at intake (combine.py: the hand-written
reading, the cues, the evidence of the corrected ones) and scored against their labels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.conf import settings

from mentions.judgement.cascade import cascaded, second_model
from mentions.judgement.classify import Verdict
from mentions.judgement.combine import combined
from mentions.judgement.cues import Cues
from mentions.judgement.evidence import Earlier, like_earlier
from mentions.judgement.features import MentionText
from mentions.judgement.labels import WEIGHT_CORRECTED
from mentions.judgement.learned import LearnedModel
from mentions.judgement.learning import Scores, model_fit, scores
from mentions.judgement.product import Product
from mentions.judgement.shipped_model import shipped_without

ROUND = 25


@dataclass(frozen=True)
class Step:
    k: int
    judged: int
    unsure: int
    figures: Scores


def _judge(
    model: LearnedModel,
    second: LearnedModel | None,
    reading: tuple[list[MentionText], Product],
    rest: list[int],
    hand: list[Verdict],
    features: np.ndarray,
    cues: list[Cues],
    vectors: np.ndarray,
    seen: Earlier,
) -> list[Verdict]:
    learned, confidence, _ = model.judge(features[rest])
    mentions, product = reading
    if second is not None:
        settled = np.array([cues[i].bot or cues[i].job_post or cues[i].spam for i in rest], dtype=bool)
        learned, confidence, _ = cascaded(
            [mentions[i] for i in rest], features[rest], product, learned, confidence, second=second, settled=settled
        )
    return [
        combined(
            hand[i],
            learned[n],
            float(confidence[n]),
            cue_noise=cues[i].bot or cues[i].job_post or cues[i].spam,
            earlier=like_earlier(seen, vectors[i], learned[n]),
        )
        for n, i in enumerate(rest)
    ]


def learning_curve(
    ks: list[int],
    truth: list[str],
    hand: list[Verdict],
    features: np.ndarray,
    cues: list[Cues],
    vectors: np.ndarray,
    reading: tuple[list[MentionText], Product],
    *,
    without: str = "",
) -> list[Step]:
    """`reading`: the mentions (in the rows' order) and their product, which the second opinion reads at k = 0."""
    steps = []
    everyone = list(range(len(truth)))
    for k in ks:
        if k >= len(truth):
            continue
        model = shipped_without(without)
        chosen: list[int] = []
        while len(chosen) < k:
            left = [i for i in everyone if i not in set(chosen)]
            _, confidence, _ = model.judge(features[left])
            chosen += [left[n] for n in np.argsort(confidence)[: min(ROUND, k - len(chosen))]]
            model = model_fit(
                features[chosen], [truth[i] for i in chosen], np.full(len(chosen), WEIGHT_CORRECTED), without=without
            )
        taken = set(chosen)
        rest = [i for i in everyone if i not in taken]
        seen = Earlier(
            ids=np.array(chosen, dtype=np.int64) + 1,
            vectors=vectors[chosen] if chosen else np.zeros((0, vectors.shape[1]), dtype=np.float32),
            judgements=tuple(truth[i] for i in chosen),
            how=("corrected",) * len(chosen),
        )
        # At k = 0 the model is the cold start, and the cascade's second opinion decides what it is unsure of, as at
        # intake; after corrections a desk's learned version decides alone (run.batch_judge).
        second = second_model(without=without) if not chosen else None
        judged = _judge(model, second, reading, rest, hand, features, cues, vectors, seen)
        below = settings.DESK_JUDGEMENT_UNSURE_BELOW
        steps.append(
            Step(
                k=k,
                judged=len(rest),
                unsure=sum(v.confidence is not None and v.confidence < below for v in judged),
                figures=scores([truth[i] for i in rest], [v.judgement for v in judged]),
            )
        )
    return steps


def curve_lines(steps: list[Step]) -> list[str]:
    head = f"  {'k':>4} {'judged':>6} {'unsure':>6}  {'needs_response P / R':>22}  {'noise P / R':>13}  accuracy"

    def f(value: float | None) -> str:
        return "  -  " if value is None else f"{value:.3f}"

    return [
        "  learning curve (k corrected, the most unsure first; the rest judged):",
        head,
        *(
            f"  {s.k:>4} {s.judged:>6} {s.unsure:>6}  {f(s.figures.needs_response_precision):>10} / "
            f"{f(s.figures.needs_response_recall)}  {f(s.figures.noise_precision)} / {f(s.figures.noise_recall)}  "
            f"{f(s.figures.accuracy)}"
            for s in steps
        ),
    ]
