"""Mastodon, declared for the registry (channels.adapters.platform).

The request budget is the instance's, per account (docs.joinmastodon.org, "Rate limits"; the defaults every
instance runs unless its admin changed ``config/initializers/rack_attack.rb``): 300 API requests per 5 minutes per
access token, and 300 *paging* requests (those with ``min_id``, ``max_id`` or ``since_id``, which is every request
of a poll after a stream's first) per 15 minutes per account. A poll reads one page per stream (the mentions, our
account's replies, each hashtag, each keyword); channels with the same token on the same instance share both budgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import MiB, ReplyMedia, ReplyRule
from channels.adapters.watch import WatchPlan
from channels.freshness import Bucket, credential, hashed

if TYPE_CHECKING:
    from channels.models import Channel

PER_5_MINUTES = 300
PAGING_PER_15_MINUTES = 300


def budget(channel: Channel, config: dict[str, Any]) -> list[Bucket]:
    base = str(config.get("base_url") or "")
    streams = int(config.get("mentions", True) is not False) + int(config.get("own_replies", True) is not False)
    streams += len(config.get("hashtags") or []) + len(config.get("keywords") or [])
    who = f"mastodon:{base}:{hashed(credential(channel, 'access_token'))}"
    return [
        Bucket(
            who,
            max(1, streams),
            PER_5_MINUTES,
            300,
            f"Mastodon ({base}): {PER_5_MINUTES} requests per 5 min per account",
        ),
        Bucket(
            f"{who}:paging",
            max(1, streams),
            PAGING_PER_15_MINUTES,
            900,
            f"Mastodon ({base}): {PAGING_PER_15_MINUTES} paging requests per 15 min per account",
        ),
    ]


PLATFORM = Platform(
    kind="mastodon",
    label="Mastodon",
    handle_prefix="@",  # @alice@example.social, as Mastodon shows an account
    adapter="channels.adapters.mastodon.MastodonAdapter",
    help_text="Mastodon posts on one instance: mentions of the team's account, hashtags and keyword searches.",
    config_example={
        "base_url": "https://mastodon.social",
        "hashtags": ["gitlab"],
        "handles": ["gitlab@mastodon.social"],
    },
    budget=budget,
    # One request a watched thread (its context); 100 watched threads read every 10 minutes are 14,400 requests a
    # day, 17 % of the 86,400 a day (300 per 5 minutes) of the account.
    watch=WatchPlan(600, 1, 86_400, "Mastodon: 300 requests per 5 minutes per account"),
    replies="channels.adapters.mastodon.MastodonAdapter.post_reply",
    accounts="channels.adapters.mastodon.oauth.MastodonOAuth",
    credentials_required=("access_token",),
    reply_rule=ReplyRule(
        limit=500,  # Mastodon's default; the instance's own is checked again when the reply is sent
        count="channels.adapters.mastodon.length.status_length",
        note="Mastodon counts each link as 23 characters; the author's @handle is added first",
        # docs.joinmastodon.org/methods/media: 16 MB an image by default, 4 to a status.
        media=ReplyMedia(
            4, 16 * MiB, how="POST /api/v2/media (file, description), then media_ids[] in POST /api/v1/statuses"
        ),
    ),
    message_rule=ReplyRule(limit=500, count="channels.adapters.mastodon.length.status_length"),
    actions={"like": "Favourite", "repost": "Boost", "delete": "Delete", "message": "Send a DM"},
    author_ids=("account.id",),
    actions_done={"like": "Favourited", "repost": "Boosted"},
    # Share of voice: a competitor's terms searched as keywords, the channel's other reads off, a day back at first.
    competitor_search="keywords",
    competitor_search_settings={"mentions": False, "own_replies": False, "hashtags": [], "backfill_hours": 24},
)
