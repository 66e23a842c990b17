"""The demo desk's channel of this platform (`seed_demo` makes it; channels.demo.channels collects every package's
`DEMO` through the registry): a config the adapter accepts, our account there, its credentials and the tokens of our
connected account, which this package's demo replay accepts."""

from __future__ import annotations

from typing import Any

DEMO: dict[str, Any] = {
    "name": "GitHub issues and discussions (demo sample)",
    # The Terraform provider lives on GitHub; the first poll reads back 30 days, the whole demo week.
    "config": {"repositories": ["gitlabhq/terraform-provider-gitlab"], "backfill_hours": 720},
    "our_accounts": ["gitlab-devrel"],
    "credentials": {"token": "demo-github-token-not-a-secret"},
    # The account posts with the channel's token, as "connect with the channel's token" stores it.
    "account_tokens": {"access_token": "demo-github-token-not-a-secret", "token_type": "pat"},
}
