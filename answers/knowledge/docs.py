"""Our docs, searched in our own database: the pages answers.knowledge.docs_index keeps (DocPage), matched on
their stems (answers.terms), ranked by how many of the question's stems each holds, a stem in the title
counting three times. On PostgreSQL the generated tsvector's GIN index (the initial migration) finds the pages holding
any of the stems; the embedded SQLite default reads the stems with LIKE. Runs in the calling thread."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, Q, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from answers.knowledge_models import DocPage
from answers.terms import text_terms

from .base import RESULTS_PER_SOURCE, Found, Item, Spec, http_url, plain

CANDIDATES = 200
TITLE_WEIGHT = 3
_STEM = re.compile(r"[^\W_]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def search(spec: Spec, terms: list[str]) -> Found:
    stems = [t for t in dict.fromkeys(terms) if _STEM.fullmatch(t)][:40]
    if not stems:
        return Found([])
    pages = DocPage.objects.filter(source_id=spec.id, gone=False)
    if connection.vendor == "postgresql":
        # Each stem quoted as a tsquery lexeme; they are word characters only (checked above).
        tsquery = " | ".join(f"'{stem}'" for stem in stems)
        hit = RawSQL("words @@ to_tsquery('simple'::regconfig, %s)", [tsquery], output_field=BooleanField())
        pages = pages.alias(hit=hit).filter(hit=True)
    else:
        padded = Concat(Value(" "), "terms", Value(" "), output_field=TextField())
        match = Q()
        for stem in stems:
            match |= Q(padded_terms__contains=f" {stem} ")
        pages = pages.alias(padded_terms=padded).filter(match)
    rows = pages.only("url", "title", "text", "terms", "title_terms").order_by("-fetched_at", "id")[:CANDIDATES]
    wanted = set(stems)
    ranked = []
    for page in rows:
        score = len(wanted & set(page.terms.split())) + TITLE_WEIGHT * len(wanted & set(page.title_terms.split()))
        if score and (url := http_url(page.url)):
            ranked.append((score, page, url))
    ranked.sort(key=lambda row: -row[0])
    return Found(
        [
            Item(spec.name, plain(page.title or page.url, 200), url, _snippet(page.text, wanted))
            for _, page, url in ranked[:RESULTS_PER_SOURCE]
        ]
    )


def _snippet(text: str, wanted: set[str]) -> str:
    """The sentence holding the most of the question's stems (the first one on a tie)."""
    best, best_score = "", 0
    for sentence in _SENTENCE.split(text)[:80]:
        score = len(wanted & set(text_terms(sentence)))
        if score > best_score:
            best, best_score = sentence, score
    return plain(best or text)
