"""Discourse, declared for the registry (channels.adapters.platform)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import MiB, ReplyMedia, ReplyRule
from channels.adapters.watch import WatchPlan
from channels.freshness import Bucket, credential

if TYPE_CHECKING:
    from channels.models import Channel


def budget(channel: Channel, config: dict[str, Any]) -> list[Bucket]:
    keyed = bool(credential(channel, "api_key"))
    # Admin API keys share 60 a minute across all keys of the forum; anonymous reads 200 a minute per IP.
    per_minute = 60 if keyed else 200
    base = str(config.get("base_url", ""))
    return [
        Bucket(
            f"discourse:{base}:{'key' if keyed else 'ip'}",
            1,
            per_minute,
            60,
            f"Discourse ({base}): {per_minute} a minute {'per admin API key' if keyed else 'per IP'}",
        )
    ]


PLATFORM = Platform(
    kind="discourse",
    label="Discourse forum",
    adapter="channels.adapters.discourse.DiscourseAdapter",
    help_text="New posts of a Discourse forum: every post, or only those matching a search.",
    config_example={"base_url": "https://forum.gitlab.com", "staff_are_ours": True},
    budget=budget,
    # 100 watched threads stay under a quarter of the budget, leaving polling its half (channels.freshness).
    watch=WatchPlan(900, 2, 86_400, "Discourse: 60 a minute per admin API key"),
    replies="channels.adapters.discourse.DiscourseAdapter.post_reply",
    accounts="channels.adapters.discourse.oauth.DiscourseUserApiKey",
    credentials_required=(),
    reply_rule=ReplyRule(
        limit=32_000,  # Discourse's default max_post_length
        # Discourse's max_image_size_kb is 4096 by default: a forum that raised it still takes 4 MiB.
        media=ReplyMedia(
            4, 4 * MiB, how="POST /uploads.json (type=composer), then ![alt](upload://...) in the post's raw"
        ),
    ),
    message_rule=ReplyRule(limit=32_000),
    credentials_none="A public forum is read without a key; the optional admin API key is for private forums.",
    short_label="Forum",
    reply_opening="@{handle} ",
    own_place=True,  # the product's own forum
    actions={"like": "Like", "delete": "Delete", "message": "Send a message"},
    author_ids=("user_id",),
)
