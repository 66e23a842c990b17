"""Share of voice's competitor rollup (metrics.CompetitorDay, issue 70) on PostgreSQL: after every way mentions are
stored, found again, erased, moved or deleted, the rollup holds exactly the mentions grouped by UTC day and
sentiment; the API and the Community page read it, not the mentions, in a number of queries a longer range does
not change.

No platform shapes: the mentions are stored through the poll's own store (intake.services.competitors) from made
IncomingMention values, or as rows (the poll reading a platform is intake/tests/test_competitor_poll.py)."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from channels.adapters.base import IncomingMention
from channels.models import Competitor, CompetitorMention
from channels.tests.factories import ChannelFactory
from intake.services.competitors import competitor_mentions_store
from mentions.tests.factories import ManagerFactory
from metrics import rollups
from metrics.models import CompetitorDay
from metrics.share_of_voice import share_of_voice, theirs_rollup, theirs_source
from people.privacy import person_erase
from people.tests.factories import IdentityFactory

pytestmark = pytest.mark.django_db

EVER: dict[str, Any] = {"start": date(2000, 1, 1), "end": date(2100, 12, 31)}
WORDS = {"positive": "I love it, wonderful and fast", "negative": "awful, it crashed again", "neutral": "Trying it"}


def _found(n: int, *, day: int, sentiment: str, author: str = "", hour: int = 12) -> IncomingMention:
    return IncomingMention(
        external_id=str(n),
        created_at=datetime(2026, 11, day, hour, tzinfo=UTC),
        text=WORDS[sentiment],
        author_handle=author or f"author{n}",
    )


def _rollup() -> list[tuple]:
    """Every CompetitorDay row as stored (zeros and all)."""
    return sorted(CompetitorDay.objects.values_list("day", "competitor_id", "sentiment", "mentions"))


def assert_rollup_is_the_rows() -> None:
    """The whole rollup equals the mentions grouped by UTC day, competitor and sentiment: no missing group, no extra
    one, no zero left behind."""
    assert _rollup() == theirs_source(**EVER)
    for by in ("day", "week", "month"):  # summed per period by PostgreSQL, per period here from the days
        assert theirs_rollup(**EVER, by=by) == theirs_source(**EVER, by=by)


@pytest.fixture
def found():
    """Two competitors found on Hacker News through the poll's store: Acme CI on three days (two mentions on the
    2nd, one of them at the day's last minute and one at the next day's first), Forgeworks once."""
    channel = ChannelFactory()
    acme = Competitor.objects.create(name="Acme CI", terms=["acme ci"])
    forge = Competitor.objects.create(name="Forgeworks", terms=["forgeworks"])
    acme_found = [
        _found(1, day=2, sentiment="positive"),
        _found(2, day=2, sentiment="positive", hour=23, author="jane"),
        _found(3, day=3, sentiment="negative", hour=0),
        _found(4, day=10, sentiment="neutral", author="jane"),
    ]
    assert competitor_mentions_store(competitor=acme, channel=channel, mentions=acme_found) == (4, 4)
    competitor_mentions_store(competitor=forge, channel=channel, mentions=[_found(5, day=2, sentiment="negative")])
    return {"channel": channel, "acme": acme, "forge": forge, "acme_found": acme_found}


def test_stored_mentions_are_counted_per_utc_day_and_sentiment(found):
    acme, forge = found["acme"].pk, found["forge"].pk
    assert _rollup() == [
        (date(2026, 11, 2), acme, "positive", 2),
        (date(2026, 11, 2), forge, "negative", 1),
        (date(2026, 11, 3), acme, "negative", 1),
        (date(2026, 11, 10), acme, "neutral", 1),
    ]
    assert_rollup_is_the_rows()


def test_a_mention_found_again_is_not_counted_again(found):
    again = [*found["acme_found"], _found(6, day=10, sentiment="neutral")]
    assert competitor_mentions_store(competitor=found["acme"], channel=found["channel"], mentions=again) == (5, 1)
    # A concurrent poll storing what this one read as new: the unique key leaves the rows out, and their counts.
    CompetitorMention.objects.bulk_create(
        [
            CompetitorMention(competitor=found["acme"], channel=found["channel"], kind="hackernews", external_id="1",
                              posted_at=datetime(2026, 11, 2, 12, tzinfo=UTC), sentiment="positive"),
            CompetitorMention(competitor=found["acme"], channel=found["channel"], kind="hackernews", external_id="7",
                              posted_at=datetime(2026, 11, 2, 12, tzinfo=UTC), sentiment="positive"),
        ],
        ignore_conflicts=True,
    )  # fmt: skip

    assert (
        CompetitorDay.objects.get(day=date(2026, 11, 2), competitor=found["acme"], sentiment="positive").mentions == 3
    )
    assert CompetitorDay.objects.get(day=date(2026, 11, 10), competitor=found["acme"]).mentions == 2
    assert_rollup_is_the_rows()


def test_erasing_a_person_takes_their_mentions_out_of_the_counts(found):
    identity = IdentityFactory(handle="jane")

    person_erase(person=identity.person, actor=ManagerFactory(), via="page")

    assert not CompetitorMention.objects.filter(author="jane").exists()
    # The 10th held only theirs: its day is gone; the 2nd keeps the other author's one.
    assert not CompetitorDay.objects.filter(day=date(2026, 11, 10)).exists()
    assert CompetitorDay.objects.get(day=date(2026, 11, 2), competitor=found["acme"]).mentions == 1
    assert_rollup_is_the_rows()


def test_deleting_a_competitor_or_a_channel_takes_its_counts_with_it(found):
    found["acme"].delete()

    assert set(CompetitorDay.objects.values_list("competitor_id", flat=True)) == {found["forge"].pk}
    assert_rollup_is_the_rows()

    other = ChannelFactory(kind="reddit", config={"subreddits": ["gitlab"], "keywords": ["gitlab"]})
    competitor_mentions_store(
        competitor=found["forge"], channel=other, mentions=[_found(8, day=2, sentiment="negative")]
    )
    assert CompetitorDay.objects.get(competitor=found["forge"]).mentions == 2
    found["channel"].delete()

    assert CompetitorDay.objects.get(competitor=found["forge"]).mentions == 1
    assert_rollup_is_the_rows()


def test_a_mention_changed_moves_its_count(found):
    """No code changes a stored mention; a repair by hand (a sentiment, a time) still leaves the counts exact."""
    CompetitorMention.objects.filter(external_id="1").update(sentiment="negative")
    CompetitorMention.objects.filter(external_id="4").update(posted_at=datetime(2026, 11, 3, 1, tzinfo=UTC))

    assert (
        CompetitorDay.objects.get(day=date(2026, 11, 2), competitor=found["acme"], sentiment="negative").mentions == 1
    )
    assert CompetitorDay.objects.get(day=date(2026, 11, 3), competitor=found["acme"], sentiment="neutral").mentions == 1
    assert_rollup_is_the_rows()


def test_a_truncate_empties_the_rollup_and_a_rebuild_gives_the_same_days(found):
    before = _rollup()
    CompetitorDay.objects.all().delete()  # lost, as after a manual fix with the triggers off

    assert rollups.rollups_rebuild()["competitor_days"] == len(before)
    assert _rollup() == before

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred FK checks pending before TRUNCATE
        cursor.execute("TRUNCATE channels_competitormention")
    assert _rollup() == []


def _reads(client, url: str) -> tuple[list[str], Any]:
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url)
    assert answer.status_code == 200
    return [q["sql"] for q in queries], answer


def test_the_api_reads_the_rollup_in_as_many_queries_for_a_month_as_for_a_year(client, found):
    client.force_login(ManagerFactory())
    end = date(2026, 11, 29)
    urls = [f"/api/analytics/share-of-voice/?from={end - timedelta(days=d - 1)}&to={end}&by=week" for d in (30, 365)]
    client.get(urls[1])  # the days' ticket rollups made, the session read once

    (month, month_answer), (year, _) = (_reads(client, url) for url in urls)

    # The rollups' dirty days, the channels' platforms, ours, theirs, the competitors' names: for any range.
    assert len(month) == len(year) == 5
    assert [q for q in year if "metrics_competitorday" in q]
    assert not [q for q in year if "channels_competitormention" in q]
    rows = month_answer.json()["rows"]
    assert sum(r["mentions"] for r in rows if r["group"] == "Acme CI") == 4
    assert next(r for r in rows if r["group"] == "Acme CI" and r["period"] == "2026-11-09")["mentions"] == 1


def test_the_community_page_reads_the_rollup_with_a_bounded_number_of_queries(client, found):
    client.force_login(ManagerFactory())
    url = f"{reverse('metrics:community')}?from=2026-11-02&to=2026-11-15"

    sql, page = _reads(client, url)  # the first view: nothing cached yet

    # The Community page's first view (the kept ranking's stamp among them), share of voice too; and 6 for the returning
    # members' day rollup, built by this first read of the database (its targets checked, the refresh's lock taken in a
    # savepoint, checked again, every day counted): a later view checks its targets only. And the desk's products,
    # read once by this process (the filters ask whether there are several: mentions.products.desk_products). And the
    # range's sample checks (metrics.community.checks).
    assert len(sql) <= 31
    assert len([q for q in sql if "metrics_competitorday" in q]) == 1
    assert not [q for q in sql if "channels_competitormention" in q]
    html = page.content.decode()
    total_acme = html.split('data-testid="sov-total-1"')[1].split("</tr>")[0]
    assert "Acme CI" in total_acme and ">4 " in total_acme


def test_the_selector_gives_the_same_rows_from_the_rollup_and_from_the_mentions(found, monkeypatch):
    from metrics import share_of_voice as sov

    start, end = date(2026, 11, 1), date(2026, 11, 30)
    from_rollup = share_of_voice(start=start, end=end, by="day")
    monkeypatch.setattr(sov, "theirs_rollup", sov.theirs_source)  # the embedded default's path

    assert share_of_voice(start=start, end=end, by="day") == from_rollup
    assert sum(r.mentions for r in from_rollup if r.group != "us") == 5
