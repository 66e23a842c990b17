"""Issue 58: `make run`'s runserver parent (Django's reloader, which only restarts its child) loads none of the
desk's apps; the child serves and reloads as before."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from manage import runserver_reloader
from tests.local_processes import free_port

ROOT = Path(__file__).resolve().parents[1]


def test_only_runserver_with_its_reloader_is_the_light_parent():
    assert runserver_reloader(["manage.py", "runserver", "127.0.0.1:8000"], {})
    assert not runserver_reloader(["manage.py", "runserver", "--noreload"], {})
    assert not runserver_reloader(["manage.py", "runserver"], {"RUN_MAIN": "true"})  # the child
    assert not runserver_reloader(["manage.py", "migrate"], {})
    assert not runserver_reloader(["manage.py"], {})


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_the_parent_stays_small_and_its_child_serves(tmp_path):
    port = free_port()
    # The embedded default, as `make run` starts it: SQLite and the file cache in a fresh DESK_VAR_DIR.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE", "REDIS", "RUN_MAIN"))}
    env.update(DJANGO_SETTINGS_MODULE="advocacy.settings", DESK_VAR_DIR=str(tmp_path))
    parent = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("runserver's child never listened")
        children = _children(parent.pid)
        assert len(children) == 1  # the server, started by the parent with RUN_MAIN=true
        assert _rss_mib(parent.pid) < 40  # the whole desk loaded is over 100 MiB (the child)
        assert _rss_mib(children[0]) > _rss_mib(parent.pid)
    finally:
        parent.terminate()  # as honcho stops it: the parent exits, and its child with it
        parent.wait(timeout=30)
    assert parent.returncode == 0
