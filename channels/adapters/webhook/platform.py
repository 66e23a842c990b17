"""The webhook channel (signed JSON pushed to the desk), declared for the registry (channels.adapters.platform)."""

from __future__ import annotations

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import NO_REPLIES

PLATFORM = Platform(
    kind="webhook",
    label="Webhook (signed JSON)",
    adapter="channels.adapters.webhook.WebhookAdapter",
    help_text="Anything that can POST signed JSON to /hooks/<channel slug>/ (Zapier, social-listening alerts).",
    config_example={},
    pushed=True,
    budget=None,
    watch=None,
    replies=None,
    accounts=None,
    credentials_required=("secret",),
    reply_rule=NO_REPLIES,
    short_label="Webhook",
    identity="channel",  # a relay: its senders are whoever it forwards, a platform of its own per channel
    expert_accounts=False,
    unsupported={
        "budget": "Pushed: the desk never asks the sender for anything, so no budget is spent.",
        "watch": "The desk cannot read the sender's threads: only what is pushed arrives.",
        "replies": "The sender is a relay (Zapier, an alert service): there is nowhere for the desk to post.",
        "accounts": "Nothing is posted, so no account is connected.",
    },
)
