"""A KPI read narrowed to one product (issue 71, docs/products.md): the product every selector inside
`product_narrowed()` reads, as `rollups_read()` is the refresh they share and `reports_read()` the database.

Why a scope and not a keyword: the KPI and Community pages, the monthly and scheduled reports, the CSV exports and the
analytics API call some forty selectors, each taking the same `start`, `end`, `channel_id`; the product narrows them
all alike, and the selectors read it where they filter tickets (`tickets_narrowed`, the reference path) or read a
rollup (`rollup_narrowed`, PostgreSQL). Outside a scope, or narrowed to None, everything is the whole desk's.

A rollup keeps the ticket's product in `product_id`, 0 for a ticket without one (metrics.rollups): the desk's first
product holds those too (mentions.products.DeskProducts.tickets_q), so narrowing to the first product reads both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.db.models import Q, QuerySet

from mentions.products import desk_products, of_product

NO_PRODUCT = 0  # a rollup's product_id for a ticket whose product is empty (the first product's)
M = TypeVar("M", bound=QuerySet)

_narrowed: ContextVar[int | None] = ContextVar("kpi_product", default=None)


@contextmanager
def product_narrowed(product_id: int | None) -> Iterator[None]:
    """Every KPI read inside is of that product's tickets (None: the whole desk's)."""
    token = _narrowed.set(product_id)
    try:
        yield
    finally:
        _narrowed.reset(token)


def narrowed_product() -> int | None:
    """The product the current read is narrowed to, or None."""
    return _narrowed.get()


def tickets_narrowed(qs: M, *, field: str = "product") -> M:
    """`qs` (tickets, or rows reaching a ticket through `field`, e.g. "ticket__product") of the narrowed product."""
    return of_product(qs, _narrowed.get(), field=field)


def rollup_product_ids(product_id: int) -> list[int]:
    """The rollup `product_id` values of a product: its id, and NO_PRODUCT when it is the desk's first."""
    return [product_id, NO_PRODUCT] if product_id == desk_products().default_id else [product_id]


def rollup_narrowed(qs: M, *, field: str = "product_id") -> M:
    """Rollup rows (their `product_id`, or `field`) of the narrowed product."""
    product_id = _narrowed.get()
    if product_id is None:
        return qs
    return qs.filter(Q(**{f"{field}__in": rollup_product_ids(product_id)}))


def rollup_sql_ids() -> list[int] | None:
    """For raw rollup SQL: the `product_id` values to read, or None for every product."""
    product_id = _narrowed.get()
    return None if product_id is None else rollup_product_ids(product_id)
