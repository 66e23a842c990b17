"""What the product's own knowledge says it is, from the apps above mentions (issue 68, item 3): the fingerprint
(fingerprint.py) reads these texts' words as the product's vocabulary. answers registers the titles of the docs
pages its knowledge sources index (answers.knowledge.words.doc_titles); docs/architecture.md lists every hook."""

from __future__ import annotations

from typing import Protocol

from advocacy.hooks import Hooks


class ProductTextsHook(Protocol):
    """Short texts that are the product's own (a docs page's title), at most `limit`; one query. `product_id`: one of
    several products' (issue 71), its own and the desk-wide ones; None: every text."""

    def __call__(self, *, limit: int, product_id: int | None = None) -> list[str]: ...


product_texts_hooks: Hooks[ProductTextsHook] = Hooks(ProductTextsHook)
TEXTS_READ = 2000


def product_texts(limit: int = TEXTS_READ, *, product_id: int | None = None) -> list[str]:
    return [text for hook in product_texts_hooks for text in hook(limit=limit, product_id=product_id)]
