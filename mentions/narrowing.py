"""The queue and the lists narrowed to one product (issue 71, docs/products.md): which product a page's `?product=`
asks for, the switch the queue offers, the query string its links keep, the condition the ranked search adds and a
row's product mark. Outside mentions' page features (search, queue), which may not import each other: both read it.

Only a desk with more than one product narrows: with one, `?product=` is ignored and nothing new is shown (the one
product holds every ticket anyway). A product the desk does not have is ignored on the pages (they show every
product, and the switch says so); the API refuses it with a 400 naming the parameter (api.params).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import SafeString

from mentions.products import DeskProduct, DeskProducts, desk_products

PARAM = "product"


def product_asked(value: str | None, products: DeskProducts | None = None) -> DeskProduct | None:
    """The product `?product=` (a slug, or an id as text) narrows to; None: every product."""
    products = products or desk_products()
    if not value or not products.many:
        return None
    return products.by_slug(value.strip())


def product_clean(value: str) -> str:
    """A list's `?product=` checked (the ticket list's form, the API's parameters): the product's slug, or "" when
    none is asked; a product the desk does not have is refused, naming the desk's."""
    value = (value or "").strip()
    if not value:
        return ""
    products = desk_products()
    product = products.by_slug(value)
    if product is None:
        known = ", ".join(p.slug for p in products.products) or "none yet"
        raise ValidationError(f'"{value}" is not one of the desk\'s products: {known}.')
    return product.slug


def product_narrowing(slug: str | None) -> int | None:
    """The product id a checked `?product=` narrows a list to; None for every product, and always None with one
    product (it holds every ticket)."""
    product = product_asked(slug)
    return product.pk if product is not None else None


def product_sql(product_id: int | None, params: dict[str, object]) -> list[str]:
    """The narrowing as a condition on mentions_ticket `t` for the ranked search's SQL, as DeskProducts.tickets_q says
    it: the desk's first product holds the tickets without a product too."""
    if not product_id:
        return []
    params["product_id"] = product_id
    if product_id == desk_products().default_id:
        return ["(t.product_id = %(product_id)s OR t.product_id IS NULL)"]
    return ["t.product_id = %(product_id)s"]


def product_param(product: DeskProduct | None) -> str:
    """What the queue's own links add to keep the narrowing: "product=kiln", or "" for every product."""
    if product is None:
        return ""
    query = QueryDict(mutable=True)
    query[PARAM] = product.slug
    return query.urlencode()


@dataclass(frozen=True)
class SwitchChoice:
    name: str
    query: str  # the page's query string with this choice (and the page's other parameters)
    current: bool
    product: DeskProduct | None  # None: every product


def product_switch(params: QueryDict, current: DeskProduct | None) -> list[SwitchChoice]:
    """The queue's choices: every product, then each product; none at all with one product."""
    products = desk_products()
    if not products.many:
        return []

    def query(product: DeskProduct | None) -> str:
        kept = params.copy()
        kept.pop(PARAM, None)
        if product is not None:
            kept[PARAM] = product.slug
        return kept.urlencode()

    choices = [SwitchChoice(name="All products", query=query(None), current=current is None, product=None)]
    choices += [SwitchChoice(name=p.name, query=query(p), current=current == p, product=p) for p in products.products]
    return choices


def product_label(product_id: int | None) -> SafeString | str:
    """A ticket row's mark of its product (its name beside a dot of its colour), only when the desk has more than
    one product. The colour is an SVG attribute, not a style: the pages' CSP allows no inline style."""
    products = desk_products()
    if not products.many:
        return ""
    product = products.get(product_id)
    if product is None:
        return ""
    return format_html(
        '<span class="tag product-label" data-testid="product-label" data-product="{}" title="Product: {}">'
        '<svg class="product-dot" viewBox="0 0 8 8" width="8" height="8" aria-hidden="true">'
        '<circle cx="4" cy="4" r="4" fill="{}"/></svg>{}</span>',
        product.slug,
        product.name,
        product.colour,
        product.name,
    )
