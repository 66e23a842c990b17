"""GET /api/analytics/accuracy/ (api.analytics_views.Accuracy): the judgement's accuracy on the mentions the team
checked (metrics.community.checks), per period and group, counted here from the checks; managers only; a bad
parameter is a 400; in the schema. The desk is metrics/tests/community_desk.py's (factories, no platform shapes)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client

from api.tokens import token_create
from mentions.models import Ticket
from mentions.tests.factories import AdvocateFactory, ManagerFactory
from metrics.community.checks import Accuracy, check_record
from metrics.community.volume import period_of
from metrics.models_community import JudgementCheck
from metrics.tests.community_desk import desk_build
from metrics.tests.test_community_checks import QUERY, _drawable

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return desk_build()


def test_the_accuracy_api_counts_the_checks_per_period_and_group(desk):
    tickets = list(Ticket.objects.filter(pk__in=_drawable()).order_by("pk")[:9])
    for i, ticket in enumerate(tickets):
        sentiment = ticket.sentiment if i % 3 else ("positive" if ticket.sentiment != "positive" else "negative")
        check_record(ticket=ticket, user=None, sentiment=sentiment, intent=ticket.intent if i % 2 else "other")
    right: Counter = Counter()
    checked: Counter = Counter()
    for check in JudgementCheck.objects.select_related("ticket"):
        period = period_of(check.ticket.requested_at.date(), "week").isoformat()
        for group, same in (
            ("sentiment", check.sentiment == check.desk_sentiment),
            ("intent", check.intent == check.desk_intent),
        ):
            checked[(period, group)] += 1
            right[(period, group)] += same

    manager = Client(
        headers={"Authorization": f"Bearer {token_create(user=ManagerFactory(), name='a', scope='read', days=1)[1]}"}
    )
    answer = manager.get(f"/api/analytics/accuracy/?{QUERY}&by=week")
    assert answer.status_code == 200, answer.content
    rows = answer.json()["rows"]
    assert [(r["period"], r["group"], r["checked"], r["right"]) for r in rows] == [
        (p, g, checked[(p, g)], right[(p, g)]) for p, g in sorted(checked, key=lambda k: (k[0], k[1] != "sentiment"))
    ]
    first = rows[0]
    assert (first["low"], first["high"]) == Accuracy(first["right"], first["checked"]).interval
    advocate = Client(
        headers={"Authorization": f"Bearer {token_create(user=AdvocateFactory(), name='a', scope='read', days=1)[1]}"}
    )
    assert advocate.get("/api/analytics/accuracy/").status_code == 403
    assert manager.get("/api/analytics/accuracy/?by=year").status_code == 400
    schema = manager.get("/api/schema/?format=json").json()
    assert {"200", "400"} <= set(schema["paths"]["/api/analytics/accuracy/"]["get"]["responses"])
