"""X (Twitter), declared for the registry (channels.adapters.platform)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import MiB, ReplyMedia, ReplyRule
from channels.freshness import Bucket, credential, hashed

if TYPE_CHECKING:
    from channels.models import Channel

# X's recorded limits for the Basic tier, per app and 15 minutes (github.com/tweepy/tweepy/discussions/2127);
# what X reports in its x-rate-limit-limit headers replaces them once a poll has seen them.
X_LIMITS = {"mentions": 15, "search": 60}


def budget(channel: Channel, config: dict[str, Any]) -> list[Bucket]:
    token = hashed(credential(channel, "bearer_token"))
    reported = (channel.platform_status or {}).get("rate_limit") or {}
    uses = {"mentions": len(config.get("handles") or []), "search": len(config.get("search_queries") or [])}
    buckets = []
    for endpoint, requests in uses.items():
        if not requests:
            continue
        limit = reported.get(endpoint, {}).get("limit") if isinstance(reported.get(endpoint), dict) else None
        limit = int(limit) if isinstance(limit, int) and limit > 0 else X_LIMITS[endpoint]
        buckets.append(
            Bucket(f"x:{token}:{endpoint}", requests, limit, 900, f"X {endpoint}: {limit} per 15 min per app")
        )
    return buckets


PLATFORM = Platform(
    kind="twitter",
    label="X / Twitter",
    adapter="channels.adapters.twitter.TwitterAdapter",
    help_text="X (Twitter) posts that mention our handles, and recent-search queries.",
    config_example={
        "handles": [
            {"username": "GitLab", "user_id": "2244994945", "role": "main"},
            {"username": "GitLabStatus", "user_id": "1001", "role": "status"},
        ],
        "search_queries": ['"gitlab ci" -is:retweet'],
        "monthly_read_budget": 10000,
    },
    budget=budget,
    watch=None,
    replies="channels.adapters.twitter.TwitterAdapter.post_reply",
    accounts="channels.adapters.twitter.oauth.XOAuth",
    credentials_required=("bearer_token",),
    reply_rule=ReplyRule(
        limit=280,
        count="channels.adapters.twitter.length.weighted_length",
        note="X counts each link as 23 characters",
        # docs.x.com, media upload: images up to 5 MB, 4 to a post.
        media=ReplyMedia(
            4, 5 * MiB, how="POST /2/media/upload, POST /2/media/metadata (alt), then media.media_ids in POST /2/tweets"
        ),
        link_separator=" ",  # a reply is one short line: the link follows the answer on it
    ),
    message_rule=ReplyRule(limit=10_000),  # X's limit on a direct message's text
    name="X",
    handle_prefix="@",
    reply_opening="{handle} ",
    reply_as="handles",  # the handbook's respond-from rule among the configured handles
    actions={"like": "Like", "repost": "Repost", "delete": "Delete", "message": "Send a DM"},
    unsupported={
        "watch": "X's reads are billed: an expert's answer is seen only if it mentions our handle or matches a "
        "search query (docs/platforms/twitter.md, Known limits).",
    },
    # The author's own ids in an item (the user id in a DM conversation's link): identifiers to erase with the person.
    author_ids=("author_id",),
)
