"""The database: SQLite under VAR_DIR by default, PostgreSQL (or any database URL) with DATABASE_URL, and a
read replica for the reports with DATABASE_REPLICA_URL."""

from typing import Any

from .environment import VAR_DIR, env

SQLITE_PATH = VAR_DIR / "desk.sqlite3"
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}
# PgBouncer in transaction mode hands each transaction to any server connection, so a cursor declared in one
# autocommit statement is gone (or on another connection) by the next FETCH: `.iterator()` (the CSV exports)
# then fails with 'cursor "_django_curs_..." does not exist' (tests/test_pgbouncer.py). Off, Django fetches
# those rows client-side, still a chunk at a time in Python.
DB_DISABLE_SERVER_SIDE_CURSORS = env.bool("DB_DISABLE_SERVER_SIDE_CURSORS", default=False)
DB_CONN_MAX_AGE = env.int("DB_CONN_MAX_AGE", default=60)


def _postgres(database: dict[str, Any]) -> None:
    database.setdefault("CONN_MAX_AGE", DB_CONN_MAX_AGE)
    database["CONN_HEALTH_CHECKS"] = True
    database["DISABLE_SERVER_SIDE_CURSORS"] = DB_DISABLE_SERVER_SIDE_CURSORS


if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # web, worker and beat share one file: WAL lets readers run beside the single writer,
    # IMMEDIATE takes the write lock at BEGIN so two writers queue instead of deadlocking.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    _postgres(DATABASES["default"])
    # Each database gets its own test database (test_<name>), so test runs against different
    # DATABASE_URLs on one server never drop each other's.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
        "TEST_DATABASE_NAME", default=f"test_{DATABASES['default']['NAME']}"
    )

# A streaming replica of the default database. The KPI page, the monthly report, the CSV and JSON exports and
# the scheduled reports read from it (advocacy.db_router: inside reports_read(), which metrics.rollups.rollups_read
# enters); every write, and every other read, stays on the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    _postgres(DATABASES["replica"])
    # A test run reads the replica's alias from the default's test database instead of creating another.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["advocacy.db_router.ReportsReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
