"""What every desk page's navigation shows."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest


def desk_navigation(request: HttpRequest) -> dict[str, Any]:
    """The count of the user's tickets with a follow-up nobody acted on. A callable, so the
    one query runs only on a page that shows the navigation, and once."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def followups_updated() -> int:
        if not user.has_perm("mentions.work_queue"):
            return 0
        from mentions.services.followups import followups_waiting

        return followups_waiting(user=user)

    return {"followups_updated": followups_updated}
