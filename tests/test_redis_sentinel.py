"""Issue 45: with REDIS_SENTINELS and REDIS_SENTINEL_MASTER the cache and the Celery broker find Redis through Sentinel.

A real Redis Sentinel (Debian's /usr/bin/redis-sentinel) is started on a free port, monitoring this machine's
Redis (127.0.0.1:6379) under a master name of this run's own. A separate process with the desk's settings
(advocacy.settings: the ones a deployment runs) sets a cache key, reads it back and sends a Celery task; the key
and the task are then found in this run's Redis database. That process's REDIS_URL names a host that does not
exist and only its database number is used: every connection it made was to the address Sentinel gave.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings

from tests.local_processes import free_port, manage_shell

ROOT = Path(__file__).resolve().parents[1]
SENTINEL = "/usr/bin/redis-sentinel"
MASTER = f"desk-test-{os.getpid()}"
DB = int(urlsplit(settings.REDIS_URL).path.strip("/") or 0)  # this run's database (REDIS_URL), nobody else's
QUEUE = f"sentinel-probe-{os.getpid()}"
KEY = f"sentinel-probe-{os.getpid()}"

# What a web or worker process does with Redis: a cache value written and read back, a task queued.
PROBE = f"""
from django.core.cache import cache
from advocacy.celery import app
cache.set({KEY!r}, {{"through": "sentinel"}}, timeout=60)
print("cache", cache.get({KEY!r}))
app.send_task("tests.sentinel_probe", args=[1], queue={QUEUE!r})
print("sent")
"""


@pytest.fixture
def sentinel() -> Iterator[int]:
    """A Sentinel monitoring the machine's Redis as MASTER; its port. Stopped after the test."""
    assert Path(SENTINEL).exists(), "Install Debian's redis-sentinel (.ci/run does)."
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="desk-sentinel-"))
    config = folder / "sentinel.conf"  # Sentinel rewrites its own configuration: a file of this test's
    config.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {folder}\nsentinel monitor {MASTER} 127.0.0.1 6379 1\n"
        f"sentinel down-after-milliseconds {MASTER} 60000\n"
    )
    log = (folder / "sentinel.log").open("wb")
    process = subprocess.Popen([SENTINEL, str(config)], stdout=log, stderr=subprocess.STDOUT)
    try:
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
        for _ in range(100):
            try:
                if client.sentinel_get_master_addr_by_name(MASTER):
                    break
            except redis.ConnectionError:
                assert process.poll() is None, (folder / "sentinel.log").read_text()
            time.sleep(0.05)
        client.close()
        yield port
    finally:
        process.terminate()
        process.wait(10)
        log.close()
        redis.Redis(host="127.0.0.1", port=6379, db=DB).delete(
            f":1:{KEY}", QUEUE, f"_kombu.binding.{QUEUE}", f"_kombu.binding_permanent.{QUEUE}"
        )
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


def _desk_process(sentinel_port: int) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_TASK_ALWAYS_EAGER")}
    env.update(
        DJANGO_SETTINGS_MODULE="advocacy.settings",
        REDIS_URL=f"redis://no-such-host.invalid:1/{DB}",
        REDIS_SENTINELS=f"127.0.0.1:{sentinel_port}",
        REDIS_SENTINEL_MASTER=MASTER,
    )
    return manage_shell(PROBE, env)


def test_the_cache_and_the_broker_reach_the_master_through_sentinel(sentinel):
    result = _desk_process(sentinel)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-2:] == ["cache {'through': 'sentinel'}", "sent"]
    direct = redis.Redis(host="127.0.0.1", port=6379, db=DB)
    assert direct.exists(f":1:{KEY}")  # the cache's key, with Django's default prefix and version
    assert direct.llen(QUEUE) == 1  # the task, waiting on its queue for a worker
    message = direct.lindex(QUEUE, 0)
    assert isinstance(message, bytes) and b'"task": "tests.sentinel_probe"' in message


def test_without_the_master_name_the_settings_refuse_to_start():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_SENTINEL_MASTER")}
    env.update(DJANGO_SETTINGS_MODULE="advocacy.settings", REDIS_SENTINELS="127.0.0.1:26379")

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode != 0
    assert "set REDIS_SENTINEL_MASTER" in result.stderr
