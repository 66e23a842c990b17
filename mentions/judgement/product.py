"""What each product is, as the judgement reads it: its row in admin (mentions.ProductProfile) and the keywords of the
channels that belong to it (issue 71: a channel without a product belongs to the desk's first product)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q

from channels.followed import searched_words
from channels.models import Channel
from mentions.models import ProductProfile
from mentions.models.judgement import DEFAULT_DESCRIPTION, DEFAULT_PRODUCT
from mentions.products import DeskProduct, DeskProducts, names_of

GENERIC_DESCRIPTION = (
    "{name}, a software product: its app and website, accounts and sign-in, settings, integrations and API, "
    "releases and updates, bugs, errors and outages, pricing, documentation and support."
)


@dataclass(frozen=True)
class Product:
    name: str
    description: str
    names: tuple[str, ...]  # lowercased: the name and names that can only mean the product
    keywords: tuple[str, ...]  # lowercased: what the channels search for, the name among them or not

    def named_in(self, text: str) -> bool:
        """The text names the product itself (not only an ordinary word it is searched by)."""
        low = text.lower()
        return any(re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", low) for name in self.names)

    def keyword_in(self, text: str) -> str:
        """The first of the product's ordinary-word keywords the text holds ("" if none)."""
        low = text.lower()
        for keyword in self.keywords:
            if keyword not in self.names and re.search(rf"(?<!\w){re.escape(keyword)}", low):
                return keyword
        return ""


def product_make(
    name: str, *, description: str = "", other_names: str = "", keywords: list[str] | None = None
) -> Product:
    """A product from its parts; the name's spelling without spaces counts as a name too ("Git Lab")."""
    names = [name.strip().lower(), name.strip().lower().replace(" ", "")]
    names += [line.strip().lower() for line in other_names.splitlines() if line.strip()]
    words = sorted({k.strip().lower() for k in keywords or [] if k.strip()})
    return Product(
        name=name.strip(),
        # Without a description, what a desk's product almost always is: software. Not the keywords: their other
        # senses (a farm's "silo") would look like the product.
        description=description.strip() or GENERIC_DESCRIPTION.format(name=name.strip()),
        names=tuple(dict.fromkeys(n for n in names if n)),
        keywords=tuple(words),
    )


@dataclass(frozen=True)
class JudgedProducts:
    """The desk's products as the judgement reads them, keyed by the product's id (None only on a fresh desk without a
    product row, where the defaults apply). A ticket or channel without a product, or with one since deleted, is the
    first product's."""

    desk: DeskProducts
    products: dict[int | None, Product]

    def key(self, product_id: int | None) -> int | None:
        found = self.desk.get(product_id)
        return found.pk if found is not None else self.desk.default_id

    def of(self, product_id: int | None) -> Product:
        return self.products[self.key(product_id)]

    def scope(self, key: int | None, *, field: str = "product") -> Q:
        """The rows of that product, as a filter on `field` (mentions.products.DeskProducts.tickets_q); no filter at all
        with one product, so a desk with one reads exactly what it read before products."""
        if not self.desk.many or key is None:
            return Q()
        return self.desk.tickets_q(key, field=field)

    def stored(self, key: int | None) -> int | None:
        """The product a learned version is stored under (JudgementModel.product): empty for the first product, as a
        channel's or a ticket's, so the versions learned before products stay the first's."""
        return None if key == self.desk.default_id else key


def products_load() -> JudgedProducts:
    """Every product with its description, names and its channels' keywords: two queries, whatever the products."""
    rows = list(
        ProductProfile.objects.order_by("pk").values_list("pk", "name", "slug", "colour", "description", "other_names")
    )
    desk = DeskProducts(
        tuple(
            DeskProduct(pk=pk, name=name, slug=slug, colour=colour, names=names_of(name, other))
            for pk, name, slug, colour, _, other in rows
        )
    )
    keywords: dict[int | None, list[str]] = {}
    for product_id, config in Channel.objects.values_list("product_id", "config"):
        owner = desk.get(product_id)
        keywords.setdefault(owner.pk if owner is not None else desk.default_id, []).extend(searched_words(config))
    if not rows:
        default = product_make(
            DEFAULT_PRODUCT, description=DEFAULT_DESCRIPTION, other_names="gitlab.com", keywords=keywords.get(None)
        )
        return JudgedProducts(desk=desk, products={None: default})
    return JudgedProducts(
        desk=desk,
        products={
            pk: product_make(name, description=description, other_names=other, keywords=keywords.get(pk))
            for pk, name, _, _, description, other in rows
        },
    )


def product_load(product_id: int | None = None) -> Product:
    """One product (empty: the desk's first) as admin described it and its channels search for it: read by each
    judgement run, so a change in admin counts from the next run on. A batch of several products reads them all at
    once (`products_load`)."""
    return products_load().of(product_id)
