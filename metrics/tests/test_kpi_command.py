"""`manage.py kpi` on the hand-computed desk of test_selectors."""

import json
from datetime import date
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from channels.tests.factories import ChannelFactory
from metrics.tests.factories import H, at, ticket_make

pytestmark = pytest.mark.django_db

NOW = at(29, 20)


@pytest.fixture
def desk():
    forum = ChannelFactory(name="Forum")
    x_main = ChannelFactory(name="X main", high_priority=True)
    for day, frt in ((2, 1), (3, 2), (4, 5), (5, 7), (6, 9)):
        ticket_make(channel=forum, requested_at=at(day, 9), frt_seconds=frt * H, business_seconds=frt * H // 2)
    ticket_make(channel=forum, requested_at=at(20, 10))  # unreplied, 226 h old
    ticket_make(channel=forum, requested_at=at(10, 10), solved_at=at(10, 12))  # solved without reply
    ticket_make(channel=x_main, requested_at=at(29, 14))  # 6 h old: over 5 h
    ticket_make(channel=x_main, requested_at=at(22, 9), frt_seconds=4 * H)
    return forum, x_main


def kpi(*args) -> str:
    out = StringIO()
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        call_command("kpi", *args, stdout=out)
    return out.getvalue()


def test_kpi_json(desk):
    data = json.loads(kpi("--from", "2026-11-02", "--to", "2026-11-29", "--json"))
    assert set(data) == {
        "range", "channel", "targets", "first_reply", "next_reply", "activity", "tags_rising", "outreach",
        "team_engagement", "community"
    }  # fmt: skip
    assert data["range"] == {"from": "2026-11-02", "to": "2026-11-29"}
    fr = data["first_reply"]
    assert set(fr) == {"all", "high_priority", "by_channel"}
    keys = {"median_hours", "p90_hours", "median_business_hours", "within_target_pct", "replied", "unreplied"}
    assert keys | {"unreplied_over_target"} <= set(fr["all"])
    # All: 1, 2, 4, 5, 7, 9 h -> median 4.5, p90 7 + 2 * 0.5 = 8.0, within 7 h: 5 of 6.
    assert fr["all"]["median_hours"] == 4.5
    assert fr["all"]["p90_hours"] == 8.0
    # Business (stored): 0.5, 1, 2.5, 3.5, 4.5 h on Forum and 4 h on X main -> median (2.5 + 3.5) / 2.
    assert fr["all"]["median_business_hours"] == 3.0
    assert fr["all"]["within_target_pct"] == 83.3
    assert (fr["all"]["replied"], fr["all"]["unreplied"], fr["all"]["unreplied_over_target"]) == (6, 3, 1)
    assert fr["all"]["overdue"][0]["waiting_hours"] == 226.0
    # Forum: 1, 2, 5, 7, 9 h.
    forum = fr["by_channel"]["Forum"]
    assert (forum["median_hours"], forum["p90_hours"], forum["within_target_pct"]) == (5.0, 8.2, 80.0)
    assert forum["median_business_hours"] == 2.5
    # High priority: one 4 h reply, one 6 h old ticket waiting.
    hp = fr["high_priority"]
    assert (hp["median_hours"], hp["within_target_pct"], hp["unreplied_over_target"]) == (4.0, 100.0, 1)
    assert fr["by_channel"]["X main"]["target_hours"] == 5.0
    assert len(data["activity"]) == 28
    assert data["activity"][20] == {
        "day": "2026-11-22",
        "created": 1,
        "replied": 1,
        "solved": 0,
        "liked": 0,
        "deleted": 0,
        "reposted": 0,
        "messaged": 0,
        "release_day": True,
    }


def test_kpi_json_for_one_channel(desk):
    data = json.loads(kpi("--from", "2026-11-02", "--to", "2026-11-29", "--channel", "X main", "--json"))
    assert data["channel"] == "X main"
    assert list(data["first_reply"]["by_channel"]) == ["X main"]
    assert data["first_reply"]["all"]["replied"] == 1


def test_kpi_defaults_to_the_last_30_days(desk):
    data = json.loads(kpi("--json"))
    assert data["range"] == {"from": "2026-10-31", "to": "2026-11-29"}
    assert len(data["activity"]) == 30


def test_kpi_table(desk):
    out = kpi("--from", "2026-11-02", "--to", "2026-11-29")
    assert "All channels" in out and "High-priority" in out and "Forum" in out and "X main" in out
    assert "8.20" in out and "80.0" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-13-01"), "--from must be a date as YYYY-MM-DD"),
        (("--to", "yesterday"), "--to must be a date as YYYY-MM-DD"),
        (("--from", "2026-11-10", "--to", "2026-11-01"), "must not be after"),
        (("--from", "0001-01-01", "--to", "2026-01-05"), "--from: Dates must be between 2000-01-01 and 2100-12-31"),
        (("--to", "9999-12-31"), "--to: Dates must be between"),
    ],
)
def test_kpi_bad_dates(desk, args, message):
    with pytest.raises(CommandError, match=message):
        kpi(*args)


def test_kpi_unknown_channel_lists_the_channels(desk):
    with pytest.raises(CommandError, match=r"Unknown channel 'Nope'\. Channels: Forum, X main\."):
        kpi("--channel", "Nope")


def test_kpi_dates_are_days(desk):
    assert date.fromisoformat(json.loads(kpi("--to", "2026-11-05", "--json"))["range"]["to"]) == date(2026, 11, 5)
