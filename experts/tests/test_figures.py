from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advocacy.durations import duration_display
from experts.models import Outreach, ProductArea
from experts.selectors import outreach_figures
from experts.tests.factories import ExpertFactory, OutreachFactory, seed_areas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _areas(db):
    seed_areas()


START = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)
HOUR = 3600


def outreach(expert, sent_at, *, answer_seconds=None, declined=False):
    if answer_seconds is not None:
        return OutreachFactory(
            expert=expert,
            sent_at=sent_at,
            status=Outreach.Status.ANSWERED,
            answered_at=sent_at + timedelta(seconds=answer_seconds),
            answer_seconds=answer_seconds,
        )
    if declined:
        return OutreachFactory(expert=expert, sent_at=sent_at, status=Outreach.Status.DECLINED, declined_at=sent_at)
    return OutreachFactory(expert=expert, sent_at=sent_at, status=Outreach.Status.SENT)


@pytest.fixture
def experts():
    verify = ProductArea.objects.get(name="Verify")
    create = ProductArea.objects.get(name="Create")
    vera = ExpertFactory(name="Vera", areas=[verify])
    cory = ExpertFactory(name="Cory", areas=[create, verify])
    tess = ExpertFactory(name="Tess")  # no area
    oct_, nov = datetime(2026, 10, 10, 12, tzinfo=UTC), datetime(2026, 11, 10, 12, tzinfo=UTC)
    outreach(vera, oct_, answer_seconds=1 * HOUR)
    outreach(vera, nov, answer_seconds=3 * HOUR)
    outreach(vera, nov, answer_seconds=8 * HOUR)
    outreach(vera, nov, declined=True)
    outreach(cory, oct_, answer_seconds=2 * HOUR)
    outreach(cory, nov, answer_seconds=4 * HOUR)
    outreach(cory, nov)
    outreach(tess, nov)
    # Outside the range: never counted.
    outreach(vera, START - timedelta(seconds=1), answer_seconds=100 * HOUR)
    outreach(vera, END, answer_seconds=100 * HOUR)
    OutreachFactory(expert=vera, sent_at=None, status=Outreach.Status.PENDING)
    return {"vera": vera, "cory": cory, "tess": tess}


def table(rows):
    return {r.label: (r.asked, r.answered, r.declined, r.answer_rate, r.median_answer_seconds) for r in rows}


def test_by_expert(experts):
    rows = outreach_figures(start=START, end=END, group_by="expert")
    assert [r.label for r in rows] == ["Cory", "Tess", "Vera"]
    assert [r.key for r in rows] == [experts["cory"].pk, experts["tess"].pk, experts["vera"].pk]
    assert table(rows) == {
        "Vera": (4, 3, 1, 0.75, 3 * HOUR),  # median of 1 h, 3 h, 8 h
        "Cory": (3, 2, 0, 2 / 3, 3 * HOUR),  # median of 2 h and 4 h
        "Tess": (1, 0, 0, 0.0, None),
    }


def test_by_area_counts_an_expert_under_each_of_their_areas(experts):
    rows = outreach_figures(start=START, end=END, group_by="area")
    assert [r.label for r in rows] == ["Create", "Verify", "Other"]
    assert table(rows) == {
        "Create": (3, 2, 0, 2 / 3, 3 * HOUR),
        "Verify": (7, 5, 1, 5 / 7, 3 * HOUR),  # 1, 2, 3, 4, 8 h
        "Other": (1, 0, 0, 0.0, None),
    }


def test_by_month(experts):
    rows = outreach_figures(start=START, end=END, group_by="month")
    assert [(r.key, r.label) for r in rows] == [(date(2026, 10, 1), "2026-10"), (date(2026, 11, 1), "2026-11")]
    assert table(rows) == {
        "2026-10": (2, 2, 0, 1.0, 1.5 * HOUR),
        "2026-11": (6, 3, 1, 0.5, 4 * HOUR),  # 3, 4, 8 h
    }


def test_an_empty_range_and_a_bad_grouping():
    assert outreach_figures(start=START, end=END, group_by="expert") == []
    with pytest.raises(ValueError, match="group_by"):
        # A grouping the signature does not allow (mypy refuses it too), to check the run-time refusal.
        outreach_figures(start=START, end=END, group_by="week")  # type: ignore[arg-type]


@pytest.mark.parametrize("group_by", ["expert", "area", "month"])
def test_one_query_per_call(experts, group_by):
    with CaptureQueriesContext(connection) as ctx:
        outreach_figures(start=START, end=END, group_by=group_by)
    assert len(ctx.captured_queries) == 1


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, "—"),
        (30, "< 1 min"),
        (45 * 60, "45 min"),
        (3 * HOUR, "3 h"),
        (3 * HOUR + 20 * 60 + 59, "3 h 20 min"),
        (28 * HOUR, "1 d 4 h"),
        (48 * HOUR, "2 d"),
    ],
)
def test_duration_display(seconds, shown):
    assert duration_display(seconds) == shown
