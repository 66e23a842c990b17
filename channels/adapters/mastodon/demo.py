"""The demo desk's channel of this platform (`seed_demo` makes it; channels.demo.channels collects every package's
`DEMO` through the registry): a config the adapter accepts, our account there, its credentials and the tokens of our
connected account, which this package's demo replay accepts."""

from __future__ import annotations

from typing import Any

DEMO: dict[str, Any] = {
    "name": "Mastodon (demo sample)",
    # Mentions of @gitlab and the #gitlab hashtag on mastodon.social; the first poll reads the whole week back.
    "config": {
        "base_url": "https://mastodon.social",
        "hashtags": ["gitlab"],
        "handles": ["gitlab"],
        "backfill_hours": 192,
    },
    "our_accounts": ["gitlab@mastodon.social"],
    # The access token the demo instance (channels/adapters/mastodon/replay.py) accepts.
    "credentials": {"access_token": "demo-mastodon-token-not-a-secret"},
    # Our connected account posts with the channel's token, as "connect with the channel's token" stores it.
    "account_tokens": {"access_token": "demo-mastodon-token-not-a-secret", "token_type": "channel"},
}
