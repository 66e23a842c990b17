"""The demo desk's channel of this platform (`seed_demo` makes it; channels.demo.channels collects every package's
`DEMO` through the registry): a config the adapter accepts, our account there, its credentials and the tokens of our
connected account, which this package's demo replay accepts."""

from __future__ import annotations

from typing import Any

DEMO: dict[str, Any] = {
    "name": "Blog comments (demo sample)",
    "config": {"forum": "gitlab", "backfill_hours": 192},
    "our_accounts": ["gitlab"],
    # The application's public key (reads and posts/create) and secret key (the account's token refresh).
    "credentials": {
        "api_key": "demo-disqus-public-key-not-real",
        "api_secret": "demo-disqus-secret-key-not-a-secret",
    },
    # What the OAuth flow stores (disqus/oauth.py): the access token and the refresh token of the token answer.
    "account_tokens": {
        "access_token": "demo-disqus-access-token-not-a-secret",
        "refresh_token": "demo-disqus-refresh-token-not-a-secret",
    },
}
