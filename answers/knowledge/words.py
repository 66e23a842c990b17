"""The docs our knowledge sources index, as the judgement's fingerprint reads them (mentions.judgement.
product_texts): the titles of the pages still there, newest fetched first. A title ("Shortcodes", "Configure
markup", "Hugo Modules") is the product's own vocabulary: a mention holding its words is about the product."""

from __future__ import annotations

from django.db.models import Q

from answers.knowledge_models import DocPage


def doc_titles(*, limit: int, product_id: int | None = None) -> list[str]:
    """With `product_id` (issue 71: one product's fingerprint), the pages of that product's docs sources and of the
    desk-wide ones; without, every source's."""
    rows = DocPage.objects.filter(gone=False).exclude(title="")
    if product_id is not None:
        rows = rows.filter(Q(source__product__isnull=True) | Q(source__product_id=product_id))
    return list(rows.order_by("-fetched_at", "-pk").values_list("title", flat=True)[:limit])
