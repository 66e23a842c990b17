"""The judgement a desk starts with (the cold start): a learned model trained on the labelled sets the desk ships
(mentions/judgement/eval/), four products written by four hands, and those sets' feature rows, which every desk's
own model learns from beside its labelled tickets (learning.py) so that a few corrections bend it without
erasing what it knew.

The files are built by `manage.py judgement_train_shipped` and committed (`shipped.npz`, the learned intent and
sentiment in `intent.npz`, the cascade's second opinion in `cascade.npz`): the desk never
trains at start-up and downloads nothing. A held-out set is never among TRAINING_SETS: the figures
`judgement_evaluate` reports on one are on mentions neither the model nor its author saw."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np

from advocacy import embeddings
from mentions.judgement.cascade import cascade_build
from mentions.judgement.examples import shipped as shipped_examples
from mentions.judgement.features import FEATURES_VERSION, MentionText, feature_matrix
from mentions.judgement.intent_model import intent_build
from mentions.judgement.language import language_of
from mentions.judgement.learned import NOISE_FLOOR_COLD, LearnedModel, fit, model_file_write
from mentions.judgement.product import Product, product_make
from mentions.meaning import first_text
from mentions.models.judgement import DEFAULT_DESCRIPTION, DEFAULT_PRODUCT

EVAL_DIR = Path(__file__).resolve().parent / "eval"
SHIPPED_FILE = Path(__file__).resolve().parent / "shipped.npz"
# GitLab (the development set), Render, Bun, Ghost: every set that has been read or tuned on. The blind sets
# written for issue 56 (Caddy, Homebrew) are not here: they are what the figures are measured on.
TRAINING_SETS = ("dev.json", "heldout.json", "heldout_bun.json", "heldout_ghost.json")


def set_product(data: dict) -> Product:
    name = str(data.get("product") or DEFAULT_PRODUCT)
    description = str(data.get("description") or (DEFAULT_DESCRIPTION if name == DEFAULT_PRODUCT else ""))
    return product_make(name, description=description, keywords=[str(k) for k in data.get("keywords") or []])


def set_mentions(data: dict) -> list[MentionText]:
    return [
        MentionText(
            title=str(m.get("title") or ""),
            text=str(m.get("text") or ""),
            author=str(m.get("author") or ""),
            platform=str(m.get("platform") or ""),
        )
        for m in data["mentions"]
    ]


def set_features(data: dict) -> np.ndarray:
    """A labelled set's feature rows, made as at intake: the same text embedded, the same product reference."""
    product = set_product(data)
    mentions = set_mentions(data)
    vectors = embeddings.embed([first_text(m.title, m.text) for m in mentions])
    matrix, _ = feature_matrix(mentions, vectors, product, shipped_examples(product.name, product.description))
    return matrix


def shipped_build(sets: tuple[str, ...] = TRAINING_SETS) -> dict[str, int]:
    """Build shipped.npz from the training sets: their rows, their labels, the cold-start model."""
    matrices, labels, names, sources, raw = [], [], [], [], []
    second: dict[str, tuple[list[MentionText], np.ndarray, Product, list[str]]] = {}
    for name in sets:
        data = json.loads((EVAL_DIR / name).read_text(encoding="utf-8"))
        matrices.append(set_features(data))
        labels += [str(m["label"]["judgement"]) for m in data["mentions"]]
        raw += data["mentions"]
        second[name] = (set_mentions(data), matrices[-1], set_product(data), labels[-len(data["mentions"]) :])
        sources += [name] * len(data["mentions"])
        names.append(f"{name}:{len(data['mentions'])}")
    rows = np.vstack(matrices)
    model = fit(rows, labels, np.ones(len(labels)), noise_floor=NOISE_FLOOR_COLD)
    meta = [str(FEATURES_VERSION), embeddings.model_name(), *names]
    written = model_file_write(SHIPPED_FILE, rows=rows, labels=labels, sources=sources, model=model, meta=meta)
    with _lock:
        _loaded.clear()
    # The learned intent and sentiment (intent.npz), from the same rows in the same order.
    mentions = [m for name in sets for m in second[name][0]]
    read = intent_build(rows, mentions, [m["label"] for m in raw], sources, [language_of(m.whole) for m in mentions])
    # The cascade's second opinion (cascade.npz), from the same sets and rows.
    cascade = cascade_build(second)
    return {"rows": len(labels), "bytes": written, "intent_bytes": read["bytes"], "cascade_bytes": cascade["bytes"]}


_lock = threading.Lock()
_loaded: dict[str, object] = {}


def _load() -> dict[str, object]:
    with _lock:
        if not _loaded:
            with np.load(SHIPPED_FILE) as arrays:
                meta = [str(v) for v in arrays["meta"]]
                _loaded.update(
                    rows=arrays["rows"].astype(np.float32),
                    labels=[str(v) for v in arrays["labels"]],
                    sources=[str(v) for v in arrays["sources"]],
                    model=LearnedModel.from_bytes(arrays["model"].tobytes()),
                    features_version=int(meta[0]),
                    embedding_model=meta[1],
                )
        return _loaded


def shipped_model() -> LearnedModel | None:
    """The cold-start model, or None when the shipped file was made for other features or another embedding
    model (a desk on its own embeddings endpoint): the hand-written judgement then stands alone."""
    loaded = _load()
    if loaded["features_version"] != FEATURES_VERSION or loaded["embedding_model"] != embeddings.model_name():
        return None
    model = loaded["model"]
    assert isinstance(model, LearnedModel)
    return model


def shipped_sources() -> tuple[np.ndarray, list[str]]:
    """The shipped sets' feature rows and the set each came from (the learned intent's refit reads them)."""
    loaded = _load()
    rows, sources = loaded["rows"], loaded["sources"]
    assert isinstance(rows, np.ndarray) and isinstance(sources, list)
    return rows, sources


def shipped_without(without: str) -> LearnedModel:
    """The cold-start model refitted without one training set (its file name), for measuring on that set."""
    rows, labels = shipped_rows(without=without)
    return fit(rows, labels, np.ones(len(labels)), noise_floor=NOISE_FLOOR_COLD)


def shipped_rows(*, without: str = "") -> tuple[np.ndarray, list[str]]:
    """The shipped sets' feature rows and labels; `without` one set (its file name), for measuring on it."""
    loaded = _load()
    rows, labels, sources = loaded["rows"], loaded["labels"], loaded["sources"]
    assert isinstance(rows, np.ndarray) and isinstance(labels, list) and isinstance(sources, list)
    if not without:
        return rows, labels
    keep = np.array([source != without for source in sources])
    return rows[keep], [label for label, kept in zip(labels, keep, strict=True) if kept]
