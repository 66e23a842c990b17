"""The KPI rollups agree with the exact computation from the source rows, through every kind of change.

Each step changes tickets or events the way the desk does (ingest, replies, solves, reopen, play
assignments and later actions, bulk updates, deletes), then compares every rolled-up figure with
the reference path that reads the tickets and events directly.
"""

import random
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from django.db import connection

from channels.tests.factories import ChannelFactory
from mentions.models import Ticket, TicketEvent
from mentions.tests.factories import UserFactory
from metrics import activity, advocates, first_reply, periods, rollups
from metrics.models import CommunityDay, TicketDay
from metrics.quantiles import array_percentile_cont, percentile_cont, values_decode, values_encode
from metrics.tests.factories import at, event_make, ticket_make

pytestmark = pytest.mark.django_db

K = TicketEvent.Kind
START, END = date(2026, 11, 1), date(2026, 11, 30)
NOW = at(30, 23)


def _exact(channel_id):
    from mentions.models import Target

    targets = Target.hours()
    kwargs = {"start": START, "end": END, "channel_id": channel_id}
    rows = first_reply._first_reply_figures_rows(**kwargs)
    figures = first_reply.first_reply_figures_python(rows, now=NOW, targets=targets)
    per_advocate = advocates._advocate_rows_python(**kwargs)
    return figures, sorted(per_advocate)


def _rolled_up(channel_id):
    from mentions.models import Target

    targets = Target.hours()
    kwargs = {"start": START, "end": END, "channel_id": channel_id}
    rollups.rollups_refresh()
    figures = first_reply._first_reply_figures_rollup(**kwargs, now=NOW, targets=targets)
    per_advocate = advocates._advocate_rows_rollup(**kwargs)
    return figures, sorted(per_advocate)


def _assert_agree(channels):
    for channel_id in (None, *(c.pk for c in channels)):
        exact_figures, exact_advocates = _exact(channel_id)
        figures, advocates = _rolled_up(channel_id)
        assert figures == exact_figures, channel_id
        assert [row[:4] for row in advocates] == [row[:4] for row in exact_advocates], channel_id
        for mine, theirs in zip(advocates, exact_advocates, strict=True):
            assert mine[4] == pytest.approx(theirs[4], abs=1e-9), channel_id
    assert_activity_and_tags_agree(channels)


def assert_activity_and_tags_agree(channels):
    for channel_id in (None, channels[0].pk):
        kwargs: dict[str, Any] = {"start": START, "end": END, "channel_id": channel_id}
        rolled, exact = activity.activity_counts_rollup(**kwargs), activity.activity_counts_source(**kwargs)
        assert {key: {d: n for d, n in days.items() if n} for key, days in rolled.items()} == exact
    bounds = {"current_start": date(2026, 11, 20), "previous_start": date(2026, 11, 10), "end": END}
    assert sorted(map(dict.items, activity.tags_counts_rollup(**bounds))) == sorted(
        map(dict.items, activity.tags_counts_source(**bounds))
    )


@pytest.fixture
def world():
    rng = random.Random(20261121)
    channels = [ChannelFactory(name="Forum"), ChannelFactory(name="X", high_priority=True), ChannelFactory(name="HN")]
    advocates = [UserFactory(username=f"adv{i}") for i in range(3)]
    tickets = []
    for _ in range(60):
        channel = rng.choice(channels)
        requested = at(rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59))
        frt = rng.choice([None, rng.randint(60, 3 * 86400)])
        solved = rng.random() < 0.3
        tickets.append(
            ticket_make(
                channel=channel,
                requested_at=requested,
                frt_seconds=frt,
                business_seconds=None if frt is None else frt // 2,
                solved_at=requested + timedelta(days=1) if solved else None,
            )
        )
    return rng, channels, advocates, tickets


def test_rollups_follow_every_change_and_agree_with_the_exact_figures(world):
    rng, channels, advocates, tickets = world
    _assert_agree(channels)

    # a first reply arrives on a later day, a ticket is solved without reply, one is reopened
    waiting = [t for t in tickets if t.first_reply_at is None]
    t = waiting[0]
    t.first_reply_at = t.requested_at + timedelta(days=2, minutes=7)
    t.first_reply_seconds = int((t.first_reply_at - t.requested_at).total_seconds())
    t.first_reply_business_seconds = 3600
    t.save()
    Ticket.objects.filter(pk=waiting[1].pk).update(status=Ticket.Status.SOLVED, solved_at=at(29, 12))
    solved = next(x for x in tickets if x.solved_at)
    Ticket.objects.filter(pk=solved.pk).update(status=Ticket.Status.OPEN, solved_at=None)
    _assert_agree(channels)

    # play assignments, then each advocate's action on a later day (the assignment's day must be redone)
    for ticket in rng.sample(tickets, 20):
        advocate = rng.choice(advocates)
        served_at = ticket.requested_at + timedelta(hours=1)
        event_make(ticket=ticket, kind=K.ASSIGNED, actor=advocate, created_at=served_at, via="play", view="all")
    _assert_agree(channels)
    for event in TicketEvent.objects.filter(kind=K.ASSIGNED).select_related("ticket"):
        kind = rng.choice([K.REPLIED, K.MACRO, K.STATUS, K.REPLY_SENT])
        later = event.created_at + timedelta(days=rng.randint(0, 3), minutes=rng.randint(1, 600))
        data = {"from": "open", "to": "solved"} if kind == K.STATUS else {}
        event_make(ticket=event.ticket, kind=kind, actor=event.actor, created_at=later, **data)
    for ticket in rng.sample(tickets, 15):
        event_make(ticket=ticket, kind=K.TAG_ADDED, created_at=ticket.requested_at, tag=rng.choice(["ci", "bug"]))
    _assert_agree(channels)

    # a bulk update (a play claim touches no KPI column; a requested_at correction moves a ticket's day)
    Ticket.objects.filter(pk__in=[x.pk for x in tickets[:10]]).update(assignee=advocates[0])
    assert rollups.days_marked() == []
    Ticket.objects.filter(pk=tickets[11].pk).update(requested_at=at(2, 1))
    # a ticket moved to another channel, events and tickets deleted
    Ticket.objects.filter(pk=tickets[12].pk).update(channel=channels[2])
    TicketEvent.objects.filter(pk__in=TicketEvent.objects.filter(kind=K.REPLIED).values("pk")[:3]).delete()
    Ticket.objects.filter(pk__in=[x.pk for x in tickets[20:25]]).delete()
    _assert_agree(channels)


def test_a_claim_marks_nothing_and_a_reply_marks_its_days(world):
    _, _, advocates, tickets = world
    rollups.rollups_refresh()
    ticket = next(t for t in tickets if t.first_reply_at is None)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=advocates[0], status=ticket.status)
    assert rollups.days_marked() == []
    reply_at = at(29, 8)
    Ticket.objects.filter(pk=ticket.pk).update(first_reply_at=reply_at, first_reply_seconds=5)
    assert rollups.days_marked() == sorted({(ticket.requested_at.date(), "ticket"), (reply_at.date(), "ticket")})


def _marks() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT day, kind, channel_id FROM metrics_rollupdirty ORDER BY 1, 2, 3")
        return cursor.fetchall()


def test_a_tickets_change_rebuilds_its_channels_rows_of_the_day_and_no_others(world):
    """A past day's ticket changed: its channel's rows of that day are rebuilt, the other channels' are not read (a day
    holds 2,500 tickets at 1,000,000 a year); a whole-day mark (a first build, a mark from before) rebuilds every
    channel's."""
    _, channels, _, tickets = world
    rollups.rollups_refresh()
    days: dict[date, dict[int, Ticket]] = {}
    for ticket in tickets:
        days.setdefault(ticket.requested_at.date(), {}).setdefault(ticket.channel_id, ticket)
    day, by_channel = next((d, c) for d, c in sorted(days.items()) if len(c) >= 2)
    (changed_channel, ticket), (other_channel, _) = sorted(by_channel.items())[:2]
    # A stale row of the other channel that day: left alone by a rebuild of the changed channel's rows only.
    TicketDay.objects.filter(day=day, channel_id=other_channel).update(created=999)
    CommunityDay.objects.filter(day=day, channel_id=other_channel).update(mentions=999)
    Ticket.objects.filter(pk=ticket.pk).update(high_priority=not ticket.high_priority)
    assert _marks() == [(day, "ticket", changed_channel)]
    rollups.rollups_refresh()
    assert set(TicketDay.objects.filter(day=day, channel_id=other_channel).values_list("created", flat=True)) == {999}
    assert set(CommunityDay.objects.filter(day=day, channel_id=other_channel).values_list("mentions", flat=True)) == {
        999
    }
    rows = TicketDay.objects.filter(day=day, channel_id=changed_channel).values_list("high_priority", "created")
    exact = Ticket.objects.filter(channel_id=changed_channel, requested_at__date=day)
    assert sorted(rows) == sorted(
        (flag, exact.filter(high_priority=flag).count()) for flag in {t.high_priority for t in exact}
    )
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO metrics_rollupdirty (day, kind) VALUES (%s, 'ticket')", [day])
    rollups.rollups_refresh()
    assert 999 not in TicketDay.objects.filter(day=day).values_list("created", flat=True)
    assert 999 not in CommunityDay.objects.filter(day=day).values_list("mentions", flat=True)
    _assert_agree(channels)


def test_a_days_marked_channels_are_rebuilt_together_and_a_whole_day_mark_rebuilds_every_channel():
    day, other, third = date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 5)
    marks = [(day, "ticket", 3), (day, "ticket", 1), (other, "ticket", 5), (other, "ticket", 0), (other, "event", 0)]
    marks += [(third, "event", 0), (third, "ticket", 7)]
    assert rollups.ticket_slices(marks) == [(day, [1, 3]), (other, None), (third, [7])]


def test_truncating_the_tickets_empties_the_rollups(world):
    rollups.rollups_refresh()
    assert TicketDay.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred FK checks pending before TRUNCATE
        cursor.execute("TRUNCATE mentions_ticket, mentions_ticketevent CASCADE")
    assert not TicketDay.objects.exists()
    assert first_reply.first_reply_stats(start=START, end=END, now=NOW)["all"].replied == 0


def test_rebuild_marks_every_day_and_gives_the_same_rollups(world):
    rollups.rollups_refresh()
    before = sorted(TicketDay.objects.values_list("day", "channel_id", "created", "replied", "solved"))
    TicketDay.objects.all().delete()
    result = rollups.rollups_rebuild()
    assert result["ticket"] >= 28
    assert sorted(TicketDay.objects.values_list("day", "channel_id", "created", "replied", "solved")) == before


def test_the_literal_kinds_in_the_trigger_sql_are_the_models_values():
    assert rollups.SOLVED == Ticket.Status.SOLVED
    assert rollups.SERVED == K.ASSIGNED and rollups.STATUS == K.STATUS and rollups.TAG_ADDED == K.TAG_ADDED
    assert set(rollups.HANDLING_KINDS) == set(periods.HANDLING_KINDS)
    assert set(rollups.REPLY_KINDS) == set(periods.REPLY_KINDS)


@pytest.mark.parametrize("size", [1, 2, 3, 10, 101, 5000])
def test_selection_gives_postgresqls_percentile_cont_exactly(size):
    rng = random.Random(size)
    values = [rng.choice([rng.randint(0, 10), rng.randint(0, 10**9), rng.randint(2**31, 2**40)]) for _ in range(size)]
    array = values_decode(*values_encode(values))
    assert array.dtype == np.int64 and sorted(array) == sorted(values)
    for fraction in (0.0, 0.1, 0.5, 0.9, 0.99, 1.0):
        assert array_percentile_cont(array, fraction) == percentile_cont(values, fraction)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v), percentile_cont(0.9) WITHIN GROUP (ORDER BY v)"
            " FROM unnest(%s::bigint[]) v",
            [values],
        )
        assert cursor.fetchone() == (array_percentile_cont(array, 0.5), array_percentile_cont(array, 0.9))


def test_no_values_give_no_percentile():
    assert array_percentile_cont(values_decode(b""), 0.5) is None
    assert percentile_cont([], 0.5) is None


def test_the_command_rebuilds_every_day(world):
    from io import StringIO

    from django.core.management import call_command

    rollups.rollups_refresh()
    TicketDay.objects.all().delete()
    out = StringIO()
    call_command("kpi_rollups", "--rebuild", stdout=out)
    assert out.getvalue().startswith("Rebuilt ")
    assert TicketDay.objects.filter(day__gte=START, day__lte=END).exists()
    _assert_agree(world[1])
