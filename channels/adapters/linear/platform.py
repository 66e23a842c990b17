"""Linear, declared for the registry (channels.adapters.platform): an issue tracker only (`issues`), where the desk
files a bug from a ticket and follows it to its end; nothing is polled from it."""

from __future__ import annotations

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import NO_REPLIES

PLATFORM = Platform(
    kind="linear",
    label="Linear",
    adapter="channels.adapters.linear.LinearAdapter",
    help_text="A Linear workspace the desk files bugs in from tickets and follows until they are done (no mentions).",
    config_example={"teams": ["ENG"]},
    budget=None,
    watch=None,
    replies=None,
    accounts="channels.adapters.linear.oauth.LinearOAuth",
    credentials_required=("api_key",),
    reply_rule=NO_REPLIES,
    issues="channels.adapters.linear.issues",
    unsupported={
        "budget": "Nothing is polled: a Linear workspace is a tracker only, read one issue at a time by the "
        "follow-up beat (stories.issues.follow), which caps its own reads per channel.",
        "watch": "The desk posts no reply on Linear, so there is no thread of ours to watch there.",
        "replies": "Linear is where bugs are filed, not where people ask: the desk files issues there, it answers "
        "nobody on Linear.",
    },
)
