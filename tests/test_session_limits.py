"""A session ends DESK_SESSION_IDLE_MINUTES after the last thing its person did and, whatever they do,
DESK_SESSION_MAX_HOURS after signing in; live refreshes on their timer are not activity."""

import pytest
from django.test import override_settings

from advocacy import session_limits
from mentions.tests.factories import AdvocateFactory, ViewFactory
from tests.test_settings import _manage

pytestmark = pytest.mark.django_db

T0 = 1_900_000_000
MIN = 60


@pytest.fixture
def clock(monkeypatch):
    now = {"t": T0}
    monkeypatch.setattr(session_limits, "_now", lambda: now["t"])
    return now


@pytest.fixture
def signed_in(client, clock):
    ViewFactory(name="All mentions", slug="all")
    client.force_login(AdvocateFactory(username="ada"))
    assert client.get("/").status_code == 200  # the first request starts the clocks
    return client


def _signed_out(response, back: str) -> bool:
    return response.status_code == 302 and response["Location"] == f"/accounts/login/?next={back}"


@override_settings(DESK_SESSION_IDLE_MINUTES=120, DESK_SESSION_MAX_HOURS=12)
def test_an_idle_session_is_signed_out_and_stays_out(signed_in, clock):
    clock["t"] = T0 + 119 * MIN
    assert signed_in.get("/tickets/").status_code == 200
    clock["t"] = T0 + (119 + 121) * MIN
    assert _signed_out(signed_in.get("/tickets/?q=runner"), "/tickets/%3Fq%3Drunner")
    clock["t"] += MIN  # gone for good, not merely refused once
    assert _signed_out(signed_in.get("/"), "/")


@override_settings(DESK_SESSION_IDLE_MINUTES=120, DESK_SESSION_MAX_HOURS=12)
def test_live_refreshes_on_their_timer_do_not_keep_a_session_alive(signed_in, clock):
    for minutes in range(10, 120, 10):  # a queue left open refreshes all along
        clock["t"] = T0 + minutes * MIN
        assert signed_in.get("/", headers={"HX-Request": "true", "X-Desk-Background": "1"}).status_code in (200, 304)
    clock["t"] = T0 + 121 * MIN
    answer = signed_in.get(
        "/",
        headers={"HX-Request": "true", "X-Desk-Background": "1", "HX-Current-URL": "http://testserver/?view=all"},
    )
    # htmx is told to send the whole page to the sign-in form, and back to that page afterwards.
    assert answer["HX-Redirect"] == "/accounts/login/?next=/%3Fview%3Dall"


@override_settings(DESK_SESSION_IDLE_MINUTES=120, DESK_SESSION_MAX_HOURS=12)
def test_working_keeps_a_session_until_its_maximum_age(signed_in, clock):
    for hours in range(1, 12):
        clock["t"] = T0 + hours * 60 * MIN
        assert signed_in.get("/").status_code == 200
    clock["t"] = T0 + 12 * 60 * MIN + MIN
    assert _signed_out(signed_in.get("/"), "/")


def test_the_session_limits_refuse_a_setting_that_makes_no_sense():
    result = _manage("check", DESK_SESSION_IDLE_MINUTES="2")
    assert result.returncode != 0
    assert "DESK_SESSION_IDLE_MINUTES between 5" in result.stderr
