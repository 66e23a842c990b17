"""The demo desk's channel of this platform (`seed_demo` makes it; channels.demo.channels collects every package's
`DEMO` through the registry): a config the adapter accepts, our account there, its credentials and the tokens of our
connected account, which this package's demo replay accepts."""

from __future__ import annotations

from typing import Any

# Our account is a user id: the adapter matches Stack Exchange authors by owner.user_id. The first poll
# reads the whole week back (backfill_hours), as its replay serves it.
DEMO: dict[str, Any] = {
    "name": "Stack Overflow (demo sample)",
    "config": {"site": "stackoverflow", "tags": ["gitlab"], "backfill_hours": 192},
    "our_accounts": ["9071001"],
    # The app key (stackapps.com) that writes need next to the account's token; reads carry it too.
    "credentials": {"key": "demo-stackexchange-app-key-not-a-secret"},
    # What the OAuth flow stores (stackexchange/oauth.py): an access token only, `no_expiry`, no refresh token.
    "account_tokens": {"access_token": "demo-stackexchange-access-token-not-a-secret"},
    "account_username": "GitLab Advocate",  # its display_name, which the flow stores (oauth.py _whoami)
}
