"""The one list of platforms: kind -> the module that declares its `PLATFORM` (channels.adapters.platform).

Adding a platform is its package plus one line here, and nothing else: `Channel.kind`'s choices are
`kind_choices`, which migrations store as a reference and call when they are needed (forms, validation, the
API schema), so a new kind needs no migration (`channels/tests/test_kinds_from_registry.py`). Code outside
`channels/adapters/` asks this module what a platform declares and never compares a kind itself
(`channels/tests/test_platform_names.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import Any

from django.utils.module_loading import import_string

from .adapter import Adapter
from .base import ConfigError, Pushed
from .platform import Platform
from .reply_rule import NO_REPLIES

# What posts the desk's reply: `(*, channel, account, session, target, text, style) -> SentReply` (the adapter's
# `post_reply`).
ReplySender = Callable[..., Any]

# In the order admin offers them. A declaration is imported on first use, so one platform's package
# never slows or breaks the others.
PLATFORMS: dict[str, str] = {
    "hackernews": "channels.adapters.hackernews.platform",
    "twitter": "channels.adapters.twitter.platform",
    "reddit": "channels.adapters.reddit.platform",
    "stackexchange": "channels.adapters.stackexchange.platform",
    "disqus": "channels.adapters.disqus.platform",
    "discourse": "channels.adapters.discourse.platform",
    "gitlab": "channels.adapters.gitlab.platform",
    "github": "channels.adapters.github.platform",
    "mastodon": "channels.adapters.mastodon.platform",
    "bluesky": "channels.adapters.bluesky.platform",
    "discord": "channels.adapters.discord.platform",
    "devto": "channels.adapters.devto.platform",
    "lobsters": "channels.adapters.lobsters.platform",
    "feed": "channels.adapters.feed.platform",
    "telegram": "channels.adapters.telegram.platform",
    "youtube": "channels.adapters.youtube.platform",
    "email": "channels.adapters.email.platform",
    "webhook": "channels.adapters.webhook.platform",
    "slack": "channels.adapters.slack.platform",
    "jira": "channels.adapters.jira.platform",
    "linear": "channels.adapters.linear.platform",
}
_declared: dict[str, Platform] = {}
_loaded: dict[str, Adapter] = {}


def platform_of(kind: str) -> Platform:
    """The declaration of `kind`; ConfigError for a kind no package declares."""
    if kind not in _declared:
        try:
            module = PLATFORMS[kind]
        except KeyError:
            raise ConfigError(f"No adapter for channel kind {kind!r}.") from None
        platform = import_module(module).PLATFORM
        if not isinstance(platform, Platform) or platform.kind != kind:
            raise ConfigError(f"{module}.PLATFORM does not declare the platform {kind!r}.")
        _declared[kind] = platform
    return _declared[kind]


_undeclared: dict[str, Platform] = {}


def platform_or_default(kind: str) -> Platform:
    """The declaration of `kind`; for a kind no package declares (a channel left by a removed platform, an
    evaluation set's platform the desk has no package for) a platform with every part at its default and
    nothing supported, so a caller reads a part without a branch of its own."""
    if kind in PLATFORMS:
        return platform_of(kind)
    if kind not in _undeclared:
        _undeclared[kind] = Platform(
            kind=kind,
            label=kind or "Unknown",
            adapter="",
            help_text="",
            config_example={},
            budget=None,
            watch=None,
            replies=None,
            accounts=None,
            credentials_required=(),
            reply_rule=NO_REPLIES,
        )
    return _undeclared[kind]


def platforms() -> list[Platform]:
    """Every registered platform (imports each declaration)."""
    return [platform_of(kind) for kind in PLATFORMS]


def reply_counters_load() -> None:
    """Load what each platform's reply length count needs (X's twitter-text: 0.52 s to import, its regular
    expressions compiled), for a web server's master to do once before it forks its workers: otherwise each worker's
    first page showing such a count (a ticket's Answers panel) paid it (issue 73)."""
    for platform in platforms():
        for rule in (platform.reply_rule, platform.message_rule):
            rule.length("")


def kind_choices() -> list[tuple[str, str]]:
    """`Channel.kind`'s choices: each registered platform's kind and label, in the registry's order. A callable, so
    the model's migrations name this function instead of freezing the list."""
    return [(p.kind, p.label) for p in platforms()]


@contextmanager
def registered(platform: Platform) -> Iterator[Platform]:
    """`platform` registered for the block, as if its package and registry line existed, then removed: a test's
    throwaway kind, declared in the test."""
    if platform.kind in PLATFORMS:
        raise ConfigError(f"The kind {platform.kind!r} is registered already.")
    PLATFORMS[platform.kind] = f"{platform.package}.platform"
    _declared[platform.kind] = platform
    try:
        yield platform
    finally:
        del PLATFORMS[platform.kind]
        _declared.pop(platform.kind, None)
        _loaded.pop(platform.kind, None)


def demo_specs() -> dict[str, dict[str, Any]]:
    """Each platform's demo channel, in the registry's order: its package's `demo.py` (`DEMO`: name, config, our
    accounts, credentials, the connected account's tokens), read by the demo's seed and replays. A platform without
    one has no demo channel of its own (Hacker News replays its own samples; Slack is where the desk talks)."""
    specs: dict[str, dict[str, Any]] = {}
    for kind, declaration in PLATFORMS.items():
        name = declaration.rpartition(".")[0] + ".demo"
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise  # the module exists but imports something missing: a real error
            continue
        specs[kind] = module.DEMO
    return specs


def kinds_where(part: Callable[[Platform], bool]) -> list[str]:
    """The registered kinds whose declaration has `part` (`kinds_where(lambda p: p.front_page)`), in the
    registry's order."""
    return [p.kind for p in platforms() if part(p)]


def pushed_kinds() -> list[str]:
    """The kinds whose platform pushes to the desk instead of being polled."""
    return kinds_where(lambda p: p.pushed)


def reply_sender(kind: str) -> ReplySender | None:
    """What posts the desk's reply on `kind`'s platform (its adapter's `post_reply`), where its declaration says the
    desk posts there (`replies`); None where it cannot."""
    if platform_or_default(kind).replies is None:
        return None
    return get_adapter(kind).post_reply


def push_reader(kind: str) -> Callable[..., Pushed] | None:
    """What reads a delivery `kind`'s platform pushes to the desk's door beside its polling (`push_reader`), or None
    where the door is not the platform's."""
    path = platform_or_default(kind).push_reader
    return None if path is None else import_string(path)


def get_adapter(kind: str) -> Adapter:
    if kind not in _loaded:
        _loaded[kind] = import_string(platform_of(kind).adapter)()
    return _loaded[kind]
