import pytest
import responses
from django.conf import settings

from access.tests.clients import SignedInClient


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
        raise pytest.UsageError(f"The test suite runs on PostgreSQL (DATABASE_URL); got {engine}.")
    from tests import flush

    flush.install()  # a transactional test's flush as DELETEs: 0.44-1.0 s a test less (tests/flush.py)


@pytest.fixture(autouse=True)
def _clean_cache():
    """Start each test from an empty cache: only this run's keys (see settings_test), so a
    colleague's run on the same Redis is left alone."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    for key in client.scan_iter(f"{prefix}:*", count=1000):
        client.delete(key)
    yield


@pytest.fixture
def handbook_macros(db):
    """The macros the data migration seeds (transactional tests flush them away)."""
    from importlib import import_module

    from django.apps import apps

    seeds = import_module("mentions.migrations.0001_squashed_0052_needs_response_view")
    seeds.macros_seed(apps, None)
    seeds.expert_responded_takes_the_answer(apps, None)


@pytest.fixture
def handbook_rules(db):
    """The triage rules the data migration seeds (transactional tests flush them away)."""
    from importlib import import_module

    from django.apps import apps

    import_module("mentions.migrations.0001_squashed_0052_needs_response_view").rules_seed(apps, None)


def _signed_in(user) -> SignedInClient:
    """A client of its own signed in as `user` (`client.user`), so a test can use several side by side."""
    client = SignedInClient()
    client.user = user
    client.force_login(user)
    return client


@pytest.fixture
def advocate_client(db):
    """A test client signed in as an advocate (`client.user`); its own client, so a test can
    use it beside `manager_client`."""
    from mentions.tests.factories import AdvocateFactory

    return _signed_in(AdvocateFactory())


@pytest.fixture
def manager_client(db):
    """A test client signed in as a manager (`client.user`)."""
    from mentions.tests.factories import ManagerFactory

    return _signed_in(ManagerFactory())


SLACK_POST_URL = "https://slack.com/api/chat.postMessage"


@pytest.fixture
def slack(settings):
    """chat.postMessage answered as Slack documents it (ok, channel id, ts); modules that need other answers
    define their own `slack`."""
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    settings.SLACK_API_URL = "https://slack.com/api"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(SLACK_POST_URL, json={"ok": True, "channel": "C0ADVOCATES", "ts": "1700000000.000100"})
        yield mock
