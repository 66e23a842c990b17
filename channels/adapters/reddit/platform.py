"""Reddit, declared for the registry (channels.adapters.platform)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import ReplyRule
from channels.adapters.watch import WatchPlan
from channels.freshness import Bucket, credential, hashed

if TYPE_CHECKING:
    from channels.models import Channel


def budget(channel: Channel, config: dict[str, Any]) -> list[Bucket]:
    from channels.adapters.reddit.config import DEFAULTS

    subreddits = len(config.get("subreddits") or [])
    comments = config.get("include_comments", DEFAULTS["include_comments"])
    requests = subreddits * (2 if comments else 1) + len(config.get("keywords") or [])
    per_minute = int(config.get("requests_per_minute") or DEFAULTS["requests_per_minute"])
    client = credential(channel, "client_id")
    return [
        Bucket(f"reddit:{hashed(client)}", max(1, requests), per_minute, 60, f"Reddit: {per_minute} a minute per app")
    ]


PLATFORM = Platform(
    kind="reddit",
    label="Reddit",
    adapter="channels.adapters.reddit.RedditAdapter",
    help_text="Reddit posts and comments: keyword searches across Reddit and every post of chosen subreddits.",
    config_example={"keywords": ["gitlab"], "subreddits": ["gitlab"]},
    budget=budget,
    # 100 watched threads stay under a quarter of the budget, leaving polling its half (channels.freshness).
    watch=WatchPlan(600, 1, 144_000, "Reddit: 100 a minute per OAuth app"),
    replies="channels.adapters.reddit.RedditAdapter.post_reply",
    accounts="channels.adapters.reddit.oauth.RedditOAuth",
    credentials_required=("client_id", "client_secret"),
    reply_rule=ReplyRule(
        limit=10_000,  # Reddit's limit for a comment's text
    ),
    message_rule=ReplyRule(limit=10_000),
    karma_lookup="channels.adapters.reddit.audience.karma_of",
    story_titles=True,
    actions={"message": "Send a message"},  # a private message to the author (message.py)
    author_ids=("data.author_fullname",),
    # Share of voice: a competitor's terms searched as keywords, the channel's other reads off, a day back at first.
    competitor_search="keywords",
    competitor_search_settings={"subreddits": [], "backfill_hours": 24},
)
