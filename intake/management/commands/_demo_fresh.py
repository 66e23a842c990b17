"""`seed_demo --fresh` (`make demo-fresh`): the demo never refills by itself (its week ends the day it was seeded, and
the replays serve nothing after it), so a demo desk weeks old shows a stale week. Starting over makes the embedded
database again and the seed then builds a week ending today, as on the first `make run`.

Only the embedded default's own SQLite file under DESK_VAR_DIR is ever made again: on any other database (a
DATABASE_URL, the container's PostgreSQL) it refuses and deletes nothing."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

REFUSED = (
    "--fresh makes the embedded database (SQLite under DESK_VAR_DIR) again; this desk runs on another database, "
    "which it never wipes."
)


def demo_start_over() -> str:
    """Delete the embedded database, the old demo's queued work and the file cache, then migrate. Returns what it did,
    in words."""
    database = settings.DATABASES["default"]
    embedded = Path(settings.VAR_DIR) / "desk.sqlite3"
    if database["ENGINE"] != "django.db.backends.sqlite3" or Path(str(database["NAME"])) != embedded:
        raise CommandError(REFUSED)
    connections.close_all()
    # The database, and the old demo's queued tasks (polls of channels that no longer exist) in the embedded broker's
    # own SQLite file (advocacy.broker: its tables are made again by the first worker that starts).
    for stem in (embedded, Path(settings.VAR_DIR) / "broker.sqlite3"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{stem}{suffix}").unlink(missing_ok=True)
    # Message files an older desk's file broker left: the files go, the folders stay. And the cached pages and clocks.
    for path in sorted((Path(settings.VAR_DIR) / "celery").rglob("*"), reverse=True):
        if path.is_file():
            path.unlink(missing_ok=True)
    for alias in settings.CACHES:
        caches[alias].clear()
    call_command("migrate", interactive=False, verbosity=0)
    return "Demo: started over with a week ending today (the embedded database was made again; stop `make run` first)."
