"""The most active members' kept ranking of past days brought up to date from the people a refresh logged as changed
(metrics.community.past_kept), equal the ranking taken from the tickets: a member dropping out of the top 20 and
one rising into it, at a fixed number of queries whatever the number of people changed; a merge, a split and an
identity removed followed by their people alike; a move of the stamp that logged nobody (a truncate's) ranks the whole
range again."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection

from channels.tests.factories import ChannelFactory
from mentions.models import Ticket
from metrics.community import active, active_past, past_kept, past_stamp
from metrics.community.past_kept import Kept, people_changed
from metrics.models import CommunityRankChange
from metrics.rollups import rollups_read, rollups_refresh
from metrics.tests.community_desk import START, TODAY, _at
from metrics.tests.test_community_active import past_rankings_read, ranked
from people.models import Identity, Person
from people.tests.factories import KIND_CONFIG, IdentityFactory, PersonFactory, ticket_from

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_midnight_margin")]


@pytest.fixture
def busy(monkeypatch) -> dict:
    """30 members with past mentions (9 for the first, then fewer, down to 1), a kept list of 22 full."""
    monkeypatch.setattr(active_past, "KEEP", 22)
    channel = ChannelFactory(kind="reddit", config=KIND_CONFIG["reddit"])
    members = [PersonFactory(name=f"Busy {i}") for i in range(30)]
    identities = []
    for i, person in enumerate(members):
        identities.append(IdentityFactory(person=person, platform="reddit", handle=f"busy{i}"))
        for n in range(max(1, 9 - i // 3)):
            ticket_from(identities[-1], channel=channel, requested_at=_at(START + timedelta(days=n + i % 5), 10))
    first = ranked(start=START, end=TODAY)  # ranked and kept
    assert len(first) == 20
    return {"channel": channel, "members": members, "identities": identities, "first": first}


def past_tickets(busy: dict, i: int, n: int) -> None:
    """`n` mentions by member `i` on a past day (a late import)."""
    for hour in range(n):
        ticket_from(busy["identities"][i], channel=busy["channel"], requested_at=_at(START + timedelta(days=2), hour))


def test_a_member_drops_out_of_the_top_20_and_another_rises_into_it_without_ranking_again(busy):
    members = busy["members"]
    top, last = members[0], members[-1]
    assert top.pk == busy["first"][0]["person"] and last.pk not in {r["person"] for r in busy["first"]}
    since = CommunityRankChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # The first member's past tickets merged away but one, the last member's late import of 8: one refresh, one day
    # rebuilt for one, several for the other.
    Ticket.objects.filter(requester__identity__person=top).exclude(
        pk=Ticket.objects.filter(requester__identity__person=top).earliest("pk").pk
    ).delete()
    past_tickets(busy, 29, 8)
    assert past_rankings_read(start=START, end=TODAY) == 0  # the kept list brought up to date, not ranked again
    logged = set(CommunityRankChange.objects.filter(pk__gt=since).values_list("person_id", flat=True))
    assert logged == {top.pk, last.pk}
    rows = ranked(start=START, end=TODAY)  # equal to the tickets' ranking
    people = [r["person"] for r in rows]
    assert top.pk not in people and last.pk in people
    assert rows[people.index(last.pk)]["mentions"] == 9
    # The top member falls below the kept list's last place: it is one shorter, still right for the 20 after more
    # changes (the second member loses all but one too, the 25th gains three).
    Ticket.objects.filter(requester__identity__person=members[1]).exclude(
        pk=Ticket.objects.filter(requester__identity__person=members[1]).earliest("pk").pk
    ).delete()
    past_tickets(busy, 24, 3)
    assert past_rankings_read(start=START, end=TODAY) == 0
    assert members[1].pk not in {r["person"] for r in ranked(start=START, end=TODAY)}
    for limit in (1, 5, 20):
        ranked(start=START, end=TODAY, limit=limit)
        ranked(start=START + timedelta(days=2), end=TODAY, limit=limit)  # another range: ranked for itself


def view_queries(busy: dict, people: range, django_assert_num_queries) -> None:
    for i in people:
        past_tickets(busy, i, 1)
    rollups_refresh()  # one day rebuilt: the refresh's own cost is the same whatever the number of people
    with django_assert_num_queries(7) as queries, rollups_read():
        active.most_active(start=START, end=TODAY)
    assert not [q for q in queries.captured_queries if "ORDER BY n DESC" in q["sql"]]  # not ranked again


def test_the_first_view_after_a_past_change_costs_the_same_for_one_person_or_twenty(busy, django_assert_num_queries):
    # Is anything marked, the contributions, the stamp with the log since the kept list, the logged people's past,
    # today's mentions, the kept erased, the names: 7, as a view with nothing changed plus the logged people's past.
    view_queries(busy, range(1), django_assert_num_queries)
    view_queries(busy, range(5, 25), django_assert_num_queries)
    assert past_rankings_read(start=START, end=TODAY) == 0
    ranked(start=START, end=TODAY)


def test_a_merge_or_a_split_is_followed_by_its_people_without_ranking_again(busy):
    members = busy["members"]
    since = CommunityRankChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    Identity.objects.filter(person=members[3]).update(person=members[4])  # a merge: 8 + 8 past mentions, now one's
    assert past_rankings_read(start=START, end=TODAY) == 0
    logged = set(CommunityRankChange.objects.filter(pk__gt=since).values_list("person_id", flat=True))
    assert logged == {members[3].pk, members[4].pk}
    rows = ranked(start=START, end=TODAY)  # equal to the tickets' ranking
    assert rows[0] == {**rows[0], "person": members[4].pk, "mentions": 16}
    assert members[3].pk not in {r["person"] for r in rows}
    Identity.objects.filter(person=members[4], handle="busy3").update(person=members[3])  # split again
    assert past_rankings_read(start=START, end=TODAY) == 0
    assert {members[3].pk, members[4].pk} <= {r["person"] for r in ranked(start=START, end=TODAY)}
    Identity.objects.filter(person=members[0]).delete()  # an identity removed: its mentions leave the person
    assert past_rankings_read(start=START, end=TODAY) == 0
    assert members[0].pk not in {r["person"] for r in ranked(start=START, end=TODAY)}


def test_a_move_that_logged_nobody_ranks_the_range_again(busy):
    with connection.cursor() as cursor:
        cursor.execute(past_stamp.BUMP_SQL)  # a truncate's move: nobody logged
    past_tickets(busy, 29, 8)  # then a logged change: the chain from the kept stamp is broken all the same
    assert past_rankings_read(start=START, end=TODAY) == 1
    assert past_rankings_read(start=START, end=TODAY) == 0
    ranked(start=START, end=TODAY)


def test_a_change_of_too_many_people_is_not_logged_and_ranks_again(busy, monkeypatch):
    # Readers rank again after PEOPLE_CAP people or more; their move is not logged (a first build at 1M logged 250,000
    # rows as one move, which the prune walked on every refresh).
    monkeypatch.setattr(past_stamp, "PEOPLE_CAP", 3)
    since = CommunityRankChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    before = stamp_now()
    for i in (20, 21, 22, 23):
        past_tickets(busy, i, 9)
    assert past_rankings_read(start=START, end=TODAY) == 1
    assert stamp_now() != before and not CommunityRankChange.objects.filter(pk__gt=since).exists()
    assert busy["members"][23].pk in {r["person"] for r in ranked(start=START, end=TODAY)}
    past_tickets(busy, 24, 9)  # one person: logged, followed
    assert past_rankings_read(start=START, end=TODAY) == 0
    assert CommunityRankChange.objects.filter(pk__gt=since).count() == 1
    ranked(start=START, end=TODAY)


def stamp_now() -> int:
    with connection.cursor() as cursor:
        return past_stamp.stamp_read(cursor)


def test_the_log_keeps_whole_moves_and_the_kept_list_follows_after_a_prune(busy, monkeypatch):
    monkeypatch.setattr(past_stamp, "LOG_ROWS", 1)
    past_tickets(busy, 28, 1)
    past_tickets(busy, 29, 9)
    rollups_refresh()  # one move, two people: the row one back is in it, so the move stays whole, the earlier go
    members = busy["members"]
    assert sorted(CommunityRankChange.objects.values_list("person_id", flat=True)) == [members[28].pk, members[29].pk]
    assert past_rankings_read(start=START, end=TODAY) == 0  # its chain starts at the kept stamp
    assert ranked(start=START, end=TODAY)[0]["person"] == members[29].pk


def test_the_kept_list_stays_a_top_and_asks_for_a_ranking_when_too_few_are_left():
    kept = Kept.ranked([(1, 9), (2, 7), (3, 7), (4, 5)], keep=4, stamp=10, logged=3)
    assert kept.bound == (5, 4)
    risen = kept.updated({9: 8, 2: 0}, keep=4, stamp=11, logged=4)  # 9 rises, 2 has nothing left
    assert risen == Kept(11, 4, [(1, 9), (9, 8), (3, 7), (4, 5)], (5, 4))
    cut = risen.updated({8: 6, 7: 6}, keep=4, stamp=12, logged=5)  # two more rise: cut to 4, the 4th the last place
    assert cut == Kept(12, 5, [(1, 9), (9, 8), (3, 7), (7, 6)], (6, 7))
    # 8 (6, after 7 by number) ranks after the last place, as does 1 fallen to 5: unknown people may stand between.
    assert cut.updated({1: 5, 9: 1}, keep=4, stamp=13, logged=6) == Kept(13, 6, [(3, 7), (7, 6)], (6, 7))
    assert cut.updated({1: 5, 9: 1, 3: 0}, keep=4, stamp=13, logged=6) is None  # fewer than half: ranked again
    everyone = Kept.ranked([(1, 3), (2, 1)], keep=4, stamp=1, logged=0)  # not full: nobody else has a past mention
    assert everyone.updated({6: 2, 7: 4}, keep=4, stamp=2, logged=1) == Kept(
        2, 1, [(7, 4), (1, 3), (6, 2), (2, 1)], None
    )
    # A fifth: cut to 4, the last place (2, 1)'s, (5, 1) after it.
    fifth = everyone.updated({5: 1, 6: 2, 7: 4}, keep=4, stamp=2, logged=1)
    assert fifth is not None and fifth.bound == (1, 2)
    # Three of four gone: filled from the people after the last place (6, 7) with 6 mentions, by number; the last one
    # taken is the new last place. With no such people, ranked again.
    asked = []

    def ties(bound: tuple[int, int], n: int) -> list[tuple[int, int]]:
        asked.append((bound, n))
        return [(8, 6), (10, 6), (11, 6), (12, 6)][:n]

    assert cut.updated({1: 0, 9: 0, 3: 0}, keep=4, stamp=13, logged=6, ties=ties) == Kept(
        13, 6, [(7, 6), (8, 6), (10, 6), (11, 6)], (6, 11)
    )
    assert asked == [((6, 7), 3)]
    assert cut.updated({1: 0, 9: 0, 3: 0}, keep=4, stamp=13, logged=6, ties=lambda bound, n: []) is None
    assert cut.updated({1: 5}, keep=4, stamp=13, logged=6, ties=ties) is not None and len(asked) == 1  # enough left


def test_the_logs_chain_from_the_kept_stamp_to_the_current_one():
    kept = Kept.ranked([], keep=4, stamp=10, logged=3)
    assert people_changed(kept, 30, [[10, 20], [20, 30]], [5, 6]) == [5, 6]
    assert people_changed(kept, 40, [[10, 20], [20, 30]], [5]) is None  # moved again with nobody logged
    assert people_changed(kept, 30, [[10, 20], [25, 30]], [5]) is None  # a move between
    assert people_changed(kept, 20, [[10, 20]], list(range(past_kept.PEOPLE_CAP))) is None  # too many: rank again


def a_day_later(days: int = 1) -> time_machine.travel:
    return time_machine.travel(datetime.combine(TODAY + timedelta(days=days), time(12), tzinfo=UTC), tick=True)


def test_the_next_days_view_follows_the_day_befores_list_without_ranking_again(busy):
    members, identities = busy["members"], busy["identities"]
    # Today the quietest member mentions us nine times: tomorrow that day is in the past and ranks them first. The
    # range's first day, left out by tomorrow's 30 days, holds a mention of every fifth member, the top one's too.
    for hour in range(9):
        ticket_from(identities[29], channel=busy["channel"], requested_at=_at(TODAY, hour))
    # Today's view reads their past: tomorrow their count follows from it and their mentions of the day added.
    assert [(r["person"], r["mentions"]) for r in ranked(start=START, end=TODAY)[:1]] == [(members[29].pk, 10)]
    assert busy["first"][0] == {**busy["first"][0], "person": members[0].pk, "mentions": 9}
    # An erasure and a late import (a logged past change) since the list was kept: followed with the days.
    Person.objects.filter(pk=members[2].pk).update(erased_at=datetime.now(UTC))  # as the erasure marks them
    past_tickets(busy, 27, 2)
    width = TODAY - START
    with a_day_later():
        moved = {"start": START + timedelta(days=1), "end": TODAY + timedelta(days=1)}
        assert past_rankings_read(**moved) == 0  # the same length of days, one on
        rows = ranked(**moved)  # equal to the tickets' ranking
        assert rows[0] == {**rows[0], "person": members[29].pk, "mentions": 10}
        assert rows[1] == {**rows[1], "person": members[1].pk, "mentions": 9}  # the top one lost the day left out
        assert members[2].pk not in {r["person"] for r in rows}
        longer = {"start": START, "end": TODAY + timedelta(days=1)}
        assert past_rankings_read(**longer) == 0  # the same first day, one day longer: a month's range
        assert ranked(**longer)[1] == {**ranked(**longer)[1], "person": members[0].pk, "mentions": 9}
    with a_day_later(past_kept.SLIDE_DAYS + 2):  # more days apart than a list is followed: ranked again
        later = {"start": START + timedelta(days=past_kept.SLIDE_DAYS + 2), "end": START + width}
        assert past_rankings_read(**later) == 1
        ranked(**later)


def test_the_days_between_two_ranges():
    days_slid, d = past_kept.days_slid, date(2026, 11, 1)
    week = (d, d + timedelta(days=6))
    assert days_slid(week, (d + timedelta(days=1), d + timedelta(days=7))) == ([d], [d + timedelta(days=7)])
    assert days_slid(week, (d, d + timedelta(days=8))) == ([], [d + timedelta(days=7), d + timedelta(days=8)])
    assert days_slid(week, (d + timedelta(days=7), d + timedelta(days=9))) is None  # no day in common
    assert days_slid((d, d + timedelta(days=30)), (d + timedelta(days=4), d + timedelta(days=34))) is None  # 8 days


def test_one_mention_members_whose_day_the_next_range_leaves_out_are_followed_by_the_ties_after_them(monkeypatch):
    # Most members mention us once a month, and are numbered in the order they came: the kept list is the first six,
    # all on the range's first day. The next day's range leaves that day out: the list is filled from the next six
    # one-mention members by number (the ties after its last place), not ranked again.
    # The day left out also holds four later members off the list: ten people of the two days, more than the cap of
    # people probed (eight here), of whom only the six known are probed, so the list is followed all the same.
    monkeypatch.setattr(active_past, "KEEP", 6)
    monkeypatch.setattr(active_past, "PEOPLE_CAP", 8)
    channel = ChannelFactory(kind="reddit", config=KIND_CONFIG["reddit"])
    members = [PersonFactory(name=f"Once {i}") for i in range(20)]
    for i, person in enumerate(members):
        identity = IdentityFactory(person=person, platform="reddit", handle=f"once{i}")
        day = START if i >= 16 else START + timedelta(days=max(0, i - 5))
        ticket_from(identity, channel=channel, requested_at=_at(day, 10))
    assert [r["person"] for r in ranked(start=START, end=TODAY, limit=3)] == [m.pk for m in members[:3]]
    assert past_rankings_read(start=START, end=TODAY, limit=3) == 0
    with a_day_later():
        moved = {"start": START + timedelta(days=1), "end": TODAY + timedelta(days=1), "limit": 3}
        assert past_rankings_read(**moved) == 0
        assert [r["person"] for r in ranked(**moved)] == [m.pk for m in members[6:9]]
    # Five days on, four of the six are left out again; with no tie within reach, the range is ranked again.
    with a_day_later(5), mock.patch.object(active_past, "TIES_SPAN", 0):
        moved = {"start": START + timedelta(days=5), "end": TODAY + timedelta(days=5), "limit": 3}
        assert past_rankings_read(**moved) == 1
        assert [r["person"] for r in ranked(**moved)] == [m.pk for m in members[10:13]]
