"""The demo desk's channel of this platform (`seed_demo` makes it; channels.demo.channels collects every package's
`DEMO` through the registry): a config the adapter accepts, our account there, its credentials and the tokens of our
connected account, which this package's demo replay accepts."""

from __future__ import annotations

from typing import Any

DEMO: dict[str, Any] = {
    "name": "Community mailbox (demo sample)",
    "config": {"host": "imap.example.com", "address": "community@example.com"},
    "our_accounts": ["community@example.com"],
    # The IMAP login (the demo's mailbox, channels.adapters.email.replay, accepts only this one).
    "credentials": {"password": "demo-imap-password-not-a-secret"},
}
