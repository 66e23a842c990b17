"""The demo desk's channel of this platform (`seed_demo` makes it; channels.demo.channels collects every package's
`DEMO` through the registry): a config the adapter accepts, our account there, its credentials and the tokens of our
connected account, which this package's demo replay accepts."""

from __future__ import annotations

from typing import Any

DEMO: dict[str, Any] = {
    "name": "Reddit (demo sample)",
    # The subreddit's streams bring the comments (keyword search finds posts only); the first poll reaches
    # back over the demo's whole week (the default is 24 hours).
    "config": {"keywords": ["gitlab"], "subreddits": ["gitlab"], "backfill_hours": 168},
    "our_accounts": ["gitlab_team"],
    "credentials": {"client_id": "demo-reddit-client-id", "client_secret": "demo-reddit-client-secret"},
    # The tokens "Connect" stores for u/gitlab_team (Reddit's code flow, duration=permanent); the demo's
    # oauth.reddit.com (channels/adapters/reddit/replay_writes.py) takes comments and messages made with them.
    "account_tokens": {
        "access_token": "demo-reddit-user-token-not-a-secret",
        "refresh_token": "demo-reddit-refresh-token-not-a-secret",
    },
}
