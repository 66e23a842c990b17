"""Bluesky, declared for the registry (channels.adapters.platform).

The request budget: a Bluesky PDS allows 3,000 requests per 5 minutes per IP address, all routes together
(docs.bsky.app, "Rate Limits"); every Bluesky channel of this desk reading from the same host spends the same
budget. What the host's `RateLimit-Limit` and `RateLimit-Policy` headers last said replaces the documented
figures. A poll reads one page per keyword and one of notifications when nothing is new.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import ReplyMedia, ReplyRule
from channels.adapters.watch import WatchPlan
from channels.freshness import Bucket

if TYPE_CHECKING:
    from channels.models import Channel

# docs.bsky.app "Rate Limits": every Bluesky PDS allows 3,000 requests per 5 minutes per IP, all routes together.
DOCUMENTED_LIMIT = 3000
DOCUMENTED_WINDOW = 300


def _per(window: int) -> str:
    if window == 60:
        return "a minute"
    return f"per {window // 60} minutes" if window % 60 == 0 else f"per {window} seconds"


def budget(channel: Channel, config: dict[str, Any]) -> list[Bucket]:
    reported = (channel.platform_status or {}).get("rate_limit") if isinstance(channel.platform_status, dict) else None
    reported = reported if isinstance(reported, dict) else {}
    limit, window = reported.get("limit"), reported.get("window")
    limit = limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 else DOCUMENTED_LIMIT
    window = window if isinstance(window, int) and not isinstance(window, bool) and window > 0 else DOCUMENTED_WINDOW
    notifications = config.get("read_notifications", True) is not False
    requests = len(config.get("keywords") or []) + (1 if notifications else 0)
    host = str(config.get("read_url") or config.get("service_url") or "https://bsky.social")
    return [
        Bucket(
            f"bluesky:{host}",
            max(1, requests),
            limit,
            window,
            f"Bluesky ({host}): {limit:,} requests {_per(window)} per IP",
        )
    ]


PLATFORM = Platform(
    kind="bluesky",
    label="Bluesky",
    handle_prefix="@",  # @alice.bsky.social, as Bluesky shows a handle
    adapter="channels.adapters.bluesky.BlueskyAdapter",
    help_text="Bluesky posts: keyword searches, and the mentions of and replies to our account.",
    config_example={"handle": "gitlab.com", "keywords": ["gitlab"], "team_handles": ["gitlabstatus.bsky.social"]},
    budget=budget,
    # 100 watched threads read every 10 minutes are 14,400 requests a day: 2% of 3,000 per 5 minutes.
    watch=WatchPlan(
        600, 1, DOCUMENTED_LIMIT * 86_400 // DOCUMENTED_WINDOW, "Bluesky: 3,000 requests per 5 minutes per IP"
    ),
    replies="channels.adapters.bluesky.BlueskyAdapter.post_reply",
    accounts="channels.adapters.bluesky.oauth.BlueskySession",
    credentials_required=("app_password",),
    reply_rule=ReplyRule(
        limit=300,
        count="channels.adapters.bluesky.richtext.grapheme_length",
        note="counted as Bluesky counts: an emoji or an accented letter is one",
        # the app.bsky.embed.images lexicon: 4 images, maxSize 1,000,000 bytes each.
        media=ReplyMedia(4, 1_000_000, how="com.atproto.repo.uploadBlob, then an app.bsky.embed.images embed with alt"),
        link_separator=" ",  # a reply is one short line: the link follows the answer on it
    ),
    message_rule=ReplyRule(limit=1000, count="channels.adapters.bluesky.richtext.grapheme_length"),
    actions={"like": "Like", "repost": "Repost", "delete": "Delete", "message": "Send a DM"},
    # The author's own ids in an item (the DID in every post's AT URI): identifiers to erase with the person.
    author_ids=("author.did",),
    # Share of voice: a competitor's terms searched as keywords, the channel's other reads off, a day back at first.
    competitor_search="keywords",
    competitor_search_settings={"read_notifications": False, "backfill_hours": 24},
)
