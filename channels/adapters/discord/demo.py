"""The demo desk's channel of this platform (`seed_demo` makes it; channels.demo.channels collects every package's
`DEMO` through the registry): a config the adapter accepts, our account there, its credentials and the tokens of our
connected account, which this package's demo replay accepts."""

from __future__ import annotations

from typing import Any

DEMO: dict[str, Any] = {
    "name": "Discord community server (demo sample)",
    # The #help text channel and the #duo-and-ide forum of the demo server (channels/adapters/discord/replay.py
    # serves these ids); gitlab_team's messages are our replies, as are the bot's (the application's user).
    "config": {
        "guild_id": "1083790519441932349",
        "text_channels": ["1083790520117211186"],
        "forum_channels": ["1083790520569778267"],
        "team_user_ids": ["1083791236912238622"],
        "application_id": "1083791981631889468",
    },
    "our_accounts": ["gitlab_team"],
    # The bot token the demo server accepts.
    "credentials": {"bot_token": "demo-discord-bot-token-not-a-secret"},
    # The account posts as the channel's bot, as "connect with the bot token" stores it.
    "account_tokens": {"access_token": "demo-discord-bot-token-not-a-secret", "token_type": "bot"},
}
