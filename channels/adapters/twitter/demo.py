"""The demo desk's channel of this platform (`seed_demo` makes it; channels.demo.channels collects every package's
`DEMO` through the registry): a config the adapter accepts, our account there, its credentials and the tokens of our
connected account, which this package's demo replay accepts."""

from __future__ import annotations

from typing import Any

DEMO: dict[str, Any] = {
    "name": "X / Twitter (demo sample)",
    # The mentions timeline never holds our own posts: the search finds our replies (replay: twitter/replay.py).
    "config": {
        "handles": [{"username": "gitlab", "user_id": "2244994945", "role": "main"}],
        "search_queries": ["from:gitlab"],
    },
    "our_accounts": ["gitlab"],
    "high_priority": True,
    # The app's bearer token reads; its OAuth app (client id) refreshes the handle's token after a 401.
    "credentials": {
        "bearer_token": "demo-x-bearer-token-not-a-secret",
        "oauth_client_id": "demo-x-oauth-client-id-not-a-secret",
    },
    # The user-context tokens "Connect" stores for @gitlab (X's OAuth 2.0 with PKCE and offline.access); the
    # demo's api.x.com (channels/adapters/twitter/replay_writes.py) takes posts made with them.
    "account_tokens": {
        "access_token": "demo-x-access-token-not-a-secret",
        "refresh_token": "demo-x-refresh-token-not-a-secret",
    },
}
