"""The database: SQLite under VAR_DIR by default, PostgreSQL (or any database URL) with DATABASE_URL."""

from .environment import VAR_DIR, env

SQLITE_PATH = VAR_DIR / "desk.sqlite3"
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # web, worker and beat share one file: WAL lets readers run beside the single writer,
    # IMMEDIATE takes the write lock at BEGIN so two writers queue instead of deadlocking.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Each database gets its own test database (test_<name>), so test runs against different
    # DATABASE_URLs on one server never drop each other's.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
        "TEST_DATABASE_NAME", default=f"test_{DATABASES['default']['NAME']}"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
