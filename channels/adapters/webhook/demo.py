"""The demo desk's channel of this platform (`seed_demo` makes it; channels.demo.channels collects every package's
`DEMO` through the registry): a config the adapter accepts, our account there, its credentials and the tokens of our
connected account, which this package's demo replay accepts."""

from __future__ import annotations

from typing import Any

DEMO: dict[str, Any] = {
    "name": "Status page webhook (demo sample)",
    "config": {},
    "our_accounts": ["desk"],
    # The signing secret the demo's deliveries are signed with (channels.adapters.webhook.replay).
    "credentials": {"secret": "demo-webhook-secret-not-a-secret"},
}
