"""Returning members' day rollup (metrics.community.newcomer_rollup, CommunityNewcomerDay) against the tickets, and
against counts written out here: when a day's window is decided, a member coming back later, a merge and a split
moving a first mention, an admin changing the first-reply targets, one row per day, channel and group however many
newcomers, and TRUNCATE. Every tally is taken on both paths (the rollup, PostgreSQL's, and the tickets, the embedded
SQLite default's) and must be equal; the broader desk's comparison is metrics/tests/test_community.py's."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from channels.tests.factories import ChannelFactory
from mentions.models import Target, Ticket
from metrics.community import members, newcomer_rollup
from metrics.models import CommunityNewcomerDay, CommunityNewcomerTargets
from metrics.rollups import rollups_refresh
from metrics.tests.community_desk import newcomer_days_as_recounted
from people.models import Identity
from people.tests.factories import KIND_CONFIG, IdentityFactory, PersonFactory, ticket_from

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 1)
W, N = members.WITHIN, members.NOT_WITHIN


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def figures(members_: int, decided_30: int = 0, returned_30: int = 0, decided_90: int = 0, returned_90: int = 0):
    return {"members": members_, "decided_30": decided_30, "returned_30": returned_30, "decided_90": decided_90,
            "returned_90": returned_90}  # fmt: skip


@pytest.fixture
def channel():
    return ChannelFactory(kind="hackernews", name="hn", config=KIND_CONFIG["hackernews"])


def member(handle: str, channel, *times: datetime, reply: int | None = None, high: bool = False) -> Identity:
    """A new person whose tickets are at `times`; the first replied after `reply` seconds (None: not replied)."""
    identity = IdentityFactory(person=PersonFactory(name=handle), platform="hackernews", handle=handle)
    for i, requested_at in enumerate(times):
        ticket_from(identity, channel=channel, requested_at=requested_at, high_priority=high and i == 0,
                    first_reply_seconds=reply if i == 0 else None)  # fmt: skip
    return identity


def tally(now: datetime, *, start: date = DAY, end: date = DAY, channel_id: int | None = None, targets=None) -> dict:
    """The day tally on both paths, which must agree."""
    kwargs: dict[str, Any] = {"start": start, "end": end, "by": "day", "now": now, "channel_id": channel_id,
              "targets": targets or Target.hours()}  # fmt: skip
    rollups_refresh()
    rolled = members.returning_tally_rollup(**kwargs)
    assert rolled == {k: dict(v) for k, v in members.returning_tally_source(**kwargs).items()}, kwargs
    newcomer_days_as_recounted()
    return rolled


def test_a_days_window_is_decided_once_it_has_passed_for_the_whole_day(channel):
    # One writes at 00:05 and comes back 30 days less a minute later; one writes at 23:55 and never again.
    member("early", channel, at(DAY, 0, 5), at(DAY + timedelta(days=30), 0, 4))
    member("late", channel, at(DAY, 23, 55))
    # The early one's own 30 days have passed, the late one's have not: the day is not decided yet.
    assert tally(at(DAY + timedelta(days=30), 12)) == {(DAY, N): figures(2)}
    assert tally(at(DAY + timedelta(days=31)) - timedelta(microseconds=1)) == {(DAY, N): figures(2)}
    assert tally(at(DAY + timedelta(days=31))) == {(DAY, N): figures(2, decided_30=2, returned_30=1)}
    assert tally(at(DAY + timedelta(days=91))) == {(DAY, N): figures(2, 2, 1, 2, 1)}
    # The same instant told in another time zone: the rule is the UTC day's.
    berlin = at(DAY + timedelta(days=31)).astimezone(ZoneInfo("Europe/Berlin"))
    assert members.window_passed(DAY, 30, berlin) is True
    assert members.window_passed(DAY, 30, berlin - timedelta(microseconds=1)) is False


def test_a_member_coming_back_later_changes_their_first_days_figures(channel):
    identity = member("m", channel, at(DAY, 10))
    now = at(DAY + timedelta(days=100))
    assert tally(now) == {(DAY, N): figures(1, 1, 0, 1, 0)}
    back = ticket_from(identity, channel=channel, requested_at=at(DAY + timedelta(days=20)))
    assert tally(now) == {(DAY, N): figures(1, 1, 1, 1, 1)}
    back.delete()
    assert tally(now) == {(DAY, N): figures(1, 1, 0, 1, 0)}
    ticket_from(identity, channel=channel, requested_at=at(DAY + timedelta(days=60)))
    assert tally(now) == {(DAY, N): figures(1, 1, 0, 1, 1)}
    # Back within 90 days of the first mention's time, not of the day's end: 90 days and a minute is too late.
    member("m2", channel, at(DAY, 10), at(DAY + timedelta(days=90), 10, 1))
    assert tally(now) == {(DAY, N): figures(2, 2, 0, 2, 1)}


def test_a_merge_and_a_split_move_the_first_mention(channel):
    earlier = DAY - timedelta(days=5)
    a = member("a", channel, at(DAY, 10))
    b = member("b", channel, at(earlier, 10))
    now = at(DAY + timedelta(days=100))
    wide: dict[str, Any] = {"start": earlier, "end": DAY}
    assert tally(now, **wide) == {(earlier, N): figures(1, 1, 0, 1, 0), (DAY, N): figures(1, 1, 0, 1, 0)}
    Identity.objects.filter(pk=a.pk).update(person=b.person)  # a merged into b: b came back on DAY
    assert tally(now, **wide) == {(earlier, N): figures(1, 1, 1, 1, 1)}
    Identity.objects.filter(pk=a.pk).update(person=PersonFactory(name="a again"))  # split off to a new person
    assert tally(now, **wide) == {(earlier, N): figures(1, 1, 0, 1, 0), (DAY, N): figures(1, 1, 0, 1, 0)}
    Ticket.objects.filter(requester__identity=a).update(requested_at=at(earlier, 9))  # moved before b's
    assert tally(now, **wide) == {(earlier, N): figures(2, 2, 0, 2, 0)}


def test_the_figures_follow_the_targets_an_admin_sets(channel, django_assert_num_queries):
    member("normal", channel, at(DAY, 10), reply=6 * 3600)  # within 7 h
    member("urgent", channel, at(DAY, 11), reply=6 * 3600, high=True)  # not within 5 h
    now = at(DAY + timedelta(days=1))
    assert tally(now) == {(DAY, W): figures(1), (DAY, N): figures(1)}
    targets = Target.hours()
    with django_assert_num_queries(1):  # the targets in force: the rollup is checked, nothing rebuilt
        members.newcomers_ensure(targets)
    Target.objects.create(group=Target.Group.HIGH_PRIORITY, median_hours=Decimal("6.5"))
    assert tally(now) == {(DAY, W): figures(2)}
    built = CommunityNewcomerTargets.objects.get()
    assert (built.all_seconds, built.high_priority_seconds) == (7 * 3600, 6.5 * 3600)
    Target.objects.create(group=Target.Group.ALL, median_hours=Decimal("5.99"))  # 6 h is now late
    assert tally(now) == {(DAY, W): figures(1), (DAY, N): figures(1)}
    # A day rebuilt by a refresh counts with the targets in force too.
    member("normal2", channel, at(DAY, 12), reply=int(5.99 * 3600))
    assert tally(now) == {(DAY, W): figures(2), (DAY, N): figures(1)}


def test_a_day_keeps_one_row_per_channel_and_group_however_many_newcomers(channel):
    other = ChannelFactory(kind="hackernews", name="hn 2", config=KIND_CONFIG["hackernews"])
    for i in range(6):
        member(f"m{i}", channel if i < 5 else other, at(DAY, 8 + i), reply=3600 if i % 2 else None)
    assert tally(at(DAY)) == {(DAY, W): figures(3), (DAY, N): figures(3)}
    assert tally(at(DAY), channel_id=other.pk) == {(DAY, W): figures(1)}
    rows = sorted(CommunityNewcomerDay.objects.values_list("channel_id", "within_target", "members"))
    every = newcomer_rollup.ALL_CHANNELS  # what a read without a channel sums: two rows a day, whatever the channels
    assert rows == [
        (every, False, 3),
        (every, True, 3),
        (channel.pk, False, 3),
        (channel.pk, True, 2),
        (other.pk, True, 1),
    ]


def test_truncating_the_tickets_empties_the_newcomer_days(channel):
    member("m", channel, at(DAY, 10))
    assert tally(at(DAY)) == {(DAY, N): figures(1)}
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred FK checks pending before TRUNCATE
        cursor.execute("TRUNCATE mentions_ticket, mentions_ticketevent CASCADE")
    assert not CommunityNewcomerDay.objects.exists()
    assert tally(at(DAY)) == {}


def test_kpi_rollups_builds_the_newcomer_days_before_any_read(channel):
    member("m", channel, at(DAY, 10), reply=3600)
    assert not CommunityNewcomerTargets.objects.exists()
    call_command("kpi_rollups", stdout=io.StringIO())
    assert sorted(CommunityNewcomerDay.objects.values_list("day", "channel_id", "within_target", "members")) == [
        (DAY, newcomer_rollup.ALL_CHANNELS, True, 1),
        (DAY, channel.pk, True, 1),
    ]
