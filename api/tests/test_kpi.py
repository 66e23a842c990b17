"""GET /api/kpi/ checks its range as the KPI page does (metrics.forms: dates from 2000-01-01 to 2100-12-31,
at most 366 days, `from` not after `to`): a 400 naming each wrong parameter, never a 500, and never a query
for figures over centuries. The cases are the issue's: `to=9999-12-31` was an OverflowError (500), a
4,500-year range ran 18.6 s."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from api.tokens import token_create
from channels.tests.factories import ChannelFactory
from mentions.tests.factories import ManagerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return ManagerFactory(username="mo")


@pytest.fixture
def api(manager):
    secret = token_create(user=manager, name="kpi", scope="read", days=1)[1]
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    client.get("/api/views/")  # the token's first use writes its last_used_at: not counted below
    return client


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("to=9999-12-31", {"to": ["Dates must be between 2000-01-01 and 2100-12-31."]}),
        ("from=0001-01-01", {"from": ["Dates must be between 2000-01-01 and 2100-12-31."]}),
        ("from=2000-01-01&to=6500-12-31", {"to": ["Dates must be between 2000-01-01 and 2100-12-31."]}),
        ("from=2000-01-01&to=2100-12-31", {"from": ["Choose at most 366 days from `from` to `to`."]}),
        ("from=2026-10-02&to=2026-10-01", {"from": ["`from` must not be after `to`."]}),
        ("from=2023-01-01&to=2024-01-02", {"from": ["Choose at most 366 days from `from` to `to`."]}),
        (
            "from=yesterday&to=2026-02-30&channel=one",
            {
                "from": ["A date as YYYY-MM-DD, such as 2026-10-31."],
                "to": ["A date as YYYY-MM-DD, such as 2026-10-31."],
                "channel": ["A whole number, such as 7."],
            },
        ),
        ("from=2026-1-5", {"from": ["A date as YYYY-MM-DD, such as 2026-10-31."]}),
        ("channel=0", {"channel": [f"Between 1 and {2**63 - 1}."]}),
    ],
)
def test_a_wrong_range_is_a_400_naming_each_parameter_before_any_figure_is_queried(api, query, errors):
    with CaptureQueriesContext(connection) as queries:
        answer = api.get(f"/api/kpi/?{query}")
    assert answer.status_code == 400
    assert answer.json() == errors
    # The token's row, the user's, their permissions: nothing of the figures.
    assert not [q for q in queries if "mentions_ticket" in q["sql"] or "metrics_" in q["sql"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("from=2024-01-01&to=2024-12-31", ("2024-01-01", "2024-12-31")),  # 366 days, a leap year: the longest
        ("from=2026-10-01&to=2026-10-01", ("2026-10-01", "2026-10-01")),
        ("to=2000-01-05", ("2000-01-01", "2000-01-05")),  # the page's 30 days before `to`, not before 2000
        ("to=2026-10-30&from=", ("2026-10-01", "2026-10-30")),  # empty is left out; 30 days, as the page
    ],
)
def test_a_range_within_the_rule_answers_its_figures(api, query, expected):
    answer = api.get(f"/api/kpi/?{query}")
    assert answer.status_code == 200, answer.content
    assert (answer.json()["range"]["from"], answer.json()["range"]["to"]) == expected
    assert answer.json()["first_reply"]["all"]["replied"] == 0


def test_a_channel_that_does_not_exist_is_a_404_and_one_that_does_has_its_figures(api):
    channel = ChannelFactory(name="Forum")
    assert api.get(f"/api/kpi/?channel={channel.pk + 1000}").status_code == 404
    answer = api.get(f"/api/kpi/?channel={channel.pk}")
    assert answer.status_code == 200 and answer.json()["channel"] == "Forum"


@pytest.mark.parametrize(
    "query",
    [
        "to=9999-12-31",
        "from=0001-01-01",
        "from=2000-01-01&to=2100-12-31",
        "from=2026-10-02&to=2026-10-01",
        "from=2024-01-01&to=2024-12-31",
        "from=2023-01-01&to=2024-01-02",
        "from=2026-10-01&to=2026-10-28",
        "to=2000-01-05",
    ],
)
def test_the_api_refuses_a_range_exactly_when_the_kpi_page_does(api, manager, query):
    page = Client()
    page.force_login(manager)
    assert (api.get(f"/api/kpi/?{query}").status_code == 400) == (page.get(f"/kpi/?{query}").status_code == 400)
