"""Small pieces the matcher and the incidents share: a ticket's index keys, a story's kept words and title, why a
ticket joined, and a ticket of an earlier page read back from its signature."""

from __future__ import annotations

import json
from typing import Any

from channels.adapters.registry import platform_or_default
from stories.detection.reading import Read
from stories.models import Signature

PROFILE_KEPT = 80
CORE_SHARE = 0.3
CORE_MAX = 10


def story_core(counts: dict[str, list[Any]], size: int) -> list[str]:
    """The terms most of a story's tickets use: at least CORE_SHARE of them and two tickets."""
    floor = max(2.0, CORE_SHARE * size)
    ranked = sorted(((n, stem) for stem, (_word, n) in counts.items() if n >= floor), reverse=True)
    return [stem for _n, stem in ranked[:CORE_MAX]]


def keys_of(read: Read, *, terms: bool = True) -> list[str]:
    links = [f"l:{link}" for link in read.links]
    return links + [f"t:{stem[:290]}" for stem in read.terms] if terms else links


def as_json(value: Any) -> str:
    return json.dumps(value)


def counts_merged(a: dict[str, list[Any]], b: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Two stories' word counts ({stem: [word, tickets]}) added up, the most used kept (a merge of two stories)."""
    merged: dict[str, list[Any]] = {stem: [word, n] for stem, (word, n) in a.items()}
    for stem, (word, n) in b.items():
        merged.setdefault(stem, [word, 0])[1] += n
    return counts_trim(merged)


def counts_trim(counts: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1][1], item[0]))[:PROFILE_KEPT])


def shares_reason(stems: list[str], words: dict[str, str]) -> str:
    return ("shares: " + ", ".join(words.get(stem, stem) for stem in stems[:5]))[:300]


def title_choose(members: list[Read], counts: dict[str, list[Any]]) -> str:
    """The subject that says most of the story: the one using most of its core terms, a post's title (a platform
    declaring `story_titles`: Reddit, Hacker News) before a tweet's first words, the earliest on a tie."""
    core = set(story_core(counts, len(members)))
    best = max(
        members,
        key=lambda m: (
            len(core & set(m.words)),
            bool(m.subject and platform_or_default(m.platform).story_titles),
            -m.pk,
        ),
    )
    title = " ".join((best.subject or "").split())
    return (title or "Story")[:300]


def stored_reads(ticket_ids: list[int]) -> dict[int, Read]:
    """Tickets of earlier pages, read back from their signatures (their words are their distinctive terms)."""
    if not ticket_ids:
        return {}
    rows = Signature.objects.filter(ticket_id__in=ticket_ids).values_list(
        "ticket_id", "at", "platform", "ticket__subject", "links", "terms"
    )
    out = {
        pk: Read(pk=pk, at=at, platform=platform, subject=subject, links=list(links), words=dict(terms),
                 terms=list(terms))
        for pk, at, platform, subject, links, terms in rows
    }  # fmt: skip
    missing = set(ticket_ids) - out.keys()
    if missing:  # as Signature.objects.get did: a ticket read must have its signature
        raise Signature.DoesNotExist(f"no signature for tickets {sorted(missing)}")
    return out
