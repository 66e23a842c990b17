"""The most active members on PostgreSQL, read from the kept ranking of past days merged with today's mentions and
the range's contributions (metrics.community.active_past), equal the ranking taken from the tickets (the embedded
SQLite default's path) through the changes that keep the past ranking and those that retire it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels.tests.factories import ChannelFactory
from metrics.community import active, active_past
from metrics.community.past_stamp import stamp_read
from metrics.rollups import rollups_read, rollups_refresh
from metrics.tests.community_desk import START, TODAY, _at, desk_build
from people.models import Contribution, Identity, Person
from people.tests.factories import KIND_CONFIG, IdentityFactory, PersonFactory, ticket_from

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_midnight_margin")]


@pytest.fixture
def desk(monkeypatch):
    # Six members: a kept list of three is full, so the merge's bounds (not "everyone is kept") decide.
    monkeypatch.setattr(active_past, "KEEP", 3)
    return desk_build()


def stamp() -> int:
    with connection.cursor() as cursor:
        return stamp_read(cursor)


def ranked(**kwargs) -> list[dict]:
    """The rollup path's list, after asserting it equals the tickets' for the same range."""
    with rollups_read():
        rolled = active.most_active(**kwargs)
    with mock.patch.object(active, "rollups_supported", return_value=False):
        source = active.most_active(**kwargs)
    assert rolled == source, kwargs
    return rolled


def past_rankings_read(**kwargs) -> int:
    """How many times the rollup path ranked a whole range (the kept list missed, or too many kept were erased)."""
    with rollups_read(), CaptureQueriesContext(connection) as queries:
        active.most_active(**kwargs)
    return sum(1 for q in queries if "ORDER BY n DESC" in q["sql"] or "ORDER BY s.n DESC" in q["sql"])


def quietest(desk) -> tuple[dict[int, int], Person]:
    """Each member's mentions in the range, and the member with the fewest but some (not on a kept list of 3)."""
    counts = {p.pk: sum(1 for r in desk["rows"] if r["person"] == p.pk and r["day"] >= START) for p in desk["people"]}
    return counts, min((p for p in desk["people"] if counts[p.pk]), key=lambda p: (counts[p.pk], p.pk))


def today_tickets(person: Person, n: int, channel) -> None:
    identity = IdentityFactory(person=person, platform=channel.kind, handle=f"today{person.pk}")
    for hour in range(n):
        ticket_from(identity, channel=channel, requested_at=datetime.now(UTC).replace(hour=hour % 24, minute=1))


def test_todays_mentions_push_a_member_into_the_top_without_ranking_the_past_again(desk):
    channel = desk["channels"]["reddit"]
    for limit in (1, 2):
        ranked(start=START, end=TODAY, limit=limit)
    assert past_rankings_read(start=START, end=TODAY, limit=2) == 0  # kept
    before = stamp()
    # The least active member (not kept) opens enough tickets today to come first.
    counts, quiet = quietest(desk)
    assert quiet.pk not in {row["person"] for row in ranked(start=START, end=TODAY, limit=2)}
    today_tickets(quiet, max(counts.values()) - counts[quiet.pk] + 2, channel)
    for limit in (1, 2, 6):
        rows = ranked(start=START, end=TODAY, limit=limit)
        assert rows[0]["person"] == quiet.pk
    assert stamp() == before  # today's tickets change no past day
    assert past_rankings_read(start=START, end=TODAY, limit=2) == 0
    ranked(start=START, end=TODAY, channel_id=channel.pk, limit=2)


def test_a_contribution_in_the_range_ranks_a_member_the_kept_list_left_out(desk):
    counts, quiet = quietest(desk)
    ranked(start=START, end=TODAY, limit=2)
    for i in range(max(counts.values())):
        Contribution.objects.create(person=quiet, kind=Contribution.Kind.FORUM_ANSWER, date=START, title=f"a{i}")
    assert ranked(start=START, end=TODAY, limit=2)[0]["person"] == quiet.pk


def test_a_past_day_changed_retires_the_kept_ranking(desk):
    tickets = [r["ticket"] for r in desk["rows"]]
    ranked(start=START, end=TODAY, limit=2)
    before = stamp()
    # A reply to an old ticket rebuilds its day with the same mentions: the ranking is kept.
    tickets[9].first_reply_at = datetime.now(UTC)
    tickets[9].save(update_fields=["first_reply_at"])
    assert past_rankings_read(start=START, end=TODAY, limit=2) == 0
    assert stamp() == before
    # Mentions dated on a past day (a late import): the least active member comes first, from the past alone.
    counts, quiet = quietest(desk)
    identity = Identity.objects.filter(person=quiet, platform="email").get()
    for hour in range(max(counts.values()) + 1):
        ticket_from(identity, channel=desk["channels"]["email"], requested_at=_at(START + timedelta(days=3), hour))
    assert ranked(start=START, end=TODAY, limit=2)[0]["person"] == quiet.pk
    assert stamp() != before
    # A ticket removed from the past.
    after = stamp()
    tickets[2].delete()
    ranked(start=START, end=TODAY, limit=2)
    assert stamp() != after


def test_a_merge_and_an_erasure_after_the_ranking_was_kept(desk):
    people = desk["people"]
    ranked(start=START, end=TODAY, limit=2)
    before = stamp()
    # Two members joined: their past mentions add up, with no day rebuilt.
    Identity.objects.filter(person=people[3]).update(person=people[4])
    rows = ranked(start=START, end=TODAY, limit=2)
    assert stamp() != before and people[3].pk not in {r["person"] for r in rows}
    # Erasing the kept members leaves fewer than `limit` of the kept list: the whole range is ranked again.
    kept = [r["person"] for r in ranked(start=START, end=TODAY, limit=3)]
    Person.objects.filter(pk__in=kept[:2]).update(erased_at=datetime.now(UTC))
    rows = ranked(start=START, end=TODAY, limit=2)
    assert not {r["person"] for r in rows} & set(kept[:2])
    assert past_rankings_read(start=START, end=TODAY, limit=2) == 1  # the whole range, its kept list still right
    Person.objects.filter(pk=kept[0]).update(erased_at=None)
    ranked(start=START, end=TODAY, limit=2)


def past_reads(**kwargs) -> int:
    """How many reads of some people's past mentions (by person) one read of the list made."""
    with rollups_read(), CaptureQueriesContext(connection) as queries:
        active.most_active(**kwargs)
    return sum(1 for q in queries if "FROM unnest(" in q["sql"])


def test_a_later_read_that_day_reads_the_past_only_of_people_it_has_not_met(desk):
    """Today's people's past mentions are read once a day, not at every view: kept beside the list while its stamp
    holds, brought up to date when their past changes, and an erasure still leaves them out at once."""
    ranked(start=START, end=TODAY, limit=2)
    counts, quiet = quietest(desk)
    today_tickets(quiet, max(counts.values()) - counts[quiet.pk] + 2, desk["channels"]["reddit"])
    assert past_reads(start=START, end=TODAY, limit=2) == 1  # the newcomer to today's list: their past, read
    rows = ranked(start=START, end=TODAY, limit=2)
    assert rows[0]["person"] == quiet.pk
    assert past_reads(start=START, end=TODAY, limit=2) == 0  # met already, the same stamp: nothing read
    Person.objects.filter(pk=quiet.pk).update(erased_at=datetime.now(UTC))  # an erasure moves no stamp
    assert quiet.pk not in {row["person"] for row in ranked(start=START, end=TODAY, limit=2)}
    Person.objects.filter(pk=quiet.pk).update(erased_at=None)
    # Their past changes (a late import of two mentions): the count read from the log, not the one kept for the day.
    before = stamp()
    identity = Identity.objects.filter(person=quiet, platform="email").get()
    for hour in (1, 2):
        ticket_from(identity, channel=desk["channels"]["email"], requested_at=_at(START + timedelta(days=2), hour))
    rows = ranked(start=START, end=TODAY, limit=2)
    assert stamp() != before
    assert rows[0]["mentions"] == max(counts.values()) + 2 + 2
    assert past_rankings_read(start=START, end=TODAY, limit=2) == 0


def test_a_range_of_past_days_only_and_one_of_today_only(desk):
    channel = desk["channels"]["hackernews"]
    today_tickets(PersonFactory(name="Today Only"), 2, channel)
    for start, end in ((START, START + timedelta(days=10)), (TODAY, TODAY), (TODAY - timedelta(days=1), TODAY)):
        for limit in (1, 2, 20):
            ranked(start=start, end=end, limit=limit)
            ranked(start=start, end=end, channel_id=channel.pk, limit=limit)


def test_the_top_20_takes_in_a_member_whom_todays_mentions_push_past_the_20th(monkeypatch, django_assert_num_queries):
    """The page's own limit: 25 members with past mentions, the kept list of 22 full; the least active one (not kept)
    mentions us enough today to stand among the first ten, and nobody else moves."""
    monkeypatch.setattr(active_past, "KEEP", 22)
    channel = ChannelFactory(kind="reddit", config=KIND_CONFIG["reddit"])
    members = [PersonFactory(name=f"Busy {i}") for i in range(25)]
    for i, person in enumerate(members):
        identity = IdentityFactory(person=person, platform="reddit", handle=f"busy{i}")
        for n in range(1 + (24 - i) // 3):  # 9 mentions for the first, then 8, 8, 8, 7, 7, 7 ... 1, 1, 1
            ticket_from(identity, channel=channel, requested_at=_at(START + timedelta(days=n + i % 5), 10))
    first = ranked(start=START, end=TODAY)
    assert len(first) == 20 and members[-1].pk not in {row["person"] for row in first}
    today_tickets(members[-1], 6, channel)  # 1 + 6 = 7: after 9, 8, 8, 8 and the other 7s (by number)
    rollups_refresh()
    # Is anything marked, the contributions, the stamp, today's mentions, the kept erased, the past of the one who can
    # rank (at most 2 past mentions, the kept 22nd's, + 6 today against the 20th's 2), the names.
    with django_assert_num_queries(7), rollups_read():
        active.most_active(start=START, end=TODAY)
    rows = ranked(start=START, end=TODAY)
    assert [row["person"] for row in rows].index(members[-1].pk) == 7
    assert [row["person"] for row in rows if row["person"] != members[-1].pk] == [row["person"] for row in first][:19]
    assert past_rankings_read(start=START, end=TODAY) == 0


def test_a_member_tied_with_the_kept_lists_last_place_ranks_by_number_at_the_bar(monkeypatch):
    """The kept list of two (K with 10 past mentions, B with 4) bounds everyone else at 4 past mentions, ranked after
    B. P (after B, before K by number) has 4 too. Today B mentions us 7 times and P 6: B 11, then P and K with 10 each,
    P first by number. P's past must be read although at most it ties the bar (K's 10)."""
    monkeypatch.setattr(active_past, "KEEP", 2)
    channel = ChannelFactory(kind="reddit", config=KIND_CONFIG["reddit"])
    b, p, k = (PersonFactory(name=name) for name in ("B", "P", "K"))
    for person, past in ((b, 4), (p, 4), (k, 10)):
        identity = IdentityFactory(person=person, platform="reddit", handle=f"past{person.pk}")
        for n in range(past):
            ticket_from(identity, channel=channel, requested_at=_at(START + timedelta(days=n % 5), 10 + n // 5))
    assert [row["person"] for row in ranked(start=START, end=TODAY, limit=2)] == [k.pk, b.pk]  # kept: K, B
    today_tickets(b, 7, channel)
    today_tickets(p, 6, channel)
    rows = ranked(start=START, end=TODAY, limit=2)
    assert [(row["person"], row["mentions"]) for row in rows] == [(b.pk, 11), (p.pk, 10)]
    assert past_rankings_read(start=START, end=TODAY, limit=2) == 0


def test_a_member_as_busy_in_total_with_more_mentions_ranks_first_though_numbered_after_the_kept_list(monkeypatch):
    # The first member has three past mentions and two answers; the second, numbered after, three past mentions, off
    # the kept list of one, and two mentions today. Both total five: the list ranks the one with more mentions first.
    monkeypatch.setattr(active_past, "KEEP", 1)
    channel = ChannelFactory(kind="reddit", config=KIND_CONFIG["reddit"])
    first, second = PersonFactory(name="Answers"), PersonFactory(name="Mentions")
    identities = [IdentityFactory(person=p, platform="reddit", handle=f"tie{p.pk}") for p in (first, second)]
    for identity in identities:
        for day in range(3):
            ticket_from(identity, channel=channel, requested_at=_at(START + timedelta(days=day), 10))
    for i in range(2):
        Contribution.objects.create(person=first, kind=Contribution.Kind.FORUM_ANSWER, date=START, title=f"t{i}")
    assert [r["person"] for r in ranked(start=START, end=TODAY, limit=1)] == [first.pk]  # the past ranked and kept
    today_tickets(second, 2, channel)
    assert past_rankings_read(start=START, end=TODAY, limit=1) == 0
    assert ranked(start=START, end=TODAY, limit=1) == [
        {"person": second.pk, "name": "Mentions", "url": second.get_absolute_url()}
        | {"mentions": 5, "answers": 0, "contributions": 0, "total": 5}
    ]
