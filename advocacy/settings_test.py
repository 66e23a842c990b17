"""Test settings: the real services on localhost unless the environment says otherwise."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_desk")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("DESK_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))

# Under pytest-xdist (`-n 2`, as `make test` runs) each worker has its own PostgreSQL database (pytest-django
# suffixes the name), and here its own Redis database and files: tests read the broker's queues and start
# workers on it, which another worker's tasks must not reach. gw0 keeps the given ones.
# The processes a test starts (a Celery worker, a second web) inherit the worker's environment and read these
# settings again: they take the same values, from the ones given before any worker's (kept in DESK_TEST_GIVEN).
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER.startswith("gw") and _WORKER != "gw0":
    os.environ.setdefault("DESK_TEST_GIVEN", f"{os.environ['REDIS_URL']} {os.environ['DESK_VAR_DIR']}")
    _redis, _var = os.environ["DESK_TEST_GIVEN"].split(" ", 1)
    _base, _, _db = _redis.rpartition("/")
    os.environ["REDIS_URL"] = f"{_base}/{(int(_db or 0) - int(_WORKER[2:])) % 16}"
    os.environ["DESK_VAR_DIR"] = f"{_var}-{_WORKER}"

from .settings import *  # noqa: E402, F403  (after the environment above, which it reads)

# The replica's alias, as the default's test mirror (Django's "Testing primary/replica configurations"): the
# suite starts with two aliases as a deployment with DATABASE_REPLICA_URL does. Its router is off here, so a
# report's reads stay on "default", inside the test's uncommitted transaction; tests/test_replica.py turns it on.
DATABASES.setdefault("replica", {**DATABASES["default"], "TEST": {"MIRROR": "default"}})  # noqa: F405
DATABASE_ROUTERS = []
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never used outside tests
CELERY_BROKER_URL = os.environ["REDIS_URL"]
# Each test run keeps its cache keys apart, so runs sharing one Redis never clear each other's.
CACHES["default"]["KEY_PREFIX"] = f"test{os.getpid()}"  # noqa: F405
# Tests write inside a transaction that never commits, so the change stamp (bumped at commit) never
# moves there: the shared fragment cache is tested on its own, with committed writes
# (mentions/tests/test_live.py), and off everywhere else.
DESK_FRAGMENT_CACHE = False
# Staff need two-factor authentication in every other setting (the default). Tests sign staff in with
# force_login to test admin pages; the requirement itself is tested with it on (access/tests).
DESK_2FA_REQUIRED_FOR_STAFF = False
