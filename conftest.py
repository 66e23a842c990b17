import pytest
from django.conf import settings


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
        raise pytest.UsageError(f"The test suite runs on PostgreSQL (DATABASE_URL); got {engine}.")


@pytest.fixture(autouse=True)
def _clean_cache():
    """Tests share one Redis database: start each from an empty cache."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def handbook_macros(db):
    """The macros the data migration seeds (transactional tests flush them away)."""
    from importlib import import_module

    from django.apps import apps

    import_module("mentions.migrations.0002_seed_macros").seed(apps, None)
