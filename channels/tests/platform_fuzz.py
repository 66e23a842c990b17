"""Each platform's part of the shared fuzz contract (channels/tests/test_platform_contract_fuzz.py): its recorded
payloads (the fixtures each platform's `tests/fixtures/SOURCES.md` says where they come from), what a mutated one is
read as (the page, and each item a dead letter keeps, read again alone), which payloads are also stored whole or
not at all and into which channel, and the payloads nested thousands deep it must read or refuse in words.

Platforms fuzzed elsewhere: e-mail's payloads are bytes, broken byte-wise (adapters/email/tests/test_email_fuzz.py);
the webhook's is the desk's own JSON, checked field by field (adapters/webhook/tests/test_webhook_payload.py);
feeds' XML, broken byte-wise and polled (adapters/feed/tests/test_feed_fuzz.py). Lobsters' JSON, Telegram's
updates and YouTube's threads are here; their polls and their trees nested thousands deep stay in their folders.
Jira and Linear read no mentions (trackers only): nothing of theirs reaches the ingest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from channels import clean
from channels.adapters.adapter import Adapter
from channels.adapters.bluesky.tests.bsky import bluesky_channel
from channels.adapters.devto.tests.test_devto_adapter import devto_channel
from channels.adapters.discord import DiscordAdapter
from channels.adapters.discourse import DiscourseAdapter
from channels.adapters.disqus.tests.test_disqus_adapter import disqus_channel
from channels.adapters.github.tests.shapes import github_channel
from channels.adapters.lobsters.tests.test_lobsters_adapter import lobsters_channel
from channels.adapters.mastodon.tests.shapes import channel as mastodon_channel
from channels.adapters.reddit.tests.test_reddit_adapter import listing, reddit_channel
from channels.adapters.registry import get_adapter
from channels.adapters.telegram.tests.helpers import GROUP_PAGE, telegram_channel
from channels.adapters.youtube.tests.shapes import youtube_channel
from channels.models import Channel
from channels.tests.fuzzing import deep, deep_dict

ADAPTERS = Path(__file__).resolve().parents[1] / "adapters"
FUZZED_ELSEWHERE = {"email", "webhook", "feed"}
NO_MENTIONS = {"jira", "linear"}

# What one mutated payload is read as: each call is checked by fuzzing.check_parse, in this order.
Reads = Callable[[Any], Iterator[Callable[[], Any]]]


def recorded(kind: str, *, names: tuple[str, ...] = (), nested: bool = False, private: bool = True) -> dict[str, Any]:
    """The platform's recorded JSON fixtures by name (`names`, or all of them; `nested`: in sub-folders too, named
    by their path; `private=False`: without the files whose name starts with "_", the recorded headers)."""
    folder = ADAPTERS / kind / "tests" / "fixtures"
    found = sorted(
        p.relative_to(folder).as_posix()
        for p in (folder.rglob("*.json") if nested else folder.glob("*.json"))
        if private or not p.name.startswith("_")
    )
    return {name: json.loads((folder / name).read_text()) for name in names or found}


def page_and_items(adapter: Adapter, items: Callable[[Any], list[Any]] = lambda payload: []) -> Reads:
    """The payload read as a page, then each of `items(payload)` read alone (a dead letter read again)."""

    def reads(payload: Any) -> Iterator[Callable[[], Any]]:
        yield partial(adapter.parse_page, payload)
        for item in items(payload):
            yield partial(adapter.parse_item, item)

    return reads


# Telegram's recorded updates (its send's answer and the documented error are not pages of updates) and a group's page.
_TELEGRAM = {
    **recorded("telegram", names=("recorded_coffeebot_update.json", "recorded_openintegrations_getupdates_forum.json")),
    "group_page": GROUP_PAGE,
}


def _youtube_items(payload: Any) -> list[Any]:
    """A thread or a comment of a list answer, alone, as the dead-letter table keeps it."""
    items = payload.get("items") if isinstance(payload, dict) else None
    return items[:1] if isinstance(items, list) else [payload]


def _whole(payload: Any) -> list[Any]:
    return [payload]


def _bluesky_items(payload: Any) -> list[Any]:
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        return clean.items(payload.get("posts")) or clean.items(payload.get("notifications"))
    return []


def _disqus_items(payload: Any) -> list[Any]:
    items = payload.get("response") if isinstance(payload, dict) else payload
    return items if isinstance(items, list) else [items]


def _mastodon_items(payload: Any) -> list[Any]:
    return payload if isinstance(payload, list) else []


def _reddit_items(payload: Any) -> list[Any]:
    return clean.items(clean.mapping(payload.get("data")).get("children")) if isinstance(payload, dict) else []


def _stackexchange_items(payload: Any) -> list[Any]:
    items = payload.get("items") if isinstance(payload, dict) else None
    return items[:1] if isinstance(items, list) else []


_DISCORD_THREAD = recorded("discord", names=("docs_thread_channel.json",))["docs_thread_channel.json"]


def _discord_reads(payload: Any) -> Iterator[Callable[[], Any]]:
    """Alone, and inside a saved poll's `{"messages", "threads"}` beside a recorded thread."""
    adapter = DiscordAdapter()
    yield partial(adapter.parse_page, payload)
    yield partial(adapter.parse_page, {"messages": [payload], "threads": [_DISCORD_THREAD, payload]})


def _discourse_reads(payload: Any) -> Iterator[Callable[[], Any]]:
    """Without and with the forum's address (a saved payload names no forum; a poll's does)."""
    adapter = DiscourseAdapter()
    yield partial(adapter.parse_page, payload)
    yield partial(adapter.parse_page, payload, base_url="https://forum.example.com")


def _twitter_reads(payload: Any) -> Iterator[Callable[[], Any]]:
    """Alone, twice in one saved page, then each post of `data` alone."""
    adapter = get_adapter("twitter")
    yield partial(adapter.parse_page, payload)
    yield partial(adapter.parse_page, [payload, payload])
    if isinstance(payload, dict):
        items = payload.get("data")
        for item in items if isinstance(items, list) else [items]:
            yield partial(adapter.parse_item, item)


@dataclass(frozen=True)
class Fuzzed:
    """One platform's part (see the module's note)."""

    payloads: dict[str, Any]
    reads: Reads
    stored: tuple[str, ...] = ()
    channel: Callable[[], Channel] | None = None
    # Payloads nested 5,000 deep by id, besides a bare list nested so deep (fuzzing.deep): parsed to no mention (and,
    # with `deep_rejected`, a rejected item), or an AdapterError, its words short either way.
    deep: dict[str, Any] = field(default_factory=dict)
    deep_rejected: bool = False


def _mastodon() -> Fuzzed:
    payloads = recorded("mastodon", private=False)
    return Fuzzed(
        payloads,
        page_and_items(get_adapter("mastodon"), _mastodon_items),
        stored=tuple(name for name, payload in payloads.items() if isinstance(payload, list)),
        # One channel for every example: the shapes' channel has a fixed slug.
        channel=lambda: Channel.objects.filter(slug="mastodon").first() or mastodon_channel(),
        deep={
            "item-deep-list": [deep(5000)],
            "search-deep-dict": {"statuses": [deep_dict(5000)]},
            "context-deep-list": {"ancestors": deep(5000), "descendants": []},
        },
    )


FUZZED: dict[str, Fuzzed] = {
    "hackernews": Fuzzed(recorded("hackernews"), page_and_items(get_adapter("hackernews"), _whole)),
    "twitter": Fuzzed(recorded("twitter"), _twitter_reads),
    "reddit": Fuzzed(
        recorded("reddit"),
        page_and_items(get_adapter("reddit"), _reddit_items),
        stored=("subreddit_comments_page1.json", "search_all.json", "inbox_username_mentions.json"),
        channel=reddit_channel,
        deep={
            "child-deep-list": listing([deep(5000)]),
            "item-replies-deep-dict": listing([{"kind": "t1", "data": {"replies": deep_dict(5000)}}]),
        },
        deep_rejected=True,
    ),
    "stackexchange": Fuzzed(
        recorded("stackexchange", private=False), page_and_items(get_adapter("stackexchange"), _stackexchange_items)
    ),
    "disqus": Fuzzed(
        recorded("disqus"),
        page_and_items(get_adapter("disqus"), _disqus_items),
        stored=("posts_list.json", "threads_listPosts.json", "posts_listPopular.json"),
        channel=lambda: disqus_channel(our_accounts=[]),
    ),
    "discourse": Fuzzed(recorded("discourse"), _discourse_reads),
    "gitlab": Fuzzed(recorded("gitlab"), page_and_items(get_adapter("gitlab"))),
    "github": Fuzzed(
        recorded("github", nested=True, private=False),
        page_and_items(get_adapter("github")),
        stored=("issues_with_pulls.json", "discussions_page.json", "webhooks/issue_comment.created.json"),
        channel=github_channel,
    ),
    "mastodon": _mastodon(),
    "bluesky": Fuzzed(
        recorded("bluesky"),
        page_and_items(get_adapter("bluesky"), _bluesky_items),
        deep={
            "post-deep-list": {"posts": [deep(5000)]},
            "thread-deep-dict": {"thread": deep_dict(5000)},
            "record-deep-dict": {"notifications": [{"record": deep_dict(5000)}]},
        },
        stored=("aibot_notifications.json", "atat_post_views.json", "search_posts_bluepy.json"),
        channel=bluesky_channel,
    ),
    "discord": Fuzzed(recorded("discord"), _discord_reads),
    "devto": Fuzzed(
        recorded("devto", names=("articles_username_gereltuyamz.json", "comments_tree.json")),
        page_and_items(get_adapter("devto"), _whole),
        stored=("articles_username_gereltuyamz.json", "comments_tree.json"),
        channel=lambda: devto_channel(our_accounts=[]),
    ),
    "lobsters": Fuzzed(
        recorded("lobsters"),
        page_and_items(get_adapter("lobsters"), _whole),
        stored=tuple(recorded("lobsters")),
        channel=lambda: lobsters_channel(our_accounts=[]),
    ),
    "telegram": Fuzzed(
        _TELEGRAM,
        page_and_items(get_adapter("telegram"), _whole),
        stored=tuple(_TELEGRAM),
        channel=lambda: telegram_channel(our_accounts=[]),
    ),
    "youtube": Fuzzed(
        recorded("youtube"),
        page_and_items(get_adapter("youtube"), _youtube_items),
        stored=("threads_by_video.json", "threads_by_channel.json", "comments_by_parent.json"),
        channel=lambda: youtube_channel(our_accounts=[]),
        deep={"thread-deep-dict": {"items": [{"snippet": {"topLevelComment": deep_dict(5000)}}]}},
    ),
    "slack": Fuzzed(recorded("slack", names=("message_markup.json",)), page_and_items(get_adapter("slack"))),
}
