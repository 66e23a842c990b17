"""Saved searches: each user's named ticket-list searches."""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from mentions.models import SavedSearch


def saved_search_save(*, user: Any, name: str, query: str) -> SavedSearch:
    """Save the list's query string under a name; saving a name again replaces its search
    and keeps its place (a double click saves once: update_or_create retries on the unique
    constraint)."""
    last = SavedSearch.objects.filter(user=user).aggregate(m=Max("position"))["m"]
    saved, _ = SavedSearch.objects.update_or_create(
        user=user, name=name, defaults={"query": query}, create_defaults={"query": query, "position": (last or 0) + 1}
    )
    return saved


def saved_search_delete(*, user: Any, pk: int) -> bool:
    """Delete one of the user's own saved searches. False if they have none with that id
    (someone else's is never touched)."""
    deleted, _ = SavedSearch.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)


def saved_searches_of(*, user: Any) -> list[SavedSearch]:
    return list(SavedSearch.objects.filter(user=user).order_by("position", "name"))
