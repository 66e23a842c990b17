"""The labelled examples the nearest-neighbour judgement compares a mention with: the shipped seeds
(`seeds.SEEDS`, embedded once per process and product name) and the advocates' corrections (tickets with
`judged_by == "advocate"`: their stored vectors, read in one query and kept per process until a correction
bumps the version, `corrections.judgement_corrected`). Worker only: embedding loads the model."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from django.db.models import Q

from advocacy import embeddings
from advocacy.versioned import versioned
from mentions.judgement.corrections import CORRECTIONS_VERSION
from mentions.judgement.seeds import EVERYDAY, SEEDS
from mentions.models import JudgedBy, TicketMeaning

CORRECTIONS_KEPT = 5000  # the most recent; older ones are outweighed by them anyway
ADVOCATE_WEIGHT = 2.0  # a correction counts twice a shipped example: it is this team's own judgement


@dataclass(frozen=True)
class Examples:
    vectors: np.ndarray  # (n, d), L2-normalised
    judgements: tuple[str, ...]
    intents: tuple[str, ...]
    weights: np.ndarray  # (n,): 1 for a seed, ADVOCATE_WEIGHT for a correction
    advocate: np.ndarray  # (n,) bool


@dataclass(frozen=True)
class Shipped:
    """The seeds and the product's reference points, for one product name and one model."""

    vectors: np.ndarray
    judgements: tuple[str, ...]
    intents: tuple[str, ...]
    product: np.ndarray  # the product's description
    everyday: np.ndarray  # (m, d): other senses of ordinary words


_lock = threading.Lock()
_shipped: dict[tuple[str, str, str], Shipped] = {}
# The products whose reference points a process keeps: a desk's products (issue 71), each embedded once, not again at
# each batch that judges another product's tickets in between. The oldest goes first beyond it.
SHIPPED_KEPT = 12


def shipped(product_name: str, description: str) -> Shipped:
    model = embeddings.embedder().model
    key = (model, product_name, description)
    with _lock:
        if key in _shipped:
            return _shipped[key]
    texts = [text.replace("{product}", product_name) for _, _, text in SEEDS]
    matrix = embeddings.embed([*texts, description, *EVERYDAY])
    made = Shipped(
        vectors=matrix[: len(texts)],
        judgements=tuple(j for j, _, _ in SEEDS),
        intents=tuple(i for _, i, _ in SEEDS),
        product=matrix[len(texts)],
        everyday=matrix[len(texts) + 1 :],
    )
    with _lock:
        _shipped[key] = made
        while len(_shipped) > SHIPPED_KEPT:
            _shipped.pop(next(iter(_shipped)))
    return made


def _corrections(where: Q) -> tuple[np.ndarray, tuple[str, ...], tuple[str, ...]]:
    model = embeddings.embedder().model
    rows = list(
        TicketMeaning.objects.filter(where, ticket__judged_by=JudgedBy.ADVOCATE, model=model)
        .exclude(ticket__judgement="")
        .order_by("-ticket__judged_at")
        .values_list("vector", "ticket__judgement", "ticket__intent")[:CORRECTIONS_KEPT]
    )
    if not rows:
        return np.zeros((0, 0), dtype=np.float32), (), ()
    vectors = np.vstack([embeddings.from_bytes(vector) for vector, _, _ in rows])
    return vectors, tuple(j for _, j, _ in rows), tuple(i or "other" for _, _, i in rows)


def examples_load(
    product_name: str, description: str, *, key: int | None = None, where: Q | None = None
) -> tuple[Examples, Shipped]:
    """The seeds with the advocates' corrections, and the product's reference points. `key`, `where`: one product's
    corrections only (JudgedProducts.scope on "ticket__product"): a correction teaches its own product's judgement."""
    seeds = shipped(product_name, description)
    model = embeddings.embedder().model
    vectors, judgements, intents = versioned(
        CORRECTIONS_VERSION, f"corrections:{model}:{key}", lambda: _corrections(where or Q()), ttl=3600
    )
    n_seed, n_adv = len(seeds.judgements), len(judgements)
    matrix = seeds.vectors if not n_adv else np.vstack([seeds.vectors, vectors])
    return (
        Examples(
            vectors=matrix,
            judgements=seeds.judgements + judgements,
            intents=seeds.intents + intents,
            weights=np.concatenate([np.ones(n_seed), np.full(n_adv, ADVOCATE_WEIGHT)]).astype(np.float32),
            advocate=np.concatenate([np.zeros(n_seed, dtype=bool), np.ones(n_adv, dtype=bool)]),
        ),
        seeds,
    )
