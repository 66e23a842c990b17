"""Exact percentiles for the KPI pages.

A 365-day median over all channels is an order statistic of ~1M first-reply times. PostgreSQL's
percentile_cont sorts them all (over a second per figure at that size, and once per grouping set);
the rollups instead hand over each group's values as one int8 blob and numpy selects the two values
the percentile needs in linear time. numpy earns its place here: a C selection over a
buffer, with no per-value Python object, is what keeps a year's figures under the page's budget.
The result is the same float PostgreSQL's `percentile_cont` gives, which tests check.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np


def values_decode(blob: bytes | memoryview | None, wide: bytes | memoryview | None = None) -> np.ndarray:
    """A rollup's int4send() concatenation (and its int8send() one for values beyond int4) as int64s."""
    narrow = np.frombuffer(blob, dtype=">i4") if blob else np.empty(0, dtype=">i4")
    if not wide:
        return narrow.astype(np.int64)
    return np.concatenate([narrow.astype(np.int64), np.frombuffer(wide, dtype=">i8").astype(np.int64)])


def values_decode_wide(blob: bytes | memoryview | None) -> np.ndarray:
    """An int8send() concatenation (handling times, in microseconds) as int64s."""
    return np.frombuffer(blob, dtype=">i8").astype(np.int64) if blob else np.empty(0, dtype=np.int64)


def values_encode(values: Iterable[int]) -> tuple[bytes, bytes]:
    """The inverse of values_decode (tests use it): the int4 blob and the int8 one."""
    values = list(values)
    narrow = [v for v in values if -(2**31) <= v < 2**31]
    wide = [v for v in values if not -(2**31) <= v < 2**31]
    return np.asarray(narrow, dtype=">i4").tobytes(), np.asarray(wide, dtype=">i8").tobytes()


def _interpolate(position: float, lower_value: float, upper_value: float) -> float:
    """PostgreSQL's percentile_cont step: float(lower) + (float(upper) - float(lower)) * fraction."""
    lower = math.floor(position)
    if lower == math.ceil(position):
        return float(lower_value)
    return float(lower_value) + (float(upper_value) - float(lower_value)) * (position - lower)


def percentile_cont(values: Iterable[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont over a plain list, step for step: the reference the fast path matches."""
    ordered = sorted(float(v) for v in values)
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    return _interpolate(position, ordered[math.floor(position)], ordered[math.ceil(position)])


def array_percentiles_cont(values: np.ndarray, fractions: tuple[float, ...]) -> list[float | None]:
    """The same figures from an unsorted integer array, by selection (np.partition with every rank needed at
    once, linear time) instead of a sort; the interpolation is the one above, so the results are identical."""
    n = len(values)
    if not n:
        return [None for _ in fractions]
    positions = [fraction * (n - 1) for fraction in fractions]
    picked = np.partition(values, sorted({r for p in positions for r in (math.floor(p), math.ceil(p))}))
    return [_interpolate(p, picked[math.floor(p)], picked[math.ceil(p)]) for p in positions]


def array_percentile_cont(values: np.ndarray, fraction: float) -> float | None:
    return array_percentiles_cont(values, (fraction,))[0]
