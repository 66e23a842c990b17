"""What every desk page's navigation shows."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def desk_navigation(request: HttpRequest) -> dict[str, Any]:
    """The count of the user's tickets with a follow-up nobody acted on, and the count of
    waiting tickets for the tab title. Callables, so each query runs only on a page that shows
    it, and once; each counted once per change stamp (mentions/live.py), not once per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def counts() -> dict[str, Any]:
        # Both figures in one cache round trip: every desk page's navigation shows both.
        if not user.has_perm("mentions.work_queue"):
            return {"followups": 0, "waiting": None}
        from mentions.live import stamped_many
        from mentions.selectors import waiting_total
        from mentions.services.followups import followups_waiting

        return stamped_many(
            request,
            {
                "followups": (str(user.pk), lambda: followups_waiting(user=user)),
                "waiting": ("", waiting_total),
            },
        )

    def followups_updated() -> int:
        return counts()["followups"]

    def desk_waiting() -> int | None:
        return counts()["waiting"]

    return {
        "followups_updated": followups_updated,
        "desk_waiting": desk_waiting,
        # The ETag of this page as a live refresh would see it (mentions/live.py): the polling
        # element carries it, so its first refresh can already be a 304.
        "live_etag": getattr(request, "_live_etag", ""),
        "live_refresh_seconds": settings.DESK_LIVE_REFRESH_SECONDS,
    }
