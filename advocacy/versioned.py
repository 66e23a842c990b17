"""Values that change a few times a year (the macro list, a user's permission sets, the expert
directory), read on every page: one cache round trip for their version, then the value from this
process's memory.

A family of values has a version key in the shared cache. Any change bumps it (a signal handler
calls `version_bump`), so every process sees the change on its next read. The value itself is
built once per version: from this process's memory when it has it, else from the shared cache,
else from the database. A version is never reused: a missing version key (a flushed or evicted
cache) starts again from a new random number, so an entry a process kept from before the flush
cannot be taken for the new one.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction

T = TypeVar("T")

LOCAL_ENTRIES = 1024  # per process; a user's permission sets are one entry each
_local: OrderedDict[tuple[str, str, int], Any] = OrderedDict()
_lock = threading.Lock()


def _fresh() -> int:
    # Far above any count a family reaches by increments, and different after every flush.
    return secrets.randbelow(2**52) + 2**40


# While a request is answered, the versions it read, so that a family is asked once per request (a ticket page
# asked the desk's settings' version six times, one cache round trip each): set at request_started, dropped at
# request_finished, so a worker's task (no request) always asks. Per thread: gthread workers answer one request
# per thread at a time.
_request = threading.local()


def _request_began(**kwargs: Any) -> None:
    _request.versions = {}


def _request_ended(**kwargs: Any) -> None:
    _request.versions = None


request_started.connect(_request_began, dispatch_uid="versioned-request-began")
request_finished.connect(_request_ended, dispatch_uid="versioned-request-ended")


def _memo() -> dict[str, int] | None:
    return getattr(_request, "versions", None)


def version_get(version_key: str) -> int:
    """The family's current version (set to a new random one when missing); read once per request."""
    memo = _memo()
    if memo is not None and version_key in memo:
        return memo[version_key]
    version = cache.get(version_key)
    if version is None:
        cache.add(version_key, _fresh(), timeout=None)
        version = cache.get(version_key)
    if memo is not None:
        memo[version_key] = int(version)
    return int(version)


def versions_get(*version_keys: str) -> dict[str, int]:
    """Several families' current versions in one cache round trip (each set to a new random one when missing)."""
    memo = _memo() or {}
    wanted = [key for key in version_keys if key not in memo]
    found = cache.get_many(wanted) if wanted else {}
    return {
        key: memo[key] if key in memo else int(found[key]) if key in found else version_get(key) for key in version_keys
    }


def _bump(version_key: str) -> None:
    memo = _memo()
    if memo is not None:  # this request's own change: its next read sees the new version
        memo.pop(version_key, None)
    try:
        cache.incr(version_key)
    except ValueError:  # not set (or evicted): any new value retires the old entries
        cache.set(version_key, _fresh(), timeout=None)


def version_bump(version_key: str) -> None:
    """Retire the family's values now, and again when the transaction commits: a process that
    rebuilt the value in between read the data from before the commit."""
    _bump(version_key)
    transaction.on_commit(lambda: _bump(version_key))


def version_bump_now(version_key: str) -> None:
    """Retire the family's values now only: for a change made outside any transaction (a setting)."""
    _bump(version_key)


def versioned(version_key: str, name: str, build: Callable[[], T], *, ttl: int, version: int | None = None) -> T:
    """`build()`'s value for the family's current version (`version` when the caller read it already, with
    `versions_get`). Callers must treat it as read-only: the same object is handed to every request of this
    process."""
    version = version_get(version_key) if version is None else version
    local_key = (version_key, name, version)
    with _lock:
        if local_key in _local:
            _local.move_to_end(local_key)
            return _local[local_key]
    shared_key = f"{version_key}:{version}:{name}"
    value = cache.get(shared_key)
    if value is None:
        value = build()
        cache.set(shared_key, value, ttl)
    with _lock:
        _local[local_key] = value
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)
    return value
