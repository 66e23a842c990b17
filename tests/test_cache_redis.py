"""The desk's Redis cache (advocacy/cache_redis.py) against the real Redis the tests use: one client object
is reused for every call, and the cache still does what Django's does (values, misses, many at once,
counters, expiry, an unreachable server raising as before)."""

import threading
import time

import pytest
import redis
from django.conf import settings
from django.core.cache import cache, caches

from advocacy.cache_redis import SharedClientRedisCache, SharedClientRedisCacheClient


def test_the_desk_uses_it():
    assert settings.CACHES["default"]["BACKEND"] == "advocacy.cache_redis.SharedClientRedisCache"
    assert isinstance(caches["default"], SharedClientRedisCache)


def test_one_client_for_every_call():
    backend = caches["default"]._cache  # type: ignore[attr-defined]
    assert isinstance(backend, SharedClientRedisCacheClient)
    first = backend.get_client("a")
    assert backend.get_client("b") is first
    assert backend.get_client("c", write=True) is first  # one server: reads and writes share its pool


def test_values_round_trip_as_with_djangos_client():
    cache.set("shared-client:v", {"n": 1}, timeout=30)
    cache.set("shared-client:i", 41, timeout=30)
    assert cache.get("shared-client:v") == {"n": 1}
    assert cache.get("shared-client:missing", "default") == "default"
    assert cache.incr("shared-client:i") == 42
    assert cache.get_many(["shared-client:v", "shared-client:i", "shared-client:missing"]) == {
        "shared-client:v": {"n": 1},
        "shared-client:i": 42,
    }
    assert cache.delete("shared-client:v") is True
    assert cache.get("shared-client:v") is None


def test_expiry_still_applies():
    cache.set("shared-client:short", "x", timeout=1)
    time.sleep(1.2)
    assert cache.get("shared-client:short") is None


def test_threads_share_the_client_safely():
    backend = caches["default"]._cache  # type: ignore[attr-defined]
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            client = backend.get_client()
            for i in range(50):
                client.set(f"{cache.key_prefix}shared-client:t{n}", i, ex=30)
                assert int(client.get(f"{cache.key_prefix}shared-client:t{n}")) == i
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_an_unreachable_server_raises_as_before():
    down = SharedClientRedisCache("redis://127.0.0.1:9/0", {})  # port 9 ("discard"): nothing listens
    with pytest.raises(redis.exceptions.ConnectionError):
        down.get("anything")
