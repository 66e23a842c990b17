"""Hand-computed business-hours cases (Mon-Fri 08:00-22:00 UTC unless stated): mentions.coverage's covered
seconds with one schedule."""

from datetime import UTC, date, datetime, time

from mentions.coverage import Coverage

WEEKDAYS = [1, 2, 3, 4, 5]
H = 3600


def bs(start, end, holidays=()):
    coverage = Coverage(tuple(WEEKDAYS), time(8), time(22), holidays=frozenset(holidays))
    return coverage.seconds(start, end)


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)  # 2026-11-02 is a Monday


def test_inside_one_covered_day():
    assert bs(at(2, 9), at(2, 11, 30)) == 2.5 * H


def test_a_reply_that_crosses_a_night():
    # Mon 21:00 -> Tue 09:00: 1 h on Monday evening + 1 h on Tuesday morning.
    assert bs(at(2, 21), at(3, 9)) == 2 * H


def test_a_request_at_night_counts_from_the_morning():
    assert bs(at(3, 2), at(3, 8, 30)) == 0.5 * H


def test_a_reply_that_crosses_a_weekend():
    # Fri 20:00 -> Mon 10:00: 2 h Friday + 0 weekend + 2 h Monday.
    assert bs(at(6, 20), at(9, 10)) == 4 * H


def test_a_weekend_a_night_and_a_holiday():
    # Fri 21:00 -> Tue 09:00 with Monday a holiday: 1 h Friday + 1 h Tuesday.
    assert bs(at(6, 21), at(10, 9), holidays=[date(2026, 11, 9)]) == 2 * H


def test_entirely_outside_coverage_is_zero():
    assert bs(at(7, 10), at(8, 18)) == 0  # Saturday to Sunday


def test_reversed_or_equal_is_zero():
    assert bs(at(2, 10), at(2, 10)) == 0 and bs(at(2, 11), at(2, 10)) == 0


def test_other_time_zones_are_converted():
    from datetime import timedelta, timezone

    cet = timezone(timedelta(hours=1))
    # 09:30 CET is 08:30 UTC: half an hour of coverage until 09:00 UTC.
    assert bs(datetime(2026, 11, 2, 9, 30, tzinfo=cet), at(2, 9)) == 0.5 * H
