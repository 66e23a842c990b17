"""The docs our knowledge sources index, as the judgement's fingerprint reads them (mentions.judgement.
product_texts): the titles of the pages still there, newest fetched first. A title ("Shortcodes", "Configure
markup", "Hugo Modules") is the product's own vocabulary: a mention holding its words is about the product."""

from __future__ import annotations

from answers.knowledge_models import DocPage


def doc_titles(*, limit: int) -> list[str]:
    rows = DocPage.objects.filter(gone=False).exclude(title="").order_by("-fetched_at", "-pk")
    return list(rows.values_list("title", flat=True)[:limit])
