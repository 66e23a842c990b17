"""Jira Cloud, declared for the registry (channels.adapters.platform): an issue tracker only (`issues`), where the
desk files a bug from a ticket and follows it to its end; nothing is polled from it."""

from __future__ import annotations

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import NO_REPLIES

PLATFORM = Platform(
    kind="jira",
    label="Jira Cloud",
    adapter="channels.adapters.jira.JiraAdapter",
    help_text="A Jira Cloud site the desk files bugs in from tickets and follows until they are done (no mentions).",
    config_example={"site": "https://example.atlassian.net", "projects": ["DESK"]},
    budget=None,
    watch=None,
    replies=None,
    accounts="channels.adapters.jira.oauth.JiraApiToken",
    credentials_required=("email", "api_token"),
    reply_rule=NO_REPLIES,
    issues="channels.adapters.jira.issues",
    name="Jira",
    unsupported={
        "budget": "Nothing is polled: a Jira site is a tracker only, read one issue at a time by the follow-up beat "
        "(stories.issues.follow), which caps its own reads per channel.",
        "watch": "The desk posts no reply on Jira, so there is no thread of ours to watch there.",
        "replies": "Jira is where bugs are filed, not where people ask: the desk files issues there, it answers "
        "nobody on Jira.",
    },
)
