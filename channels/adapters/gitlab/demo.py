"""The demo desk's channel of this platform (`seed_demo` makes it; channels.demo.channels collects every package's
`DEMO` through the registry): a config the adapter accepts, our account there, its credentials and the tokens of our
connected account, which this package's demo replay accepts."""

from __future__ import annotations

from typing import Any

DEMO: dict[str, Any] = {
    "name": "GitLab issues (demo sample)",
    # The first poll reads back 30 days (the adapter's most): the whole demo week, even weeks after seeding.
    "config": {"projects": ["gitlab-org/gitlab"], "backfill_hours": 720},
    "our_accounts": ["gitlab-bot"],
    # The access token the demo's gitlab.com (channels/adapters/gitlab/replay.py) accepts.
    "credentials": {"access_token": "demo-gitlab-token-not-a-secret"},
    # The account posts with the channel's token, as "connect with the channel's access token" stores it.
    "account_tokens": {"access_token": "demo-gitlab-token-not-a-secret", "token_type": "private"},
}
