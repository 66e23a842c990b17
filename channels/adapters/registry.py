"""The one list of platforms: kind -> the module that declares its `PLATFORM` (channels.adapters.platform).

Adding a platform is its package plus one line here (and its `Channel.Kind` choice: the model's choices
are written out so that migrations stay still; the parts test checks the two agree).
"""

from __future__ import annotations

from importlib import import_module

from .base import Adapter, ConfigError
from .platform import Platform

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
    "email": "channels.adapters.email.platform",
    "webhook": "channels.adapters.webhook.platform",
    "slack": "channels.adapters.slack.platform",
    "bluesky": "channels.adapters.bluesky.platform",
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


def platforms() -> list[Platform]:
    """Every registered platform (imports each declaration)."""
    return [platform_of(kind) for kind in PLATFORMS]


def pushed_kinds() -> list[str]:
    """The kinds whose platform pushes to the desk instead of being polled."""
    return [p.kind for p in platforms() if p.pushed]


def get_adapter(kind: str) -> Adapter:
    if kind not in _loaded:
        path = platform_of(kind).adapter
        module, _, name = path.rpartition(".")
        _loaded[kind] = getattr(import_module(module), name)()
    return _loaded[kind]
