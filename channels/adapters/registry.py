from __future__ import annotations

from .base import Adapter, ConfigError
from .hackernews import HackerNewsAdapter

_ADAPTERS: dict[str, Adapter] = {
    HackerNewsAdapter.kind: HackerNewsAdapter(),
}


def get_adapter(kind: str) -> Adapter:
    try:
        return _ADAPTERS[kind]
    except KeyError:
        raise ConfigError(f"No adapter for channel kind {kind!r}.") from None
