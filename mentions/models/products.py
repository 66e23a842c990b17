"""The desk's products (issue 71): what each is, for the judgement and for the tickets that belong to it.

One table, `ProductProfile`, kept under the name it had when it held the judgement's one product: renaming the model
would rename its table, its admin URLs and its permissions (roles and groups hold those) for no change in what it
is. A desk has one product or several; the first (lowest id) is the desk's default product: the one the judgement
reads (mentions.judgement.product, unchanged), the one a channel without a product and a ticket without one belong to.
A fresh desk has no row and the defaults below apply, as before; a desk that had a row keeps it as its one product.

A channel belongs to a product (`channels.Channel.product`, empty: the default); a ticket has one (`Ticket.product`,
empty: the default), set at intake (mentions.products.DeskProducts.for_mention) and moved by an advocate
(mentions.services.products). What is not per product yet is listed in docs/products.md.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.text import slugify

DEFAULT_PRODUCT = "GitLab"
DEFAULT_DESCRIPTION = (
    "GitLab, the DevOps platform: git repositories, merge requests and code review, CI/CD pipelines, jobs and "
    "runners, the container registry, issues and boards, GitLab Pages, security scanning, self-managed "
    "instances and GitLab.com, subscriptions and support."
)
DEFAULT_COLOUR = "#6b5bd2"
# A new product left at the default colour while another has it is given the first of these no product has: two
# products in one colour could not be told apart on the queue (the charts' series colours, static/kpi.css).
PALETTE = ("#6b5bd2", "#0969da", "#1a7f37", "#e16f24", "#bf3989", "#1b7c83", "#9a6700", "#57606a")
SLUG_MAX = 40


def slug_free(name: str, taken: set[str]) -> str:
    """A slug made from the name that no other product has: "gitlab", then "gitlab-2"."""
    base = slugify(name)[: SLUG_MAX - 4].strip("-") or "product"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def colour_free(taken: set[str]) -> str:
    """The palette's first colour no product has (the default when all are taken: a ninth product repeats one)."""
    low = {c.lower() for c in taken}
    return next((c for c in PALETTE if c not in low), DEFAULT_COLOUR)


class ProductProfile(models.Model):
    """One of the desk's products: its name and a few words of what it does (the judgement tells apart a mention
    whose keyword has another sense, "runner" at a marathon), the other names that can only mean it, what it is
    searched by, its colour on the desk's pages. The judgement reads the first row (the defaults, the demo's GitLab,
    apply without one); its keywords are still the channels' (`config["keywords"]`) plus the other names here."""

    name = models.CharField(max_length=80, default=DEFAULT_PRODUCT, help_text="The product's name, as people write it.")
    slug = models.SlugField(
        max_length=SLUG_MAX,
        unique=True,
        blank=True,
        help_text="Its short name in addresses and filters. Empty: made from the name.",
    )
    other_names = models.TextField(
        blank=True,
        default="gitlab.com",
        help_text="Other names that can only mean the product (a domain, a former name), one a line. A mention that "
        "names another product of the desk by its name or one of these is given that product.",
    )
    description = models.TextField(
        max_length=600,
        default=DEFAULT_DESCRIPTION,
        help_text="Two or three sentences of what the product is and its parts, in the words users write: "
        "mentions near it in meaning are about the product.",
    )
    search_terms = models.TextField(
        blank=True,
        default="",
        help_text="What the product is searched by, one a line. Kept for the searches per product to come: today the "
        "channels' keywords are what is searched (docs/products.md).",
    )
    colour = models.CharField(
        max_length=7,
        default=DEFAULT_COLOUR,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}\Z", "A colour as #rrggbb, e.g. #6b5bd2.")],
        help_text="Its mark on the desk's pages when the desk has more than one product (#rrggbb).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "Product"
        verbose_name_plural = "Products"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            taken = set(ProductProfile.objects.exclude(pk=self.pk).values_list("slug", flat=True))
            self.slug = slug_free(self.name, taken)
        if self.pk is None and self.colour.lower() == DEFAULT_COLOUR:
            self.colour = colour_free(set(ProductProfile.objects.values_list("colour", flat=True)))
        super().save(*args, **kwargs)
