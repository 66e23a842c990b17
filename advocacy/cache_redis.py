"""Django's Redis cache, with one client object per connection pool instead of one per cache call.

Django's RedisCacheClient.get_client builds a new `redis.Redis` for every get, set or get_many, and redis-py's
constructor copies its table of ~170 response callbacks each time: on a signed-in page that makes three to six
cache calls it was the largest single cost in the cache layer (bench/page_profile.py). A `redis.Redis` holds no
connection of its own (it borrows one from the pool per command) and is safe to share between threads, so the
one kept here behaves exactly as the fresh ones did. The pools are Django's, unchanged (and redis-py's pool
already starts over in a forked process).

With REDIS_SENTINELS the same client takes its pool from Redis Sentinel (SentinelRedisCache below).
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own helpers, which django-stubs does not declare.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            # Keyed by the pool's identity: Django keeps each pool for the life of this object.
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient


# How long a sentinel may take to answer before the next one is asked: one that is down must not stall a page.
SENTINEL_SOCKET_TIMEOUT = 1.0


class SentinelRedisCacheClient(SharedClientRedisCacheClient):
    """The same client, its pool finding the master through Redis Sentinel (REDIS_SENTINELS): the servers are the
    sentinels' `host:port`, and a connection asks them for the master each time it connects, so after a failover
    the pool's next connection goes to the new master. Reads go to the master too: a replica's copy of a live-page
    stamp or a rate limit could be behind."""

    def __init__(self, servers: list[str], *, master_name: str, **options: Any) -> None:
        super().__init__(servers, **options)
        self._master_name = master_name
        self._sentinels = [(host, int(port)) for host, _, port in (server.rpartition(":") for server in servers)]
        self._sentinel_pool: Any = None

    def _get_connection_pool(self, write: bool) -> Any:
        if self._sentinel_pool is None:
            from redis.sentinel import Sentinel, SentinelConnectionPool

            sentinel = Sentinel(self._sentinels, socket_timeout=SENTINEL_SOCKET_TIMEOUT)
            # Django's connection options (parser, db, password, timeouts), as its own pools get them.
            options = self._pool_options  # type: ignore[attr-defined]
            self._sentinel_pool = SentinelConnectionPool(self._master_name, sentinel, **options)
        return self._sentinel_pool


class SentinelRedisCache(RedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SentinelRedisCacheClient
