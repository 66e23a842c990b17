"""Slack messages as tickets (the desk's Slack app pushes them), declared for the registry
(channels.adapters.platform)."""

from __future__ import annotations

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import NO_REPLIES

PLATFORM = Platform(
    kind="slack",
    label="Slack (internal questions)",
    adapter="channels.adapters.slack.SlackAdapter",
    help_text="Slack messages an advocate turns into tickets (the Create ticket shortcut, or an emoji reaction).",
    config_example={"reaction_channels": ["#community-advocates"], "reaction_emoji": "ticket"},
    pushed=True,
    budget=None,
    watch=None,
    replies=None,
    accounts=None,
    credentials_required=(),
    reply_rule=NO_REPLIES,
    credentials_none="The desk's Slack app uses SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (settings), not the channel.",
    short_label="Slack",
    own_place=True,  # the team's own workspace
    expert_accounts=False,  # an expert's Slack handle is a column of its own (slack_handle)
    unsupported={
        "budget": "Pushed by Slack: nothing is polled, so no request budget is spent on this channel.",
        "watch": "A Slack thread is not read back: only the messages someone turns into tickets arrive.",
        "replies": "Advocates answer in Slack itself; the desk only posts the ticket's link in the thread.",
        "accounts": "Nothing is posted as a person, so no account is connected; the bot token is a setting.",
    },
)
