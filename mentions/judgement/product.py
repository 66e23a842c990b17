"""What the product is, as the judgement reads it: the admin's product profile and the channels' keywords."""

from __future__ import annotations

import re
from dataclasses import dataclass

from channels.followed import searched_words
from channels.models import Channel
from mentions.models import ProductProfile
from mentions.models.judgement import DEFAULT_DESCRIPTION, DEFAULT_PRODUCT

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


def _build() -> Product:
    profile = ProductProfile.objects.order_by("pk").first()
    keywords: list[str] = []
    for config in Channel.objects.values_list("config", flat=True):
        keywords += searched_words(config)
    if profile is None:
        return product_make(
            DEFAULT_PRODUCT, description=DEFAULT_DESCRIPTION, other_names="gitlab.com", keywords=keywords
        )
    return product_make(
        profile.name, description=profile.description, other_names=profile.other_names, keywords=keywords
    )


def product_load() -> Product:
    """The product as the admin described it and the channels search for it: two small queries, read by each
    judgement run (a batch of up to 200), so a change in admin counts from the next run on."""
    return _build()
