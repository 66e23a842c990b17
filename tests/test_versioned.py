"""Values kept in each process's memory under a version in the shared cache (advocacy.versioned):
built once per version, retired by a bump from any process, never served from before a flush."""

import pytest
from django.core.cache import cache
from django.db import transaction

from advocacy.versioned import version_bump, version_get, versioned

KEY = "test:versioned:version"


class Builds:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> list[int]:
        self.count += 1
        return [self.count]


def test_built_once_per_version_then_from_memory():
    build = Builds()
    assert versioned(KEY, "x", build, ttl=60) == [1]
    assert versioned(KEY, "x", build, ttl=60) == [1]
    assert build.count == 1
    assert versioned(KEY, "y", build, ttl=60) == [2]  # another name, its own value


def test_a_bump_from_another_process_retires_this_process_copy():
    build = Builds()
    versioned(KEY, "x", build, ttl=60)
    cache.incr(KEY)  # what version_bump does, as another process would
    assert versioned(KEY, "x", build, ttl=60) == [2]


def test_another_process_reuses_the_shared_copy_of_the_same_version(monkeypatch):
    from advocacy import versioned as module

    build = Builds()
    versioned(KEY, "x", build, ttl=60)
    monkeypatch.setattr(module, "_local", type(module._local)())  # a fresh process's memory
    assert versioned(KEY, "x", build, ttl=60) == [1]
    assert build.count == 1


def test_a_flushed_cache_never_serves_what_a_process_kept_from_before():
    build = Builds()
    before = version_get(KEY)
    versioned(KEY, "x", build, ttl=60)
    cache.delete(KEY)  # as a flush or an eviction would (cache.clear() would flush other runs' keys too)
    assert version_get(KEY) != before  # a new random version, not a count that starts again
    assert versioned(KEY, "x", build, ttl=60) == [2]


@pytest.mark.django_db(transaction=True)
def test_a_bump_is_repeated_at_commit():
    """A process that rebuilt the value between the bump and the commit read the old rows; the
    second bump at commit retires what it kept."""
    start = version_get(KEY)
    with transaction.atomic():
        version_bump(KEY)
        assert version_get(KEY) == start + 1
    assert version_get(KEY) == start + 2
