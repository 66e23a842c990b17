"""The Community page's usual ranges ranked ahead of the managers (metrics.community.ahead, the beat's
`metrics.community_ahead`): after the day turns, the beat's run derives the day's list of the most active members, so
the manager's first view of the last 30 days (the page's default) or of a year reads it kept, deriving nothing, and
shows what the tickets say. No platform shapes: tickets made with the factories.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.community import active
from metrics.community.ahead import RANGES_DAYS, members_ahead
from metrics.rollups import rollups_read
from metrics.tasks import community_ahead
from metrics.tests.community_desk import TODAY, _at
from metrics.tests.test_community_active import ranked
from metrics.tests.test_community_rank_change import a_day_later
from people.tests.factories import KIND_CONFIG, IdentityFactory, PersonFactory, ticket_from

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_midnight_margin")]


def derived_or_ranked(**kwargs) -> int:
    """How many statements a view of the range spent making its kept list: the days between two ranges read
    (active_past.SLID_SQL) or the range ranked whole (TOP_SQL)."""
    with rollups_read(), CaptureQueriesContext(connection) as queries:
        active.most_active(**kwargs)
    return sum(1 for q in queries if "bool_or(d.day = ANY" in q["sql"] or "ORDER BY n DESC" in q["sql"])


@pytest.fixture
def members() -> list:
    """Twelve members with mentions over the last year; the busiest also today."""
    from channels.tests.factories import ChannelFactory

    channel = ChannelFactory(kind="reddit", config=KIND_CONFIG["reddit"])
    identities = [
        IdentityFactory(person=PersonFactory(name=f"Regular {i}"), platform="reddit", handle=f"regular{i}")
        for i in range(12)
    ]
    for i, identity in enumerate(identities):
        for n in range(12 - i):
            ticket_from(identity, channel=channel, requested_at=_at(TODAY - timedelta(days=3 + 25 * n + i), 10))
    ticket_from(identities[11], channel=channel, requested_at=_at(TODAY, 8))
    return identities


@pytest.mark.parametrize("days", RANGES_DAYS)
def test_a_days_first_view_finds_its_list_ranked_by_the_beat(members, days):
    start = TODAY - timedelta(days=days - 1)
    ranked(start=start, end=TODAY)  # yesterday's manager (here: today's) viewed the range
    with a_day_later():
        tomorrow = TODAY + timedelta(days=1)
        community_ahead.apply()  # the beat's run after midnight, as the worker runs it
        # The manager's first view of the day: its list kept, nothing derived or ranked; what the tickets say.
        assert derived_or_ranked(start=start + timedelta(days=1), end=tomorrow) == 0
        assert ranked(start=start + timedelta(days=1), end=tomorrow)  # equal to the tickets' ranking (ranked)


def test_without_the_beat_the_days_first_view_derives_its_list(members):
    """What the run saves the manager: the view derives the day's list itself."""
    start = TODAY - timedelta(days=29)
    ranked(start=start, end=TODAY)
    with a_day_later():
        assert derived_or_ranked(start=start + timedelta(days=1), end=TODAY + timedelta(days=1)) == 1


def test_each_run_ranks_the_usual_ranges_and_a_second_one_the_same_day_ranks_nothing_again(members):
    assert members_ahead(today=TODAY) == len(RANGES_DAYS)
    with CaptureQueriesContext(connection) as queries:
        assert members_ahead(today=TODAY) == len(RANGES_DAYS)
    assert not [q for q in queries if "bool_or(d.day = ANY" in q["sql"] or "ORDER BY n DESC" in q["sql"]]


def test_a_desk_of_two_products_has_each_products_ranges_ranked_too(members):
    """A manager reads the page narrowed to a product as often as the whole desk's (issue 71)."""
    from mentions.models import Ticket
    from metrics.product_scope import product_narrowed
    from metrics.tests.product_desk import products_make

    kiln, cloud = products_make()
    Ticket.objects.filter(pk__in=list(Ticket.objects.order_by("pk").values_list("pk", flat=True))[::2]).update(
        product=cloud
    )
    start = TODAY - timedelta(days=29)
    for product in (None, kiln.pk, cloud.pk):
        with product_narrowed(product):
            ranked(start=start, end=TODAY)
    with a_day_later():
        assert community_ahead.apply().get() == 3 * len(RANGES_DAYS)
        for product in (None, kiln.pk, cloud.pk):
            with product_narrowed(product):
                assert derived_or_ranked(start=start + timedelta(days=1), end=TODAY + timedelta(days=1)) == 0
