"""Disqus, declared for the registry (channels.adapters.platform)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import ReplyRule
from channels.adapters.watch import WatchPlan
from channels.freshness import Bucket, credential, hashed

if TYPE_CHECKING:
    from channels.models import Channel


def budget(channel: Channel, config: dict[str, Any]) -> list[Bucket]:
    key = credential(channel, "api_key")
    return [Bucket(f"disqus:{hashed(key)}", 1, 1000, 3600, "Disqus: 1,000 an hour per application")]


PLATFORM = Platform(
    kind="disqus",
    label="Disqus comments",
    adapter="channels.adapters.disqus.DisqusAdapter",
    help_text="New comments of one Disqus forum (a blog's or a docs site's comment threads).",
    config_example={"forum": "gitlab"},
    budget=budget,
    # 100 watched threads stay under a quarter of the budget, leaving polling its half (channels.freshness).
    watch=WatchPlan(1_800, 1, 24_000, "Disqus: 1,000 an hour per application"),
    replies="channels.adapters.disqus.DisqusAdapter.post_reply",
    accounts="channels.adapters.disqus.oauth.DisqusOAuth",
    credentials_required=("api_key",),
    reply_rule=ReplyRule(
        limit=25_000,
    ),
    short_label="Disqus",
    own_place=True,  # the comments of our own blog or docs
    author_ids=("author.id",),
)
