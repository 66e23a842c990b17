"""The demo desk's Jira Cloud site (`seed_demo` makes its channel; channels.demo.channels collects every package's
`DEMO` through the registry): a tracker to file the demo's bugs in and follow to done, with no Atlassian account.
The site, its project, the e-mail and API token of our account there and the tokens that account is connected with
are made up; this package's demo replay (replay.py) answers them."""

from __future__ import annotations

from typing import Any

EMAIL = "community-desk@example.com"

DEMO: dict[str, Any] = {
    "name": "Jira (demo tracker)",
    "config": {"site": "https://gitlab-demo.atlassian.net", "projects": ["DESK"]},
    "our_accounts": [EMAIL],
    "credentials": {"email": EMAIL, "api_token": "demo-jira-api-token-not-a-secret"},
    # Issues are filed as our account with the channel's e-mail and API token, as "or with the channel's e-mail and API
    # token" stores them (channels.adapters.jira.oauth.api_token_grant).
    "account_tokens": {"access_token": "demo-jira-api-token-not-a-secret", "email": EMAIL, "token_type": "basic"},
}
