"""GET /api/analytics/share-of-voice/ (issue 70): rows equal to the raw counts, for managers only, a wrong parameter
a 400 naming it before any figure is queried.

No platform shapes: tickets and counted competitor mentions are made as rows (their poll is tested in
intake/tests/test_competitor_poll.py with Algolia's recorded shapes)."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from api.tokens import token_create
from channels.models import Competitor, CompetitorMention
from channels.tests.factories import ChannelFactory
from mentions.tests.factories import AdvocateFactory, ManagerFactory, TicketFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    secret = token_create(user=user, name="sov", scope="read", days=1)[1]
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    client.get("/api/views/")  # the token's first use writes its last_used_at
    return client


@pytest.fixture
def api():
    return _client(ManagerFactory())


def test_the_rows_are_our_mentions_and_each_competitors_per_period_and_by_sentiment(api):
    channel = ChannelFactory()
    for day, sentiment in [(2, "positive"), (3, "negative"), (10, "neutral")]:
        TicketFactory(channel=channel, requested_at=datetime(2026, 11, day, 9, tzinfo=UTC), sentiment=sentiment)
    acme = Competitor.objects.create(name="Acme CI", terms=["acme ci"])
    for n, (day, sentiment) in enumerate([(4, "negative"), (4, "negative"), (12, "positive")]):
        CompetitorMention.objects.create(
            competitor=acme, channel=channel, kind="hackernews", external_id=str(n),
            posted_at=datetime(2026, 11, day, 9, tzinfo=UTC), sentiment=sentiment,
        )  # fmt: skip

    api.get("/api/analytics/share-of-voice/?from=2026-11-02&to=2026-11-15&by=week")  # the days' rollups made
    with CaptureQueriesContext(connection) as queries:
        answer = api.get("/api/analytics/share-of-voice/?from=2026-11-02&to=2026-11-15&by=week")

    assert answer.status_code == 200
    assert answer.json() == {
        "rows": [
            {"period": "2026-11-02", "group": "us", "mentions": 2, "positive": 1, "negative": 1},
            {"period": "2026-11-02", "group": "Acme CI", "mentions": 2, "positive": 0, "negative": 2},
            {"period": "2026-11-09", "group": "us", "mentions": 1, "positive": 0, "negative": 0},
            {"period": "2026-11-09", "group": "Acme CI", "mentions": 1, "positive": 1, "negative": 0},
        ]
    }
    assert len(queries) <= 9  # the token, the user, permissions; the rollups' dirty days; ours, theirs, the names
    month = api.get("/api/analytics/share-of-voice/?from=2026-11-02&to=2026-11-15&by=month").json()["rows"]
    assert [(r["period"], r["group"], r["mentions"]) for r in month] == [
        ("2026-11-01", "us", 3),
        ("2026-11-01", "Acme CI", 3),
    ]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("by=year", {"by": ['"year" is not a period the desk knows: one of day, week, month.']}),
        ("from=2026-11-20&to=2026-11-01", {"from": ["`from` must not be after `to`."]}),
        ("to=9999-12-31", {"to": ["Dates must be between 2000-01-01 and 2100-12-31."]}),
    ],
)
def test_a_wrong_parameter_is_a_400_naming_it(api, query, errors):
    with CaptureQueriesContext(connection) as queries:
        answer = api.get(f"/api/analytics/share-of-voice/?{query}")
    assert answer.status_code == 400
    assert answer.json() == errors
    assert not [q for q in queries if "mentions_ticket" in q["sql"] or "channels_competitor" in q["sql"]]


def test_an_advocate_is_refused():
    assert _client(AdvocateFactory()).get("/api/analytics/share-of-voice/").status_code == 403
