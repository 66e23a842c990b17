"""Hacker News, declared for the registry (channels.adapters.platform)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import NO_REPLIES
from channels.adapters.watch import WatchPlan
from channels.freshness import Bucket

if TYPE_CHECKING:
    from channels.models import Channel


def budget(channel: Channel, config: dict[str, Any]) -> list[Bucket]:
    from channels.adapters.hackernews.config import DEFAULTS

    hourly = int(config.get("hourly_request_budget") or DEFAULTS["hourly_request_budget"])
    # One search per keyword; every HN channel of the deployment asks Algolia from the same IP.
    return [
        Bucket(
            "algolia", max(1, len(config.get("keywords") or [])), hourly, 3600, f"Algolia: {hourly:,} an hour per IP"
        )
    ]


PLATFORM = Platform(
    kind="hackernews",
    label="Hacker News",
    adapter="channels.adapters.hackernews.HackerNewsAdapter",
    help_text="Hacker News stories and comments that mention your keywords (Algolia search; no account needed).",
    config_example={"keywords": ["gitlab"]},
    budget=budget,
    # 100 watched threads stay under a quarter of the budget, leaving polling its half (channels.freshness).
    watch=WatchPlan(600, 1, 240_000, "Algolia: 10,000 an hour per IP"),
    replies=None,
    accounts=None,
    credentials_required=(),
    reply_rule=NO_REPLIES,
    credentials_none="Algolia's Hacker News search is public: it is read without any key.",
    karma_lookup="channels.adapters.hackernews.audience.karma_of",
    short_label="HN",
    story_titles=True,
    front_page=True,
    unsupported={
        "replies": "Hacker News has no API to post with: an advocate replies on the site (the ticket links there).",
        "accounts": "Nothing is posted through the desk, so no account is connected.",
    },
    # Share of voice: a competitor's terms searched as keywords, a day back the first time.
    competitor_search="keywords",
    competitor_search_settings={"backfill_hours": 24},
)
