"""GitLab issues, declared for the registry (channels.adapters.platform).

The request budget: GitLab.com allows 2,000 API requests a minute per user (authenticated) and 500 a minute
per IP address (unauthenticated): docs.gitlab.com, "GitLab.com rate limits", and GitLab's announcement of them
(about.gitlab.com/blog, 2020-12-17). A self-managed instance sets its own (Admin, Settings, Network, "User and
IP rate limits"); the same figures are assumed until its `RateLimit-*` headers say otherwise. A poll reads one
page of issues per project, plus the notes of the issues touched: two requests per project is the usual cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import MiB, ReplyMedia, ReplyRule
from channels.adapters.watch import WatchPlan
from channels.freshness import Bucket, credential, hashed

if TYPE_CHECKING:
    from channels.models import Channel

AUTHENTICATED_PER_MINUTE = 2_000
ANONYMOUS_PER_MINUTE = 500


def budget(channel: Channel, config: dict[str, Any]) -> list[Bucket]:
    token = credential(channel, "access_token")
    base = str(config.get("base_url") or "https://gitlab.com")
    projects = len(config.get("projects") or []) or 1
    if token:
        # Channels with the same token are the same user: they share its budget (only a digest is kept).
        who = hashed(token)
        per_minute, words = AUTHENTICATED_PER_MINUTE, "per user"
    else:
        who, per_minute, words = "ip", ANONYMOUS_PER_MINUTE, "per IP"
    return [
        Bucket(
            f"gitlab:{base}:{who}", 2 * projects, per_minute, 60, f"GitLab ({base}): {per_minute:,} a minute {words}"
        )
    ]


PLATFORM = Platform(
    kind="gitlab",
    label="GitLab issues",
    adapter="channels.adapters.gitlab.GitLabAdapter",
    help_text="New issues of GitLab projects (gitlab.com or your own instance) and their comments.",
    config_example={
        "base_url": "https://gitlab.com",
        "projects": ["gitlab-org/gitlab"],
        "keywords": ["runner"],
        "labels": [],
    },
    budget=budget,
    # GitLab.com: 2,000 API requests a minute per user; 100 watched issues read every 10 minutes (2 requests
    # each) are 28,800 a day, about 1 % of it.
    watch=WatchPlan(600, 2, 2_880_000, "GitLab.com: 2,000 API requests a minute per user"),
    issues="channels.adapters.gitlab.issues",
    replies="channels.adapters.gitlab.GitLabAdapter.post_reply",
    accounts="channels.adapters.gitlab.oauth.GitLabOAuth",
    credentials_required=(),
    reply_rule=ReplyRule(
        limit=1_000_000,  # the Notes API's limit on a note's body
        # GitLab's default maximum attachment is 100 MiB; the desk sends at most 10 MiB an image.
        media=ReplyMedia(4, 10 * MiB, how="POST /projects/:id/uploads, then ![alt](/uploads/...) in the note"),
    ),
    credentials_none="Public projects are read without a token; the optional access token is for private projects.",
    short_label="GitLab",
    reply_opening="@{handle} ",
    own_place=True,  # the product's own issue tracker
    author_ids=("author.id",),
)
