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
