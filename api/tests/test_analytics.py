"""GET /api/analytics/volume/ and /returning/ (api.analytics_views): the rows are the counts of the raw rows, the
same as the selectors'; managers only; a bad parameter is a 400 naming it; both in the schema. The desk is
metrics/tests/community_desk.py's (factories, no platform shapes)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from api.tokens import token_create
from mentions.tests.factories import AdvocateFactory, ManagerFactory
from metrics.community import members, volume
from metrics.rollups import rollups_read, rollups_refresh
from metrics.tests.community_desk import END, START, _expected_volume, desk_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return desk_build()


QUERY = f"from={START}&to={END}"


@pytest.fixture
def api():
    def client_for(user):
        secret = token_create(user=user, name="analytics", scope="read", days=1)[1]
        return Client(headers={"Authorization": f"Bearer {secret}"})

    return client_for


@pytest.mark.parametrize("group", volume.GROUPS)
def test_the_volume_api_rows_are_the_raw_counts(desk, api, group, django_assert_max_num_queries):
    client = api(ManagerFactory())
    client.get("/api/views/")  # the token's first use writes its last_used_at
    rollups_refresh()  # the tickets' days, built once (a read refreshes what changed since)
    with django_assert_max_num_queries(12):
        response = client.get(f"/api/analytics/volume/?{QUERY}&by=week&group={group}")
    assert response.status_code == 200, response.content
    expected = _expected_volume(desk["rows"], by="week", group=group)
    assert response.json() == {"rows": [{**r, "period": r["period"].isoformat()} for r in expected]}


def test_the_returning_api_answers_the_selectors_rows(desk, api, django_assert_max_num_queries):
    since = START - timedelta(days=7)  # every member's first mention is in that week
    client = api(ManagerFactory())
    url = f"/api/analytics/returning/?from={since}&to={END}&by=month"
    client.get(url)  # the token's first use writes its last_used_at; the day rollup's first build
    # The token and its permissions (3), the refresh's check, the targets, the targets the day rollup was counted
    # with, and its rows.
    with django_assert_max_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200
    rows = response.json()["rows"]
    assert {r["group"] for r in rows} == {members.WITHIN, members.NOT_WITHIN}
    assert sum(r["members"] for r in rows) == len({r["person"] for r in desk["rows"]})
    with rollups_read():
        mine = members.returning_rows(start=since, end=END, by="month", now=timezone.now())
    assert rows == [{**r, "period": r["period"].isoformat()} for r in mine]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("by=year", "by"), ("group=colour", "group"), ("from=2026-13-01", "from"), ("channel=x", "channel")],
)
def test_a_bad_parameter_is_a_400_naming_it(api, query, parameter):
    response = api(ManagerFactory()).get(f"/api/analytics/volume/?{query}")
    assert response.status_code == 400
    assert parameter in str(response.json())


def test_the_api_is_for_managers(api):
    for path in ("/api/analytics/volume/", "/api/analytics/returning/"):
        assert api(AdvocateFactory()).get(path).status_code == 403
        assert Client().get(path).status_code == 401


def test_the_schema_documents_both_routes(api):
    schema = api(ManagerFactory()).get("/api/schema/?format=json").json()
    for path in ("/api/analytics/volume/", "/api/analytics/returning/"):
        assert {"200", "400"} <= set(schema["paths"][path]["get"]["responses"])
