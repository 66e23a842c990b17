"""The embedded default (SQLite, no Redis) in a subprocess, as `make run`'s processes run: their environment on a var
folder of the test's, `manage.py` there, and the database migrated.

`migrated(var)` runs `manage.py migrate` from nothing once per test process, in a folder of its own, and copies the
database it made into `var`: a migrate from nothing is 10-21 s, and four tests in three files each ran one, and
the bench smoke runs of the three scripts that start `make run`'s processes (tests/bench_smoke.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_template: dict[str, Path] = {}


def embedded_env(var: Path, **extra: str) -> dict[str, str]:
    """`make run`'s environment on `var`: no DATABASE_URL, no REDIS_URL, the demo's replaying platforms."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DJANGO_SETTINGS_MODULE="advocacy.settings", DESK_VAR_DIR=str(var), DESK_DEMO_REPLAY="true", **extra)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def migrated_template() -> Path:
    """The embedded database as `manage.py migrate --noinput` makes it from nothing, made once for this process."""
    if "db" not in _template:
        folder = Path(tempfile.mkdtemp(prefix="embedded-migrated-"))
        done = manage("migrate", "--noinput", env=embedded_env(folder))
        assert done.returncode == 0, done.stderr[-3000:]
        _template["db"] = folder / "desk.sqlite3"
    return _template["db"]


def migrated(var: Path) -> None:
    """`var` holds the embedded database as `manage.py migrate --noinput` makes it from nothing."""
    var.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_template(), var / "desk.sqlite3")
