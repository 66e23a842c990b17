"""The demo desk's channel of this platform (`seed_demo` makes it; channels.demo.channels collects every package's
`DEMO` through the registry): a config the adapter accepts, our account there, its credentials and the tokens of our
connected account, which this package's demo replay accepts."""

from __future__ import annotations

from typing import Any

DEMO: dict[str, Any] = {
    "name": "Bluesky (demo sample)",
    # Notifications bring the mentions of our account and the replies to it; the search finds the posts naming
    # GitLab and our own replies (Bluesky's `from:` syntax: notifications never hold them).
    "config": {"handle": "gitlab.com", "keywords": ["gitlab", "from:gitlab.com"], "backfill_hours": 192},
    "our_accounts": ["gitlab.com"],
    # Any app password signs in on the demo's bsky.social (channels/adapters/bluesky/replay.py).
    "credentials": {"app_password": "demo-bluesky-app-password-not-a-secret"},
    # The session the demo's bsky.social issues on sign-in, as the app password connects the account.
    "account_tokens": {
        "access_token": "demo-bluesky-access-jwt-not-a-secret",
        "refresh_token": "demo-bluesky-refresh-jwt-not-a-secret",
        "pds": "https://bsky.social",
        "did": "did:plc:xggoxpmrtcacmsdtu7zgfxfi",  # the demo's DID of gitlab.com (bluesky/replay.py did_of)
    },
}
