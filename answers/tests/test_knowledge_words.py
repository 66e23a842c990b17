"""The docs our knowledge sources index give the judgement's fingerprint the product's words (issue 68,
answers.knowledge.words through mentions.judgement.product_texts). Rows made here; nothing is fetched."""

from __future__ import annotations

import pytest

from answers.knowledge_models import DocPage, KnowledgeSource
from mentions.judgement.product_texts import product_texts


@pytest.mark.django_db
def test_answers_gives_the_fingerprint_the_titles_of_the_docs_it_indexes():
    source = KnowledgeSource.objects.create(name="Docs", kind="docs", base_url="https://gohugo.io/")
    DocPage.objects.create(source=source, url="https://gohugo.io/content-management/shortcodes/", title="Shortcodes")
    DocPage.objects.create(source=source, url="https://gohugo.io/old/", title="Gone page", gone=True)
    assert product_texts() == ["Shortcodes"]
