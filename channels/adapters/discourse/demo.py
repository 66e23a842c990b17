"""The demo desk's channel of this platform (`seed_demo` makes it; channels.demo.channels collects every package's
`DEMO` through the registry): a config the adapter accepts, our account there, its credentials and the tokens of our
connected account, which this package's demo replay accepts."""

from __future__ import annotations

from typing import Any

DEMO: dict[str, Any] = {
    "name": "Community forum (demo sample)",
    "config": {"base_url": "https://forum.gitlab.com"},
    "our_accounts": ["gitlab-team"],
    # A User API key, as the forum's approval page hands it over (channels/adapters/discourse/oauth.py): the
    # key the demo forum (channels/adapters/discourse/replay_writes.py) accepts for our account's writes.
    "account_tokens": {"access_token": "demo-discourse-user-api-key-not-a-secret"},
}
