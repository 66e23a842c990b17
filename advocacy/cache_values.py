"""Dropping the cached values that hold some text, whatever the key: an erasure's (people.privacy) rendered rows and
pages (mentions.live's shared fragments, the KPI's figures) and anything else the cache kept of a person, which
a key cannot tell.

Redis (the cache shares its database with the Celery broker, so never a FLUSHDB): a SCAN of the cache's own keys
(`<KEY_PREFIX>:<version>:…`), each value read and dropped when it matches. Django's file cache (the embedded
default, under the var dir): each file's value decompressed and read the same way. Any other backend (the local
memory one) is cleared: there is no way to read it key by key.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache

Matches = Callable[[str], bool]


def _text(raw: bytes) -> str:
    # A pickled str keeps its UTF-8 bytes as they are, so the text is read straight off the value's bytes.
    return raw.decode("utf-8", "ignore")


def _redis_drop(backend: RedisCache, matches: Matches) -> int:
    client: Any = backend._cache.get_client(write=True)  # Django's own helper
    dropped = 0
    for key in client.scan_iter(match=f"{backend.key_prefix}:*", count=500):
        value = client.get(key)
        if value is not None and matches(_text(value)):
            dropped += client.delete(key)
    return dropped


def _file_value(path: Path) -> bytes | None:
    # FileBasedCache writes the expiry pickled, then the value pickled and zlib-compressed.
    try:
        with path.open("rb") as f:
            pickle.load(f)  # noqa: S301 - our own cache's file
            return zlib.decompress(f.read())
    except (OSError, EOFError, pickle.UnpicklingError, zlib.error):
        return None


def _file_drop(backend: FileBasedCache, matches: Matches) -> int:
    dropped = 0
    for name in backend._list_cache_files():  # type: ignore[attr-defined] # Django's own helper
        path = Path(name)
        value = _file_value(path)
        if value is not None and matches(_text(value)):
            path.unlink(missing_ok=True)
            dropped += 1
    return dropped


def cached_values_drop(matches: Matches) -> int:
    """Drop every cached value whose text `matches`; answers how many were dropped (-1: the cache was cleared)."""
    if isinstance(cache, RedisCache):
        return _redis_drop(cache, matches)
    if isinstance(cache, FileBasedCache):
        return _file_drop(cache, matches)
    cache.clear()
    return -1
