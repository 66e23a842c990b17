"""A question's other wordings: for each synonyms group (answers.Synonyms) with a phrase the question holds, the
stems of the group's other phrases. Phrases match as consecutive stems ("log in" matches "logged in", "clean
up" matches "cleaning up"), so a word that is also part of another phrase only counts where the phrase is."""

from __future__ import annotations

from functools import lru_cache

from answers.models import Synonyms
from answers.terms import text_terms

Phrase = tuple[str, ...]


@lru_cache(maxsize=512)
def _group(words: str) -> tuple[tuple[Phrase, str], ...]:
    """Each phrase of a group as stems, with the phrase as written (what "why" shows)."""
    phrases = ((tuple(text_terms(p)), p.strip()) for p in words.split(","))
    return tuple({stems: (stems, text) for stems, text in phrases if stems}.values())


def _holds(stems: list[str], phrase: Phrase) -> bool:
    n = len(phrase)
    return any(tuple(stems[i : i + n]) == phrase for i in range(len(stems) - n + 1))


def synonym_stems(stems: list[str]) -> dict[str, str]:
    """Stems the question does not hold that its synonyms bring, each with its phrase, first found first."""
    have = set(stems)
    out: dict[str, str] = {}
    for words in Synonyms.objects.filter(is_active=True).values_list("words", flat=True):
        group = _group(words)
        if any(_holds(stems, phrase) for phrase, _ in group):
            for phrase, text in group:
                for stem in phrase:
                    if stem not in have:
                        out.setdefault(stem, text)
    return out
