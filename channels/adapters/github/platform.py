"""GitHub issues and discussions, declared for the registry (channels.adapters.platform).

The request budgets (docs.github.com, "Rate limits for the REST API", "Rate limits and node limits for the
GraphQL API"): 5,000 REST requests an hour per personal access token (a GitHub App installation gets at least as
many), and 5,000 GraphQL points an hour, counted apart. A poll asks two REST lists per repository (issues, issue
comments; both usually a 304, which costs no rate limit) and, with discussions, one GraphQL query of
`GRAPHQL_POINTS` points. Channels with the same token (or the same App installation) share its budgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import ReplyRule
from channels.adapters.watch import WatchPlan
from channels.freshness import Bucket, credential, hashed

if TYPE_CHECKING:
    from collections.abc import Mapping

    from channels.models import Channel

REST_PER_HOUR = 5_000
GRAPHQL_POINTS_PER_HOUR = 5_000
# One discussions query: 1 + 20 discussions x (labels + comments) + 20 x 30 comments' replies = 641 connections'
# requests, over 100: 6 points (GitHub's cost rule, "Calculating a rate limit score before running the call").
GRAPHQL_POINTS = 6


def budget(channel: Channel, config: dict[str, Any]) -> list[Bucket]:
    if config.get("auth") == "app":
        who = hashed(f"{credential(channel, 'app_id')}:{credential(channel, 'app_installation_id')}")
    else:
        who = hashed(credential(channel, "token"))
    repositories = len(config.get("repositories") or []) or 1
    buckets = [
        Bucket(f"github:rest:{who}", 2 * repositories, REST_PER_HOUR, 3600, "GitHub REST: 5,000 requests an hour")
    ]
    if config.get("include_discussions", True) is not False:
        words = "GitHub GraphQL: 5,000 points an hour"
        buckets.append(
            Bucket(f"github:graphql:{who}", GRAPHQL_POINTS * repositories, GRAPHQL_POINTS_PER_HOUR, 3600, words)
        )
    return buckets


def credentials(config: Mapping[str, Any]) -> tuple[str, ...]:
    """A personal access token, or the three parts of a GitHub App installation."""
    from channels.adapters.github.config import required_credentials

    return required_credentials(config)


PLATFORM = Platform(
    kind="github",
    label="GitHub issues and discussions",
    name="GitHub",
    push_reader="channels.adapters.github.webhook.delivery_pushed",
    adapter="channels.adapters.github.GitHubAdapter",
    help_text="New issues, discussions and their comments in chosen GitHub repositories (polled; webhooks too).",
    config_example={"repositories": ["octo-org/octo-repo"], "labels": ["question"]},
    budget=budget,
    # 100 watched threads read every 10 minutes, two REST requests each: 28,800 a day, 24 % of 5,000 an hour.
    watch=WatchPlan(600, 2, REST_PER_HOUR * 24, "GitHub: 5,000 REST requests an hour per token"),
    issues="channels.adapters.github.issues",
    replies="channels.adapters.github.GitHubAdapter.post_reply",
    accounts="channels.adapters.github.oauth.GitHubOAuth",
    credentials_required=credentials,
    reply_rule=ReplyRule(
        limit=65_536,  # GitHub's limit on a comment's body
    ),
    short_label="GitHub",
    reply_opening="@{handle} ",
    own_place=True,  # the product's own repositories: their issues and discussions are about it
    actions={"like": "+1", "delete": "Delete"},  # a 👍 reaction; our own comment deleted
    author_ids=("item.user.id", "item.user.node_id", "item.author.id"),
    actions_done={"like": "+1'd"},
)
