"""The floor: what the cheapest signed-in page (a missing ticket's 404, bench/pages.py's `floor`) costs in
database queries and Redis round trips, pinned, so a new per-request cost on every page is a decision made in
this file. Redis is the real one the tests use; its commands are counted at redis-py's client, the library's
edge (advocacy/cache_redis.py keeps one client for them all)."""

import pytest
import redis

from mentions.tests.factories import AdvocateFactory

pytestmark = pytest.mark.django_db

# The ticket asked for (none: the cheapest lookup, mentions.selectors.ticket_found, not the ticket page's full
# query), and the navigation's two counts (the advocate's follow-ups, the waiting tickets for the tab title).
# Production reads those two from the cache under the change stamp (mentions/live.py: one query for the stamp
# instead); the tests run with the fragment cache off (settings_test). 4 before issue 41: the user row is now read
# from this process's memory under the user's version (mentions/permissions/user_cache.py).
FLOOR_QUERIES = 3
# The session (cached_db reads the cache, not the database), and the user's version with the permission sets'
# version in one round trip (mentions/permissions/user_cache.py, mentions/permissions/perm_cache.py): still 2 with the
# user row gone.
FLOOR_REDIS_COMMANDS = 2


@pytest.fixture
def redis_commands(monkeypatch):
    sent: list[str] = []
    real = redis.Redis.execute_command

    def counting(self, *args, **options):
        sent.append(str(args[0]))
        return real(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    return sent


def test_the_floor_costs_what_it_did(client, django_assert_num_queries, redis_commands):
    client.force_login(AdvocateFactory())
    client.get("/tickets/0/")  # per-process first-use work (caches filled once) is not what a page costs
    redis_commands.clear()
    with django_assert_num_queries(FLOOR_QUERIES):
        response = client.get("/tickets/0/")
    assert response.status_code == 404
    assert b"Not found" in response.content
    assert len(redis_commands) == FLOOR_REDIS_COMMANDS, redis_commands


def test_a_family_version_is_read_once_a_request_and_asked_again_after_it(client, redis_commands):
    """advocacy.versioned keeps the versions a request read until it ends: the ticket page read the desk's
    settings' version six times. Outside a request (a worker's task, a test after its request) it asks every time."""
    from advocacy import versioned
    from mentions.tests.factories import MessageFactory, TicketFactory

    client.force_login(AdvocateFactory())
    ticket = TicketFactory()
    MessageFactory(ticket=ticket)
    client.get(ticket.get_absolute_url())
    redis_commands.clear()
    assert client.get(ticket.get_absolute_url()).status_code == 200
    asked = [c for c in redis_commands if c in ("GET", "MGET")]
    assert len(asked) <= 8, redis_commands
    assert versioned._memo() is None  # the request ended: nothing kept
    redis_commands.clear()
    versioned.version_get("desk-settings:version")
    versioned.version_get("desk-settings:version")
    assert redis_commands.count("GET") == 2
