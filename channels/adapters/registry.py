from __future__ import annotations

from importlib import import_module

from .base import Adapter, ConfigError

# Imported on first use, so one platform's client never slows or breaks the others.
_ADAPTERS: dict[str, str] = {
    "hackernews": "channels.adapters.hackernews.HackerNewsAdapter",
    "twitter": "channels.adapters.twitter.TwitterAdapter",
    "reddit": "channels.adapters.reddit.RedditAdapter",
    "stackexchange": "channels.adapters.stackexchange.StackExchangeAdapter",
    "disqus": "channels.adapters.disqus.DisqusAdapter",
    "discourse": "channels.adapters.discourse.DiscourseAdapter",
    "gitlab": "channels.adapters.gitlab.GitLabAdapter",
    "email": "channels.adapters.email.EmailAdapter",
    "webhook": "channels.adapters.webhook.WebhookAdapter",
}
_loaded: dict[str, Adapter] = {}


def get_adapter(kind: str) -> Adapter:
    if kind not in _loaded:
        try:
            path = _ADAPTERS[kind]
        except KeyError:
            raise ConfigError(f"No adapter for channel kind {kind!r}.") from None
        module, _, name = path.rpartition(".")
        _loaded[kind] = getattr(import_module(module), name)()
    return _loaded[kind]
