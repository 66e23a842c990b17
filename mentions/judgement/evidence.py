"""The evidence a reason names (issue 56): the nearest earlier ticket of this desk that has a label, and what the
team did with it ("Like #812, which the team answered"). Read per worker from the labelled tickets' stored
vectors, again when the active model changes or after ten minutes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import Q

from advocacy import embeddings
from advocacy.versioned import versioned
from mentions.judgement.labels import desk_labels
from mentions.judgement.learning import MODEL_VERSION
from mentions.models import Judgement, TicketMeaning

KEPT = 5000
NEAR = 0.8  # cosine at which an earlier mention reads as "like" this one

DID = {
    "answered": "which the team answered",
    "corrected": "which an advocate judged {judgement}",
    "solved": "which was solved without a reply",
}


@dataclass(frozen=True)
class Earlier:
    ids: np.ndarray
    vectors: np.ndarray  # (n, d)
    judgements: tuple[str, ...]
    how: tuple[str, ...]


def _load(where: Q) -> Earlier:
    model = embeddings.model_name()
    labels = desk_labels(limit=KEPT, embedding_model=model, where=where)
    vectors = dict(
        TicketMeaning.objects.filter(ticket_id__in=[x.ticket_id for x in labels], model=model).values_list(
            "ticket_id", "vector"
        )
    )
    kept = [x for x in labels if x.ticket_id in vectors]
    if not kept:
        return Earlier(np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32), (), ())
    return Earlier(
        ids=np.array([x.ticket_id for x in kept]),
        vectors=np.vstack([embeddings.from_bytes(vectors[x.ticket_id]) for x in kept]),
        judgements=tuple(x.judgement for x in kept),
        how=tuple(x.how for x in kept),
    )


def earlier(key: int | None = None, where: Q | None = None) -> Earlier:
    """The labelled tickets of the product `key` (`where` selects them: JudgedProducts.scope), so a reason names an
    earlier ticket of the same product only."""
    return versioned(MODEL_VERSION, f"earlier-labelled:{key}", lambda: _load(where or Q()), ttl=600)


def like_earlier(found: Earlier, vector: np.ndarray, judgement: str, *, skip: int = 0) -> str:
    """ "Like #812, which the team answered" when the nearest labelled ticket (not `skip`) agrees with
    `judgement` and is near enough; "" otherwise."""
    if not len(found.ids):
        return ""
    sims = found.vectors @ vector
    if skip:
        sims = np.where(found.ids == skip, -1.0, sims)
    best = int(np.argmax(sims))
    if sims[best] < NEAR or found.judgements[best] != judgement:
        return ""
    did = DID[found.how[best]].format(judgement=Judgement(found.judgements[best]).label.lower())
    return f"Like #{int(found.ids[best])}, {did}"
