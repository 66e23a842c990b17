"""Searches an advocate keeps beside the views."""

from __future__ import annotations

from typing import Any

from mentions.models import SavedSearch


def saved_search_create(*, user: Any, name: str, query: str) -> SavedSearch:
    """Keep a search under a name; saving a name again replaces its query."""
    saved, _ = SavedSearch.objects.update_or_create(user=user, name=name, defaults={"query": query})
    return saved
