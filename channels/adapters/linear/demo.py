"""The demo desk's Linear workspace (`seed_demo` makes its channel; channels.demo.channels collects every package's
`DEMO` through the registry): a tracker to file the demo's bugs in and follow to done, with no Linear account. The
workspace, its team, the API key and our account there are made up; this package's demo replay (replay.py) answers
them."""

from __future__ import annotations

from typing import Any

DEMO: dict[str, Any] = {
    "name": "Linear (demo tracker)",
    "config": {"teams": ["ENG"]},
    "our_accounts": ["community-desk"],
    "credentials": {"api_key": "lin_api_demo_key_not_a_secret"},
    # Issues are filed as our account with the channel's API key, as "or with the channel's API key" stores it
    # (channels.adapters.linear.oauth.api_key_grant: sent bare, not as Bearer).
    "account_tokens": {"access_token": "lin_api_demo_key_not_a_secret", "token_type": "api_key"},
}
