"""The learned judgement: a multinomial logistic regression over a mention's features (features.py) that gives
each of needs_response, worth_knowing and noise a probability.

Predicting is numpy alone (a matrix product and a softmax), so judging needs nothing more than the worker already
has. Fitting uses scikit-learn's LogisticRegression (fitting.py): the field's well-kept solver (L-BFGS, L2), not one
of our own, imported only where a model is trained: in a child process when the worker learns a desk's version
(`mentions.judgement_learn`), in the process itself for the evaluation and `manage.py judgement_train_shipped`.

Two settings of a model are decisions, not weights (chosen by leave-one-product-out on the four labelled sets,
docs/judgement.md): `respond_bias` leans towards needs_response (a question left unanswered costs more than one
read for nothing), and `noise_floor` is the probability below which a mention is never called noise (the costly
mistake: a real question hidden from the queue)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mentions.judgement.fitting import logistic, logistic_apart
from mentions.models.judgement import Judgement

CLASSES = (Judgement.NEEDS_RESPONSE.value, Judgement.WORTH_KNOWING.value, Judgement.NOISE.value)
REGULARISATION = 1.0  # scikit-learn's C
RESPOND_BIAS = 0.3
NOISE_FLOOR_COLD = 0.8  # the shipped model: it never saw this desk's everyday words
NOISE_FLOOR_LEARNED = 0.7  # a model that learned from this desk's own noise


@dataclass(frozen=True)
class LearnedModel:
    coef: np.ndarray  # (3, n_features), rows in CLASSES' order
    intercept: np.ndarray  # (3,)
    noise_floor: float
    respond_bias: float = RESPOND_BIAS
    version: int = 0  # the JudgementModel row (0: the shipped model)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """(n, 3) in CLASSES' order, the respond bias applied."""
        logits = features.astype(np.float64) @ self.coef.T + self.intercept
        logits[:, 0] += self.respond_bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def judge(self, features: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Each mention's judgement, how sure the model is of it, and all probabilities. Noise below the floor
        becomes worth knowing (the likeliest class is not "needs a response" either way). The confidence is of
        the decision the queue acts on: the probability that it needs a response when judged so, that it does not
        otherwise (a mention surely not for the team, noise or worth knowing, is not "unsure" for being between
        the two)."""
        probs = self.probabilities(features)
        best = probs.argmax(axis=1)
        weak_noise = (best == 2) & (probs[:, 2] < self.noise_floor)
        best[weak_noise] = 1
        confidence = np.where(best == 0, probs[:, 0], 1.0 - probs[:, 0])
        return [CLASSES[i] for i in best], confidence, probs

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
            settings=np.array([self.noise_floor, self.respond_bias], dtype=np.float32),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes | memoryview, *, version: int = 0) -> LearnedModel:
        with np.load(io.BytesIO(bytes(data))) as arrays:
            floor, bias = (float(v) for v in arrays["settings"])
            return cls(
                coef=arrays["coef"].astype(np.float64),
                intercept=arrays["intercept"].astype(np.float64),
                noise_floor=floor,
                respond_bias=bias,
                version=version,
            )


def fit(
    features: np.ndarray,
    labels: list[str],
    weights: np.ndarray,
    *,
    noise_floor: float,
    regularisation: float = REGULARISATION,
    apart: bool = False,
) -> LearnedModel:
    """Train on labelled rows (every class present: the shipped rows see to it); `apart`: in a child process, so
    this one never imports scikit-learn (the worker's learning)."""
    classes, coef, intercept = (logistic_apart if apart else logistic)(features, labels, weights, regularisation)
    order = [classes.index(c) for c in CLASSES]
    return LearnedModel(coef=coef[order], intercept=intercept[order], noise_floor=noise_floor)


def model_file_write(
    path: Path, *, rows: np.ndarray, labels: list[str], sources: list[str], model: LearnedModel, meta: list[str]
) -> int:
    """A shipped model's file (shipped.npz, cascade.npz): its training rows (float16), labels and their sets, the
    model and what it was built with. Returns the bytes written."""
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        rows=rows.astype(np.float16),
        labels=np.array(labels),
        sources=np.array(sources),
        model=np.frombuffer(model.to_bytes(), dtype=np.uint8),
        meta=np.array(meta),
    )
    path.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())
