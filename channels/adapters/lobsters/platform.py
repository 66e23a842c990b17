"""Lobsters, declared for the registry (channels.adapters.platform)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import NO_REPLIES
from channels.adapters.watch import WatchPlan
from channels.freshness import Bucket

if TYPE_CHECKING:
    from channels.models import Channel

# Lobsters throttles at 60 requests a minute per IP (lobsters/lobsters config/initializers/rack_attack.rb) and is
# run by volunteers: the desk allows itself one request a minute, shared by every Lobsters channel (one IP).
HOURLY = 60


def budget(channel: Channel, config: dict[str, Any]) -> list[Bucket]:
    # A poll may spend its whole cap (the listings, then the watched stories' comments), so the cap is what is
    # counted: 5 requests a poll at half of 60 an hour is a poll every 10 minutes.
    from channels.adapters.lobsters.config import DEFAULTS

    requests = int(config.get("max_requests_per_poll") or DEFAULTS["max_requests_per_poll"])
    return [Bucket("lobsters", requests, HOURLY, 3600, f"Lobsters: {HOURLY} an hour per IP (the desk's courtesy)")]


PLATFORM = Platform(
    kind="lobsters",
    label="Lobsters",
    adapter="channels.adapters.lobsters.LobstersAdapter",
    help_text="New Lobsters stories with your tags or keywords, and their comments for a few days (no account).",
    config_example={"tags": ["vcs"], "keywords": ["gitlab"]},
    budget=budget,
    # One read every 8 hours: 100 watched stories are 300 requests a day, a fifth of the desk's 1,440.
    watch=WatchPlan(28_800, 1, HOURLY * 24, f"Lobsters: {HOURLY} an hour per IP (the desk's courtesy)"),
    replies=None,
    accounts=None,
    credentials_required=(),
    reply_rule=NO_REPLIES,
    credentials_none="Lobsters' JSON pages are public: the site is read without an account or key.",
    story_titles=True,
    unsupported={
        "replies": "Lobsters has no write API (its JSON is read-only pages): an advocate replies on the site and "
        "marks the ticket replied (the ticket links there).",
        "accounts": "Nothing is posted through the desk, so no account is connected.",
    },
)
