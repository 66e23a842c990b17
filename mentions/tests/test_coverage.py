"""The coverage schedule as the SLA clocks and after-hours alerts use it (default Mon-Fri
08:00-22:00 UTC). 2026-11-20 is a Friday."""

from datetime import UTC, date, datetime, time

import pytest

from mentions.coverage import Coverage, coverage_load
from mentions.models import CoverageSchedule, DutySettings, Holiday


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


COVERAGE = Coverage()


@pytest.mark.parametrize(
    ("instant", "covered"),
    [
        (at(20, 8), True),  # Friday, start is inside
        (at(20, 21, 59), True),
        (at(20, 22), False),  # end is outside
        (at(20, 7, 59), False),
        (at(21, 12), False),  # Saturday
        (at(23, 12), True),  # Monday
    ],
)
def test_covers(instant, covered):
    assert COVERAGE.covers(instant) is covered


def test_a_holiday_is_not_covered():
    coverage = Coverage(holidays=frozenset({date(2026, 11, 23)}))
    assert not coverage.covers(at(23, 12))
    assert coverage.next_start(at(20, 23)) == at(24, 8)


def test_next_start_and_last_end():
    assert COVERAGE.next_start(at(20, 12)) == at(23, 8)  # inside Friday: the next start is Monday's
    assert COVERAGE.next_start(at(20, 23)) == at(23, 8)
    assert COVERAGE.next_start(at(23, 6)) == at(23, 8)
    assert COVERAGE.last_end(at(22, 12)) == at(20, 22)
    assert COVERAGE.last_end(at(23, 12)) == at(20, 22)
    assert COVERAGE.last_end(at(23, 22)) == at(23, 22)


@pytest.mark.parametrize(
    ("requested", "due"),
    [
        (at(18, 10, 30), at(19, 10, 30)),  # Wednesday inside coverage: Thursday, same time
        (at(20, 21), at(23, 21)),  # Friday evening inside coverage: Monday 21:00
        (at(20, 23), at(24, 8)),  # Friday after hours: the clock starts Monday 08:00, due Tuesday 08:00
        (at(21, 15), at(24, 8)),  # Saturday: same
        (at(19, 3), at(20, 8)),  # Thursday before hours: starts Thursday 08:00, due Friday 08:00
    ],
)
def test_one_business_day_is_the_same_clock_position_on_the_next_covered_day(requested, due):
    assert COVERAGE.one_business_day_after(requested) == due
    # Exactly one covered day of business time lies between them.
    assert COVERAGE.seconds(requested, due) == 14 * 3600


def test_one_business_day_skips_a_holiday():
    coverage = Coverage(holidays=frozenset({date(2026, 11, 23)}))  # Monday off
    assert coverage.one_business_day_after(at(20, 21)) == at(24, 21)
    assert coverage.one_business_day_after(at(20, 23)) == at(25, 8)


@pytest.mark.django_db
def test_coverage_load_reads_the_admin_schedule_and_holidays():
    CoverageSchedule.objects.create(weekdays=[1, 2, 3, 4, 5, 6], start=time(9, 0), end=time(17, 0))
    Holiday.objects.create(date=date(2026, 11, 23), name="Team day")
    coverage = coverage_load()
    assert coverage.covers(at(21, 10))  # Saturday now covered
    assert coverage.one_business_day_after(at(21, 16)) == at(24, 16)  # Sunday off, Monday holiday


@pytest.mark.parametrize(
    ("release_day", "month", "expected"),
    [
        (22, date(2026, 11, 5), date(2026, 11, 22)),
        (31, date(2026, 2, 1), date(2026, 2, 28)),
        (1, date(2026, 12, 31), date(2026, 12, 1)),
    ],
)
def test_release_day_is_clamped_to_the_month(release_day, month, expected):
    duty = DutySettings(release_day=release_day)
    assert duty.release_date(month) == expected
    assert duty.is_release_day(expected)
    assert not duty.is_release_day(date(expected.year, expected.month, 15))


def test_duty_settings_validation_messages():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        DutySettings(release_day=0, advocates_channel="two words", advocates_mention="@advocates").full_clean()
    errors = exc.value.message_dict
    assert set(errors) >= {"release_day", "advocates_channel", "advocates_mention"}
    assert "<!subteam^" in errors["advocates_mention"][0]
