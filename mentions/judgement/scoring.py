"""Precision, recall and accuracy of judgements against labels: how versions, sets and the gate are scored."""

from __future__ import annotations

from dataclasses import dataclass

from mentions.models.judgement import Judgement


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
