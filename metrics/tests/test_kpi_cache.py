"""The KPI page's figures are served from the cache while nothing changed, and never after a change."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from channels.tests.factories import ChannelFactory
from mentions.models import Target
from mentions.tests.factories import ManagerFactory
from metrics.tests.factories import ticket_make

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("metrics:dashboard")


@pytest.fixture
def manager_client(client):
    client.force_login(ManagerFactory())
    return client


def _get(client) -> tuple[str, int]:
    """The page without its per-request CSRF token, and the queries it took."""
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(DASHBOARD).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html), len(ctx.captured_queries)


def test_a_new_ticket_shows_on_the_next_request_and_the_unchanged_page_is_cached(manager_client):
    forum = ChannelFactory(name="Forum")
    now = timezone.now()
    ticket_make(channel=forum, requested_at=now - timedelta(hours=3), frt_seconds=3600)
    first, computed = _get(manager_client)
    again, cached = _get(manager_client)
    assert again == first and cached < computed  # nothing changed: the same figures, fewer queries
    assert "Replied" in first

    ticket_make(channel=forum, requested_at=now - timedelta(hours=2), frt_seconds=7200)  # a second reply, 2 h
    after, queries = _get(manager_client)
    assert queries > cached  # recomputed
    assert after != first
    # Median of 1 h and 2 h: 1.50 h, on the page at once.
    assert "1.50" in after and "1.50" not in first


def test_a_new_target_shows_on_the_next_request(manager_client):
    forum = ChannelFactory(name="Forum")
    ticket_make(channel=forum, requested_at=timezone.now() - timedelta(hours=3), frt_seconds=3600)
    before, _ = _get(manager_client)
    Target.objects.update_or_create(group=Target.Group.ALL, defaults={"median_hours": 0.25})
    after, _ = _get(manager_client)
    assert after != before
    assert "0.25" in after and "0.25" not in before
