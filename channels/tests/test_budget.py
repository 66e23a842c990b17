from datetime import UTC, datetime

from channels.budget import budget_plan, usage_record

NOV_21 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # 9.5 days left in November


def test_usage_counts_reads_and_polls_and_starts_over_each_month():
    usage = usage_record({}, reads=40, now=NOV_21)
    usage = usage_record(usage, reads=60, now=NOV_21)
    assert usage == {"month": "2026-11", "reads": 100, "polls": 2}
    assert usage_record(usage, reads=5, now=datetime(2026, 12, 1, tzinfo=UTC)) == {
        "month": "2026-12",
        "reads": 5,
        "polls": 1,
    }


def test_plenty_of_budget_keeps_the_channel_interval():
    plan = budget_plan(
        budget=1_000_000, usage={"month": "2026-11", "reads": 100, "polls": 10}, base_interval=300, now=NOV_21
    )
    assert plan.interval_seconds == 300 and not plan.exhausted
    assert plan.projected_reads == 100 + int(10 * (9.5 * 86400 / 300))


def test_a_small_budget_stretches_the_interval_so_it_lasts_the_month():
    usage = {"month": "2026-11", "reads": 9_000, "polls": 900}  # 10 reads per poll
    plan = budget_plan(budget=10_000, usage=usage, base_interval=300, now=NOV_21)
    # 1,000 reads left = 100 polls over 9.5 days: one poll every 2.28 h.
    assert round(plan.interval_seconds) == round(9.5 * 86400 / 100)
    assert plan.projected_reads == 10_000
    assert "9,000 of 10,000 reads used this month (90%)" in plan.describe()
    assert "every 2.3 h" in plan.describe()


def test_an_exhausted_budget_waits_for_the_next_month_and_says_so():
    plan = budget_plan(budget=500, usage={"month": "2026-11", "reads": 520, "polls": 50}, base_interval=60, now=NOV_21)
    assert plan.exhausted and plan.remaining == 0
    assert plan.interval_seconds == 9.5 * 86400
    assert "resumes 2026-12-01 00:00 UTC" in plan.describe()


def test_last_months_usage_does_not_count():
    plan = budget_plan(budget=100, usage={"month": "2026-10", "reads": 5_000, "polls": 5}, base_interval=60, now=NOV_21)
    assert plan.reads == 0 and not plan.exhausted
