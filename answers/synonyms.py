"""A question's other wordings: for each synonyms group (answers.Synonyms) with a phrase the question holds, the
stems of the group's other phrases. Phrases match as consecutive stems ("log in" matches "logged in", "clean
up" matches "cleaning up"), so a word that is also part of another phrase only counts where the phrase is.

The active groups are kept in the cache (they change when someone edits them in admin, not per ticket): one cache
read a panel instead of a query, dropped whenever a group is saved or deleted (and at commit, so that a process
that read the old groups meanwhile does not keep them), else after CACHE_SECONDS."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from answers.models import Synonyms
from answers.terms import text_terms

Phrase = tuple[str, ...]
CACHE_KEY = "answers:synonyms:v1"
CACHE_SECONDS = 600


def _active() -> list[str]:
    groups = cache.get(CACHE_KEY)
    if groups is None:
        groups = list(Synonyms.objects.filter(is_active=True).order_by("pk").values_list("words", flat=True))
        cache.set(CACHE_KEY, groups, CACHE_SECONDS)
    return groups


@receiver([post_save, post_delete], sender=Synonyms, dispatch_uid="answers.synonyms.forget")
def _forget(**kwargs: Any) -> None:
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


@lru_cache(maxsize=512)
def _group(words: str) -> tuple[tuple[Phrase, str], ...]:
    """Each phrase of a group as stems, with the phrase as written (what "why" shows)."""
    phrases = ((tuple(text_terms(p)), p.strip()) for p in words.split(","))
    return tuple({stems: (stems, text) for stems, text in phrases if stems}.values())


def _holds(stems: list[str], have: set[str], phrase: Phrase) -> bool:
    # Most phrases hold a word the question does not: the set answers that without scanning the stems.
    if not all(stem in have for stem in phrase):
        return False
    n = len(phrase)
    return n == 1 or any(tuple(stems[i : i + n]) == phrase for i in range(len(stems) - n + 1))


def synonym_stems(stems: list[str]) -> dict[str, str]:
    """Stems the question does not hold that its synonyms bring, each with its phrase, first found first."""
    have = set(stems)
    out: dict[str, str] = {}
    for words in _active():
        group = _group(words)
        if any(_holds(stems, have, phrase) for phrase, _ in group):
            for phrase, text in group:
                for stem in phrase:
                    if stem not in have:
                        out.setdefault(stem, text)
    return out
