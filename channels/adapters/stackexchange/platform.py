"""Stack Overflow / Stack Exchange, declared for the registry (channels.adapters.platform)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import ReplyRule
from channels.adapters.watch import WatchPlan
from channels.freshness import Bucket, credential

if TYPE_CHECKING:
    from channels.models import Channel


def budget(channel: Channel, config: dict[str, Any]) -> list[Bucket]:
    # Each tag's new questions, then the watched questions' answers and comments.
    requests = len(config.get("tags") or []) + 2
    daily = 10_000 if credential(channel, "key") else 300
    # The quota is per IP and shared by every app on it.
    return [Bucket("stackexchange", requests, daily, 86_400, f"Stack Exchange: {daily:,} a day per IP")]


PLATFORM = Platform(
    kind="stackexchange",
    label="Stack Overflow / Stack Exchange",
    adapter="channels.adapters.stackexchange.StackExchangeAdapter",
    help_text="Questions, answers and comments with your tags on Stack Overflow or another Stack Exchange site.",
    config_example={"site": "stackoverflow", "tags": ["gitlab", "gitlab-ci"]},
    budget=budget,
    # 100 watched threads stay under a quarter of the budget, leaving polling its half (channels.freshness).
    watch=WatchPlan(7_200, 2, 10_000, "Stack Exchange: 10,000 a day per IP with an app key"),
    replies="channels.adapters.stackexchange.StackExchangeAdapter.post_reply",
    accounts="channels.adapters.stackexchange.oauth.StackExchangeOAuth",
    credentials_required=(),
    reply_rule=ReplyRule(
        limit=30_000,
        styles=(("comment", "Comment"), ("answer", "Answer")),  # a comment under the post, or an answer to the question
    ),
    credentials_none="The API is read without a key at 300 requests a day; the optional app key raises that to 10,000.",
    name="Stack Overflow",
    reply_opening="@{handle} ",
    own_place=True,  # a channel reads the product's own tags
    author_ids=("owner.user_id", "owner.account_id"),
)
