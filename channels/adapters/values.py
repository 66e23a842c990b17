"""Reading loosely typed values out of platform JSON and headers."""

from __future__ import annotations

import math
from typing import Any


def finite_number(value: Any) -> float | None:
    """A finite number from a JSON value or a header string ("599.0"); None for anything else
    (booleans, NaN, infinity, text)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def whole_numbers_check(config: dict[str, Any], limits: dict[str, tuple[int, int]]) -> None:
    """Each setting of `limits` present in `config` is a whole number within its bounds
    (booleans refused: JSON true is not 1 here), else a ConfigError naming it."""
    from .base import ConfigError

    for key, (low, high) in limits.items():
        if key not in config:
            continue
        value = config[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError(f'"{key}" must be a whole number from {low} to {high}; got {value!r}.')


def config_keys_check(config: Any, *, allowed: set[str], platform: str, example: str) -> None:
    """A config is a JSON object naming only known settings, else a ConfigError that lists them."""
    from .base import ConfigError

    if not isinstance(config, dict):
        raise ConfigError(f"Config must be a JSON object like {example}.")
    unknown = set(config) - allowed
    if unknown:
        raise ConfigError(
            f"Unknown {platform} setting(s): {', '.join(sorted(map(str, unknown)))}. "
            f"Allowed: {', '.join(sorted(allowed))}."
        )
