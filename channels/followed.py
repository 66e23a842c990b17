"""What a channel follows the product by, read from its settings (channels/adapters/*/config.py): one reading
for the apps that need the product's own words (the judgement's relevance, the answers' evidence)."""

from __future__ import annotations

from typing import Any

# Searches' keywords and Stack Exchange's tags: words, unlike X's search queries (query syntax).
SEARCHED_KEYS = ("keywords", "tags")


def config_strings(value: Any) -> list[str]:
    """A setting's strings, whether it holds one or a list (anything else is ignored)."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def searched_words(config: Any, keys: tuple[str, ...] = SEARCHED_KEYS) -> list[str]:
    """The words a channel's settings search for under `keys`."""
    if not isinstance(config, dict):
        return []
    return [word for key in keys for word in config_strings(config.get(key))]
