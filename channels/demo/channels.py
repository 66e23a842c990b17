"""The demo desk's channel of each kind (`seed_demo` makes them), as each platform's package declares it in its
`demo.py` (collected through the registry, channels.adapters.registry.demo_specs): a config its adapter accepts, our
account there, and whether its tickets open high. Their API is answered by channels.demo.replay, so they are polled
like any channel; the day a demo channel was made anchors its week (the posts are "N days before" that day).
`account_tokens`: the tokens of our account there (its first `our_accounts`), connected to reply from the desk
(channels.demo.accounts); the demo's replay of that platform answers what it sends. `account_username`: the name
that account is connected under when `our_accounts` holds an id (the platform's sign-in names it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from channels.adapters.registry import demo_specs

# Each platform's demo channel, from its package's demo.py (channels.adapters.<kind>.demo), in the registry's order.
DEMO_CHANNELS: dict[str, dict[str, Any]] = demo_specs()


def demo_slug(kind: str) -> str:
    return f"{kind}-demo"


def demo_anchor(kind: str) -> datetime | None:
    """When the demo channel of `kind` was made (its week ends that day); None before `seed_demo` ran.
    One query per replayed request: the demo polls a few times a minute."""
    from channels.models import Channel

    return Channel.objects.filter(slug=demo_slug(kind)).values_list("created_at", flat=True).first()
