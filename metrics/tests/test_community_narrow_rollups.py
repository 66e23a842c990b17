"""The two narrower Community rollups (metrics.models_community) against the raw rows, through the changes that move
them: the mentions per person and day (CommunityPersonDay, what the most active members' ranking sums) after a merge,
a split, an identity removed, a requester moved, a ticket merged away and a late mention; the mentions per day and
choice (CommunityChoiceDay, the volume by intent, judgement and sentiment over every channel) after a ticket's
choices changed; the terms per day over every channel (CommunityTermSumDay), the sum of the terms per channel. Also:
the migrations' one-statement builds give the refresh's rows, and a TRUNCATE empties them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from mentions.models import Ticket
from metrics.community.past_stamp import stamp_read
from metrics.community.person_rollup import BUILD_SQL
from metrics.community.rollup import CHOICE_DAYS_BUILD_SQL, COUNTED_SQL, TERM_SUM_DAYS_BUILD_SQL
from metrics.models import CommunityChoiceDay, CommunityPersonDay, CommunityTermSumDay
from metrics.rollups import rollups_refresh
from metrics.tests.community_desk import START, _at, desk_build
from people.models import Identity, Requester
from people.tests.factories import IdentityFactory, PersonFactory, ticket_from

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_midnight_margin")]

# The counted mentions per UTC day, channel, product and person, from the tickets, their requesters and identities.
PERSON_DAYS_RAW = f"""
SELECT (t.requested_at AT TIME ZONE 'UTC')::date, t.channel_id, coalesce(t.product_id, 0), i.person_id, count(*)
FROM mentions_ticket t JOIN people_requester r ON r.ticket_id = t.id JOIN people_identity i ON i.id = r.identity_id
WHERE {COUNTED_SQL} GROUP BY 1, 2, 3, 4
"""
CHOICE_DAYS_RAW = f"""
SELECT (t.requested_at AT TIME ZONE 'UTC')::date, coalesce(t.product_id, 0), v.choice, v.value, count(*)
FROM mentions_ticket t
CROSS JOIN LATERAL (VALUES ('intent', t.intent), ('judgement', t.judgement), ('sentiment', t.sentiment))
    v(choice, value)
WHERE {COUNTED_SQL} GROUP BY 1, 2, 3, 4
"""
# CommunityTermDay summed over the channels (CommunityTermDay itself is checked against the subjects: test_community).
TERM_SUMS_RAW = "SELECT day, product_id, term, sum(mentions) FROM metrics_communitytermday GROUP BY 1, 2, 3"
PERSON_COLUMNS = ("day", "channel_id", "product_id", "person_id", "mentions")
CHOICE_COLUMNS = ("day", "product_id", "choice", "value", "mentions")


@pytest.fixture
def desk():
    built = desk_build()
    rollups_refresh()
    return built


def raw(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return sorted(cursor.fetchall())


def person_days() -> list[tuple]:
    return sorted(CommunityPersonDay.objects.values_list(*PERSON_COLUMNS))


def choice_days() -> list[tuple]:
    return sorted(CommunityChoiceDay.objects.values_list(*CHOICE_COLUMNS))


def term_sums() -> list[tuple]:
    return sorted(CommunityTermSumDay.objects.values_list("day", "product_id", "term", "mentions"))


def stamp() -> int:
    with connection.cursor() as cursor:
        return stamp_read(cursor)


def refreshed_and_equal_to_the_rows() -> None:
    """What every read does first (a refresh), then both rollups are the raw rows' counts, row for row."""
    rollups_refresh()
    assert person_days() == raw(PERSON_DAYS_RAW)
    assert choice_days() == raw(CHOICE_DAYS_RAW)
    assert term_sums() == raw(TERM_SUMS_RAW)


def test_both_rollups_are_the_counts_of_the_raw_rows(desk):
    rows = person_days()
    assert rows and {row[3] for row in rows} == {row["person"] for row in desk["rows"]}
    assert {row[2] for row in choice_days()} == {"intent", "judgement", "sentiment"}
    refreshed_and_equal_to_the_rows()


def test_a_merge_moves_the_person_days_and_the_past_ranking_stamp(desk):
    first, second = desk["people"][:2]
    before = stamp()
    Identity.objects.filter(person=first).update(person=second)
    rollups_refresh()
    assert not CommunityPersonDay.objects.filter(person_id=first.pk).exists()
    refreshed_and_equal_to_the_rows()
    assert stamp() != before
    # Split again: one identity back to its own person.
    moved = Identity.objects.filter(person=second, platform="reddit").earliest("pk")
    Identity.objects.filter(pk=moved.pk).update(person=first)
    after_merge = stamp()
    refreshed_and_equal_to_the_rows()
    assert CommunityPersonDay.objects.filter(person_id=first.pk).exists() and stamp() != after_merge


def test_an_identity_removed_and_a_requester_moved(desk):
    people = desk["people"]
    Identity.objects.filter(person=people[2], platform="email").delete()  # its requester rows go with it
    refreshed_and_equal_to_the_rows()
    requester = Requester.objects.filter(identity__person=people[3]).earliest("pk")
    requester.identity = Identity.objects.filter(person=people[4]).earliest("pk")
    requester.save()
    refreshed_and_equal_to_the_rows()


def test_a_ticket_merged_away_a_late_mention_and_a_new_intent(desk):
    rows = desk["rows"]
    before = stamp()
    Ticket.objects.filter(pk=rows[3]["ticket"].pk).update(merged_into=rows[4]["ticket"])
    refreshed_and_equal_to_the_rows()
    assert stamp() != before
    newcomer = IdentityFactory(person=PersonFactory(name="Late"), platform="reddit", handle="late")
    ticket_from(newcomer, channel=desk["channels"]["reddit"], requested_at=_at(START + timedelta(days=2), 20))
    ticket_from(newcomer, channel=desk["channels"]["reddit"], requested_at=datetime.now(UTC))
    refreshed_and_equal_to_the_rows()
    Ticket.objects.filter(pk=rows[5]["ticket"].pk).update(intent="praise", judgement="noise", sentiment="negative")
    refreshed_and_equal_to_the_rows()


def test_a_day_rebuilt_alone_brings_the_rows_of_the_people_whose_mentions_it_changed(desk):
    # A change no member trigger sees (a private message dated before a past ticket's first mention, which the ingest
    # never makes), then that day marked, as a repair of one day would: the day's rebuild alone puts the person-days
    # of the people it changed right, and leaves the day's other people's rows as they were.
    from mentions.models import Message
    from mentions.tests.factories import MessageFactory

    ticket = desk["rows"][6]["ticket"]
    day = ticket.requested_at.astimezone(UTC).date()
    others = CommunityPersonDay.objects.filter(day=day).exclude(person_id=desk["rows"][6]["person"])
    untouched = sorted(others.values_list(*PERSON_COLUMNS))
    MessageFactory(ticket=ticket, kind=Message.Kind.PRIVATE, platform_created_at=ticket.requested_at)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO metrics_rollupdirty (day, kind) VALUES (%s, 'ticket')", [day])
    refreshed_and_equal_to_the_rows()
    assert sorted(others.values_list(*PERSON_COLUMNS)) == untouched


def test_the_migrations_build_gives_the_refreshs_rows(desk):
    kept = person_days(), choice_days(), term_sums()
    assert kept[2]
    for model in (CommunityPersonDay, CommunityChoiceDay, CommunityTermSumDay):
        model.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(BUILD_SQL)
        cursor.execute(CHOICE_DAYS_BUILD_SQL)
        cursor.execute(TERM_SUM_DAYS_BUILD_SQL)
    assert (person_days(), choice_days(), term_sums()) == kept


@pytest.mark.parametrize("table", ["mentions_ticket, mentions_ticketevent", "people_identity"])
def test_a_truncate_empties_the_person_days(desk, table):
    assert CommunityPersonDay.objects.exists() and CommunityChoiceDay.objects.exists()
    assert CommunityTermSumDay.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred FK checks pending before TRUNCATE
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert not CommunityPersonDay.objects.exists()
    # The choices and terms do not depend on who asked: emptied with the tickets only.
    assert CommunityChoiceDay.objects.exists() == (table == "people_identity")
    assert CommunityTermSumDay.objects.exists() == (table == "people_identity")


@pytest.mark.parametrize("table", ["mentions_ticketevent", "metrics_communitypersonday"])
def test_a_truncate_that_empties_the_person_days_moves_the_rankings_stamp(desk, table):
    # The events' TRUNCATE empties the person-days by DELETE; the kept ranking must not be read under the old stamp.
    before = stamp()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred FK checks pending before TRUNCATE
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert not CommunityPersonDay.objects.exists()
    assert stamp() != before
