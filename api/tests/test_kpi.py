"""GET /api/kpi/ checks its range as the KPI page does (metrics.forms.kpi_range: dates from 2000-01-01 to
2100-12-31; a date given alone is always taken, the other filled in; both given, `from` not after `to` and at
most 366 days): a 400 naming each wrong parameter, never a 500, and never a query for figures over
centuries. The cases are the issue's: `to=9999-12-31` was an OverflowError (500), a 4,500-year range ran
18.6 s; and a future `from` alone, which the schema allows, was refused (its `to` was today). The schema's
stated range is read from the schema the API serves (/api/schema/) and held against what the endpoint
takes, at its edge dates."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.tokens import token_create
from channels.tests.factories import ChannelFactory
from mentions.tests.factories import ManagerFactory
from metrics.forms import MAX_DAYS

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


def _stated(schema: dict) -> tuple[dict[str, dict], int]:
    """The KPI operation's `from` and `to` parameters as the schema states them, and its longest range."""
    operation = schema["paths"]["/api/kpi/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"] if p["name"] in ("from", "to")}
    longest = re.search(r"at most (\d+) days", operation["description"])
    assert longest and len(parameters) == 2
    return parameters, int(longest.group(1))


def _allows(parameter: dict, value: str) -> bool:
    """Whether the schema takes `value` for this parameter: a date (`format`), its pattern, and the range its
    description states."""
    schema = parameter["schema"]
    bounds = re.search(r"From (\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})\.", parameter["description"])
    assert bounds and schema["format"] == "date"
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return bool(re.search(schema["pattern"], value)) and bounds.group(1) <= value <= bounds.group(2)


def _edges(today: date) -> list[str]:
    """Each bound of the stated range and its neighbours, today and its neighbours (years as the pattern reads
    them: 1999 and 2101 are outside it)."""
    days = [date(2000, 1, 1), date(2100, 12, 31), today]
    around = {d + timedelta(days=step) for d in days for step in (-1, 0, 1)}
    return sorted(d.isoformat() for d in around)


def test_the_schema_states_exactly_the_dates_the_endpoint_takes(api):
    """A date alone, as `from` or as `to`, is taken exactly when the schema allows it; a future `from` too
    (its range has not begun: every figure is zero)."""
    parameters, _ = _stated(api.get("/api/schema/?format=json").json())
    today = timezone.localdate()  # the desk's day (UTC), as the endpoint reads it
    for name in ("from", "to"):
        for value in _edges(today):
            answer = api.get(f"/api/kpi/?{name}={value}")
            assert answer.status_code == (200 if _allows(parameters[name], value) else 400), (
                name,
                value,
                answer.content,
            )
    answer = api.get(f"/api/kpi/?from={today + timedelta(days=1)}")
    assert answer.json()["range"] == {"from": f"{today + timedelta(days=1)}", "to": f"{today + timedelta(days=1)}"}
    assert answer.json()["first_reply"]["all"]["replied"] == 0 and answer.json()["activity"][0]["created"] == 0


def test_both_dates_are_taken_exactly_when_the_schema_and_its_stated_pair_rule_allow_them(api):
    parameters, longest = _stated(api.get("/api/schema/?format=json").json())
    assert longest == MAX_DAYS
    today = timezone.localdate()  # the desk's day (UTC), as the endpoint reads it
    pairs = [
        (today, today),
        (today + timedelta(days=1), today),  # `from` after `to`
        (today + timedelta(days=1), today + timedelta(days=1)),
        (today - timedelta(days=longest - 1), today),  # the longest range
        (today - timedelta(days=longest), today),  # a day too long
        (date(2100, 12, 31) - timedelta(days=longest - 1), date(2100, 12, 31)),
        (date(2000, 1, 1), date(2000, 1, 1) + timedelta(days=longest)),
        (date(1999, 12, 31), date(2000, 1, 1)),
        (date(2100, 12, 31), date(2101, 1, 1)),
    ]
    for start, end in pairs:
        each = _allows(parameters["from"], start.isoformat()) and _allows(parameters["to"], end.isoformat())
        expected = each and start <= end and (end - start).days < longest
        answer = api.get(f"/api/kpi/?from={start}&to={end}")
        assert answer.status_code == (200 if expected else 400), (start, end, answer.content)


def test_a_date_alone_is_filled_in_as_the_kpi_page_fills_it(api, manager):
    today = timezone.localdate()  # the desk's day (UTC), as the endpoint reads it
    page = Client()
    page.force_login(manager)
    cases = {
        f"from={today + timedelta(days=1)}": (today + timedelta(days=1), today + timedelta(days=1)),
        "from=2100-12-31": (date(2100, 12, 31), date(2100, 12, 31)),
        f"from={today - timedelta(days=10)}": (today - timedelta(days=10), today),
        "from=2000-01-01": (date(2000, 1, 1), date(2000, 12, 31)),  # 366 days from it (2000 is a leap year)
        "to=2000-01-05": (date(2000, 1, 1), date(2000, 1, 5)),
        f"to={today + timedelta(days=40)}": (today + timedelta(days=11), today + timedelta(days=40)),
    }
    for query, (start, end) in cases.items():
        answer = api.get(f"/api/kpi/?{query}")
        assert answer.status_code == 200, (query, answer.content)
        assert answer.json()["range"] == {"from": start.isoformat(), "to": end.isoformat()}, query
        shown = page.get(f"/kpi/?{query}")
        assert shown.status_code == 200, query
        assert shown.context["form"].filters["start"] == start and shown.context["form"].filters["end"] == end, query
