"""A GitLab channel's request budget (channels.freshness): GitLab.com allows 2,000 API requests a minute per
user (authenticated) and 500 a minute per IP address (unauthenticated): docs.gitlab.com, "GitLab.com rate
limits", and GitLab's announcement of them (about.gitlab.com/blog, 2020-12-17). A self-managed instance sets its
own (Admin, Settings, Network, "User and IP rate limits"); the same figures are assumed until its
``RateLimit-*`` headers say otherwise. A poll reads one page of issues per project, plus the notes of the issues
touched: two requests per project is the usual cost."""

from __future__ import annotations

import hashlib
from typing import Any

from channels.freshness import Bucket, credential

AUTHENTICATED_PER_MINUTE = 2_000
ANONYMOUS_PER_MINUTE = 500


def budget(channel: Any, config: dict[str, Any]) -> list[Bucket]:
    token = credential(channel, "access_token")
    base = str(config.get("base_url") or "https://gitlab.com")
    projects = len(config.get("projects") or []) or 1
    if token:
        # Channels with the same token are the same user: they share its budget (only a digest is kept).
        who = hashlib.sha256(str(token).encode()).hexdigest()[:12]
        per_minute, words = AUTHENTICATED_PER_MINUTE, "per user"
    else:
        who, per_minute, words = "ip", ANONYMOUS_PER_MINUTE, "per IP"
    return [
        Bucket(
            f"gitlab:{base}:{who}", 2 * projects, per_minute, 60, f"GitLab ({base}): {per_minute:,} a minute {words}"
        )
    ]
