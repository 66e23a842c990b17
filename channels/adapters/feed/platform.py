"""RSS and Atom feeds, declared for the registry (channels.adapters.platform)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.adapters.platform import Platform
from channels.adapters.reply_rule import NO_REPLIES
from channels.freshness import Bucket

if TYPE_CHECKING:
    from channels.models import Channel

# A site publishes no limit for its feed; the desk is polite: 12 requests an hour per site, half of them for polling
# (channels.freshness), so one feed of a site is read every 10 minutes, and conditional GETs make most of them 304s.
PER_SITE_HOUR = 12


def budget(channel: Channel, config: dict[str, Any]) -> list[Bucket]:
    from urllib.parse import urlsplit  # here: the declaration imports only the descriptor's types at its top

    # One request per feed and poll, counted per site: every channel reading feeds of the same host shares it.
    hosts: dict[str, int] = {}
    for url in config.get("feeds") or []:
        host = (urlsplit(url).hostname or "") if isinstance(url, str) else ""
        hosts[host] = hosts.get(host, 0) + 1
    return [
        Bucket(f"feed:{host}", count, PER_SITE_HOUR, 3600, f"{host}: {PER_SITE_HOUR} feed reads an hour per site")
        for host, count in sorted(hosts.items())
    ]


PLATFORM = Platform(
    kind="feed",
    label="RSS / Atom feed",
    adapter="channels.adapters.feed.FeedAdapter",
    help_text="Entries of RSS or Atom feeds (blogs, newsletters, other projects' changelogs and releases), every "
    "entry or those with your keywords (no account).",
    config_example={"feeds": ["https://github.com/renovatebot/renovate/releases.atom"], "keywords": ["gitlab"]},
    budget=budget,
    watch=None,
    replies=None,
    accounts=None,
    credentials_required=(),
    reply_rule=NO_REPLIES,
    credentials_none="A public feed is read without a key or an account.",
    story_titles=True,
    headline_titles=True,  # an article's or an entry's title is its headline
    unsupported={
        "replies": "A feed is read only: an advocate answers where the entry links (a blog's comments, the "
        "project's tracker), then marks the ticket replied.",
        "accounts": "Nothing is posted through the desk, so no account is connected.",
        "watch": "A feed entry has no thread to read: its comments, where it has any, live on the site it links to.",
    },
)
