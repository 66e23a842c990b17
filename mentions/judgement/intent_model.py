"""The learned intent and sentiment (issue 68): two multinomial logistic regressions over the judgement's row of a
mention (features.py: its shape, its nearness to the product, its all-MiniLM-L6-v2 vector) and the columns of its
intent and tone (intent_cues.py), trained on the four seen labelled sets, shipped in `intent.npz` beside
`shipped.npz` and built with it by `manage.py judgement_train_shipped`.

Predicting is numpy alone (a matrix product and a softmax per head) in the worker; scikit-learn fits them only in the
build command and in the evaluation (refitted without the set it measures: `intent_model(without=...)`). The file
keeps the heads, the reading columns of the training mentions and their labels; their judgement rows are
shipped.npz's, in the same order, so the file stays small. A desk whose embeddings are another model's has no
learned intent: the hand-written reading stands (classify.py)."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from advocacy import embeddings
from mentions.judgement.features import FEATURES_VERSION, MentionText
from mentions.judgement.fitting import logistic
from mentions.judgement.intent_cues import COLUMNS, reading_columns

INTENT_FILE = Path(__file__).resolve().parent / "intent.npz"
# The intent columns' layout (intent_cues.COLUMNS); a file made for another is not read.
READING_VERSION = 1
REGULARISATION = 1.0  # scikit-learn's C, for both heads (chosen leaving one product out: 0.3, 1, 3, 10)


@dataclass(frozen=True)
class Head:
    """One multinomial logistic regression: its classes, coefficients (a row per class) and intercepts."""

    classes: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        logits = rows.astype(np.float64) @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class IntentModel:
    intent: Head
    sentiment: Head


def reading_rows(
    mentions: list[MentionText], features: np.ndarray, languages: list[str], *, follow_up: bool
) -> np.ndarray:
    """The judgement's rows with the reading columns after them. `follow_up`: the intent's rows, which read the
    author's newest follow-up after the first mention's text (the sentiment's and the judgement's do not)."""
    columns = [
        reading_columns(
            m.title,
            f"{m.text}\n{m.follow_up}" if follow_up and m.follow_up else m.text,
            english=language == "en",
            headline=m.headline,
        )
        for m, language in zip(mentions, languages, strict=True)
    ]
    extra = np.asarray(columns, dtype=np.float32).reshape(len(mentions), len(COLUMNS))
    return np.hstack([np.asarray(features, dtype=np.float32), extra])


def _head(rows: np.ndarray, labels: list[str]) -> Head:
    classes, coef, intercept = logistic(rows, labels, np.ones(len(labels)), REGULARISATION)
    return Head(classes=tuple(classes), coef=np.asarray(coef), intercept=np.asarray(intercept))


def intent_fit(rows: np.ndarray, intents: list[str], sentiments: list[str]) -> IntentModel:
    return IntentModel(intent=_head(rows, intents), sentiment=_head(rows, sentiments))


@dataclass(frozen=True)
class IntentFile:
    """What intent.npz holds: the heads, the training mentions' reading columns, labels and sets, and what it was
    built with (FEATURES_VERSION, the embedding model, READING_VERSION)."""

    model: IntentModel
    columns: np.ndarray
    intents: list[str]
    sentiments: list[str]
    sources: list[str]
    meta: list[str]


def built_with() -> list[str]:
    return [str(FEATURES_VERSION), embeddings.model_name(), str(READING_VERSION)]


def intent_file_write(path: Path, made: IntentFile) -> int:
    """The file (coefficients float32, reading columns float16: 24 KB for the four sets); its bytes."""
    heads: dict[str, Any] = {
        f"{name}_{part}": value
        for name, head in (("intent", made.model.intent), ("sentiment", made.model.sentiment))
        for part, value in (
            ("classes", np.array(head.classes)),
            ("coef", head.coef.astype(np.float32)),
            ("intercept", head.intercept.astype(np.float32)),
        )
    }
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        columns=made.columns.astype(np.float16),
        intents=np.array(made.intents),
        sentiments=np.array(made.sentiments),
        sources=np.array(made.sources),
        meta=np.array(made.meta),
        **heads,
    )
    path.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def intent_file_read(path: Path) -> IntentFile:
    with np.load(path) as arrays:
        heads = {
            name: Head(
                classes=tuple(str(c) for c in arrays[f"{name}_classes"]),
                coef=arrays[f"{name}_coef"].astype(np.float64),
                intercept=arrays[f"{name}_intercept"].astype(np.float64),
            )
            for name in ("intent", "sentiment")
        }
        return IntentFile(
            model=IntentModel(**heads),
            columns=arrays["columns"].astype(np.float32),
            intents=[str(v) for v in arrays["intents"]],
            sentiments=[str(v) for v in arrays["sentiments"]],
            sources=[str(v) for v in arrays["sources"]],
            meta=[str(v) for v in arrays["meta"]],
        )


def intent_build(
    features: np.ndarray,
    mentions: list[MentionText],
    labels: list[dict[str, str]],
    sources: list[str],
    languages: list[str],
    *,
    path: Path = INTENT_FILE,
) -> dict[str, int]:
    """intent.npz from the training sets (their judgement rows as in shipped.npz, their mentions, labels, sets and
    read languages): the two heads and what refits them without one set."""
    rows = reading_rows(mentions, features, languages, follow_up=False)
    intents, sentiments = [x["intent"] for x in labels], [x["sentiment"] for x in labels]
    made = IntentFile(
        model=intent_fit(rows, intents, sentiments),
        columns=rows[:, features.shape[1] :],
        intents=intents,
        sentiments=sentiments,
        sources=sources,
        meta=built_with(),
    )
    written = intent_file_write(path, made)
    with _lock:
        _loaded.clear()
    return {"rows": len(labels), "bytes": written}


_lock = threading.Lock()
_loaded: dict[str, IntentFile] = {}


def _load() -> IntentFile:
    with _lock:
        if "file" not in _loaded:
            _loaded["file"] = intent_file_read(INTENT_FILE)
        return _loaded["file"]


def intent_model(*, without: str = "") -> IntentModel | None:
    """The shipped intent and sentiment, or None when the file was made for other features or another embedding
    model. `without` one training set (its file name): refitted without it, for measuring on that set."""
    if not INTENT_FILE.exists():
        return None
    loaded = _load()
    if loaded.meta != built_with():
        return None
    if not without:
        return loaded.model
    from mentions.judgement.shipped_model import shipped_sources

    rows, sources = shipped_sources()
    if sources != loaded.sources:
        raise RuntimeError("intent.npz and shipped.npz were built from other sets: run judgement_train_shipped")
    keep = np.array([source != without for source in sources])
    return intent_fit(
        np.hstack([rows[keep], loaded.columns[keep]]),
        [x for x, kept in zip(loaded.intents, keep, strict=True) if kept],
        [x for x, kept in zip(loaded.sentiments, keep, strict=True) if kept],
    )
