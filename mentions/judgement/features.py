"""What the learned judgement reads of a mention: the shape of its text, how near it is to the product, and its
meaning vector, in one row of numbers (FEATURES_VERSION names the layout; a model made for another is not read).

The shape columns are what the hand-written judgement already knew (cues.py, product.py); the vector is the one
stored for the ticket (mentions.meaning), so judging costs no second embedding."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from channels.adapters.registry import platform_or_default
from mentions.judgement.cues import Cues, cues_read
from mentions.judgement.examples import Shipped
from mentions.judgement.product import Product

FEATURES_VERSION = 1
SHAPE_COLUMNS = (
    "asks",
    "link_only",
    "job_post",
    "spam",
    "bot",
    "names_product",
    "has_keyword",
    "own_place",
    "near_product",
    "near_everyday",
    "near_examples",
    "product_minus_everyday",
    "long",
    "addresses_someone",
)


@dataclass(frozen=True)
class MentionText:
    title: str
    text: str
    author: str
    platform: str = ""
    # The newest later inbound message of the same author on the ticket (run.first_mentions), read for the intent
    # only: the judgement is of the first mention.
    follow_up: str = ""

    @property
    def whole(self) -> str:
        return f"{self.title}\n{self.text}".strip()

    @property
    def headline(self) -> bool:
        """Its title is a headline (platform `headline_titles`): a question there asks nobody anything."""
        return platform_or_default(self.platform).headline_titles


def mention_cues(mention: MentionText) -> Cues:
    return cues_read(title=mention.title, text=mention.text, author=mention.author, headline=mention.headline)


def shape_row(mention: MentionText, vector: np.ndarray, product: Product, shipped: Shipped) -> tuple[list[float], Cues]:
    whole = mention.whole
    cues = mention_cues(mention)
    near_product = float(shipped.product @ vector)
    near_everyday = float((shipped.everyday @ vector).max()) if len(shipped.everyday) else -1.0
    row = [
        cues.question,
        cues.link_only,
        cues.job_post,
        cues.spam,
        cues.bot,
        product.named_in(whole),
        bool(product.keyword_in(whole)),
        platform_or_default(mention.platform).own_place,
        near_product,
        near_everyday,
        float((shipped.vectors @ vector).max()),
        near_product - near_everyday,
        len(whole) > 400,
        "@" in whole,
    ]
    return [float(v) for v in row], cues


def feature_matrix(
    mentions: list[MentionText], vectors: np.ndarray, product: Product, shipped: Shipped
) -> tuple[np.ndarray, list[Cues]]:
    """One row per mention: the shape columns, then the meaning vector."""
    rows, cues = [], []
    for mention, vector in zip(mentions, vectors, strict=True):
        row, cue = shape_row(mention, vector, product, shipped)
        rows.append(row)
        cues.append(cue)
    shape = np.asarray(rows, dtype=np.float32).reshape(len(mentions), len(SHAPE_COLUMNS))
    return np.hstack([shape, np.asarray(vectors, dtype=np.float32)]), cues
