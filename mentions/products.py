"""The desk's products as the desk reads them (issue 71, docs/products.md): which there are, the default one, and
which product a new ticket is about.

`products_read` is one query (the ingest reads it once a page that opens tickets); `desk_products` is the same from
this process's memory under the products' version (advocacy.versioned), for the pages: the ticket page asks it
whether to show the product control at all, and with one product it shows nothing new.

A ticket's product at intake (`DeskProducts.for_mention`): its channel's (empty: the desk's first product), unless its
first mention names another product of the desk by its name or one of its other names (whole words, any case). A
mention naming several is given the one it names most; between equals, the one it names first. A longer name wins
over a shorter one it contains ("GitLab Runner" over "GitLab").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from django.db.models import Q, QuerySet

from advocacy.versioned import version_bump, versioned
from mentions.models import ProductProfile

PRODUCTS_VERSION_KEY = "products:version"


@dataclass(frozen=True)
class DeskProduct:
    pk: int
    name: str
    slug: str
    colour: str
    names: tuple[str, ...]  # lowercased: the name, the name without its spaces, the other names


def names_of(name: str, other_names: str) -> tuple[str, ...]:
    """The names that mean the product: as the judgement reads them (mentions.judgement.product.product_make)."""
    low = name.strip().lower()
    names = [low, low.replace(" ", ""), *(line.strip().lower() for line in other_names.splitlines())]
    return tuple(dict.fromkeys(n for n in names if n))


class DeskProducts:
    """The desk's products, first (the default) first."""

    def __init__(self, products: tuple[DeskProduct, ...]) -> None:
        self.products = products

    @property
    def many(self) -> bool:
        """More than one: only then does the desk show a product or ask for one."""
        return len(self.products) > 1

    @property
    def default_id(self) -> int | None:
        return self.products[0].pk if self.products else None

    def get(self, pk: int | None) -> DeskProduct | None:
        """The product of that id; None (the default's id when there is one, else nothing) for an empty one."""
        wanted = self.default_id if pk is None else pk
        return next((p for p in self.products if p.pk == wanted), None)

    @cached_property
    def _pattern(self) -> tuple[re.Pattern[str], dict[str, int]] | None:
        owner: dict[str, int] = {}
        for product in self.products:
            for name in product.names:
                owner.setdefault(name, product.pk)  # a name two products share is the first one's
        if not owner:
            return None
        # Longest first: at a place where two names start, the regex takes the first alternative that matches.
        alternatives = "|".join(re.escape(n) for n in sorted(owner, key=lambda n: (-len(n), n)))
        # Not after "@": a handle (@gitlab) addresses the account, which every post to it does whatever it is about.
        return re.compile(rf"(?<![\w.@])(?:{alternatives})(?!\w)"), owner

    def named(self, text: str) -> int | None:
        """The product the text names most (between equals, the first named); None when it names none."""
        if self._pattern is None:
            return None
        pattern, owner = self._pattern
        counts: Counter[int] = Counter()
        first: dict[int, int] = {}
        for match in pattern.finditer(text.lower()):
            pk = owner[match.group(0)]
            counts[pk] += 1
            first.setdefault(pk, match.start())
        if not counts:
            return None
        return min(counts, key=lambda pk: (-counts[pk], first[pk]))

    def by_slug(self, slug: str) -> DeskProduct | None:
        """The product a `?product=` names (its slug, or its id as text); None when the desk has none such."""
        return next((p for p in self.products if slug in (p.slug, str(p.pk))), None)

    def tickets_q(self, product_id: int, *, field: str = "product") -> Q:
        """The tickets of a product, as a filter on `field` (the ticket's product, or a path to it such as
        "ticket__product"): the desk's first product holds the tickets whose product is empty too (tickets from
        before products, and those whose product was deleted). Every narrowing to a product goes through here."""
        q = Q(**{f"{field}_id": product_id})
        if product_id == self.default_id:
            q |= Q(**{f"{field}__isnull": True})
        return q

    def for_mention(self, channel_product_id: int | None, text: str) -> int | None:
        """A new ticket's product: the one its first mention names, else its channel's, else the desk's first."""
        if self.many:
            named = self.named(text)
            if named is not None:
                return named
        channel_product = self.get(channel_product_id)
        return channel_product.pk if channel_product is not None else self.default_id


def products_read() -> DeskProducts:
    """The desk's products from the database: one query."""
    rows = ProductProfile.objects.order_by("pk").values_list("pk", "name", "slug", "colour", "other_names")
    return DeskProducts(
        tuple(
            DeskProduct(pk=pk, name=name, slug=slug, colour=colour, names=names_of(name, other))
            for pk, name, slug, colour, other in rows
        )
    )


def desk_products() -> DeskProducts:
    """The desk's products from this process's memory under their version (a product saved or deleted retires it)."""
    products = versioned(PRODUCTS_VERSION_KEY, "all", lambda: products_read().products, ttl=3600)
    return DeskProducts(products)


Rows = TypeVar("Rows", bound=QuerySet)


def of_product(rows: Rows, product_id: int | None, *, field: str = "product") -> Rows:
    """`rows` (tickets, or rows reaching a ticket through `field`, e.g. "ticket__product") of one product, as
    `DeskProducts.tickets_q` says it; all of them for None (every product): each narrowed list's one filter."""
    return rows if product_id is None else rows.filter(desk_products().tickets_q(product_id, field=field))


def products_changed(**kwargs: Any) -> None:
    version_bump(PRODUCTS_VERSION_KEY)
