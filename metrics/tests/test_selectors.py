"""KPI selectors on hand-computed data.

The desk (range 2026-11-02 Mon .. 2026-11-29 Sun, now = 2026-11-29 20:00 UTC, targets 7 h / 5 h):

Forum (normal), replied: FRT 1 h, 2 h, 5 h, 7 h (exactly at target), 9 h; stored business 1, 2, 3, 4, 5 h.
    -> median 5 h, p90 = 5 + ... = 7 + (9 - 7) * 0.6 = 8.2 h, within target 4/5 = 80.0 %, business median 3 h,
       p90 4.6 h.
Forum, unreplied: solved without reply (11-10), old (11-20 10:00, overdue), exactly 7 h old (13:00, not
    over: over means strictly older), young (16:00).
X main (high priority), replied through ingest: Fri 11-06 21:00 -> our reply recognised on the platform
    Tue 11-10 09:00: 84 h on the calendar, 2 h of business time (a night, a weekend and a holiday on Monday).
X main, unreplied 6 h old (14:00): over the 5 h target, not over 7 h.
Outside the range: a Forum ticket requested 11-01 23:00, first reply 100 h later (11-06 03:00).

All channels: FRTs 1, 2, 5, 7, 9, 84 h -> median 6 h, p90 9 + (84 - 9) * 0.5 = 46.5 h, within 4/6 = 66.7 %;
    business 1, 2, 2, 3, 4, 5 h -> median 2.5 h, p90 4.5 h. Unreplied 5, solved without reply 1, over 7 h: 1.
High priority: FRT 84 h, business 2 h, within 5 h: 0.0 %, unreplied 1, over 5 h: 1.
"""

from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from channels.tests.factories import ChannelFactory
from channels.tests.hn import comment_hit, search_page, story_hit
from experts.models import Outreach
from experts.tests.factories import OutreachFactory
from intake.pipeline import mentions_ingest
from mentions.models import Holiday, Tag, Target, Ticket, TicketEvent
from mentions.tests.factories import UserFactory
from metrics import activity, advocates, export, first_reply, first_reply_weekly
from metrics.rollups import rollups_refresh
from metrics.tests.factories import H, at, event_make, ticket_make

pytestmark = pytest.mark.django_db

START, END = date(2026, 11, 2), date(2026, 11, 29)
NOW = at(29, 20)
K = TicketEvent.Kind


def _ts(dt: datetime) -> int:
    return int(dt.timestamp())


def _hn_ingest(channel, hits):
    from channels.adapters.hackernews import HackerNewsAdapter

    return mentions_ingest(channel=channel, mentions=HackerNewsAdapter().parse_payload(search_page(hits)))


@pytest.fixture
def desk():
    Holiday.objects.create(date=date(2026, 11, 9), name="Team day")
    forum = ChannelFactory(name="Forum")
    x_main = ChannelFactory(name="X main", high_priority=True, our_accounts=["gitlabhq"])
    t = {}
    for name, (day, frt, business) in {
        "t1": (2, 1, 1),
        "t2": (3, 2, 2),
        "t3": (4, 5, 3),
        "t4": (5, 7, 4),
        "t5": (6, 9, 5),
    }.items():
        t[name] = ticket_make(
            channel=forum, requested_at=at(day, 9), frt_seconds=frt * H, business_seconds=business * H
        )
    t["solved_no_reply"] = ticket_make(channel=forum, requested_at=at(10, 10), solved_at=at(10, 12))
    t["old"] = ticket_make(channel=forum, requested_at=at(20, 10), subject="Old and waiting")
    t["at_target"] = ticket_make(channel=forum, requested_at=at(29, 13))
    t["young"] = ticket_make(channel=forum, requested_at=at(29, 16))
    t["outside"] = ticket_make(channel=forum, requested_at=at(1, 23), frt_seconds=100 * H)
    t["hp_waiting"] = ticket_make(channel=x_main, requested_at=at(29, 14), subject="Six hours")
    # Our reply recognised on the platform: ingest stores the platform time as the first reply.
    _hn_ingest(
        x_main,
        [
            story_hit(9001, _ts(at(6, 21)), title="Show HN: our CI setup"),
            comment_hit(9002, _ts(at(10, 9)), author="gitlabhq", parent_id=9001),
        ],
    )
    t["hp_replied"] = Ticket.objects.get(channel=x_main, requested_at=at(6, 21))
    # Solved on release day.
    Ticket.objects.filter(pk=t["t1"].pk).update(status=Ticket.Status.SOLVED, solved_at=at(22, 10))
    return {"forum": forum, "x_main": x_main, **t}


def test_ingest_stored_the_platform_time_across_a_night_a_weekend_and_a_holiday(desk):
    ticket = desk["hp_replied"]
    assert ticket.high_priority
    assert ticket.first_reply_at == at(10, 9)
    assert ticket.first_reply_seconds == 84 * H
    assert ticket.first_reply_business_seconds == 2 * H


def test_first_reply_stats_all_channels(desk):
    stats = first_reply.first_reply_stats(start=START, end=END, now=NOW)["all"]
    assert stats.group == "all" and stats.target_hours == 7.0
    assert stats.replied == 6
    assert stats.median_hours == pytest.approx(6.0)
    assert stats.p90_hours == pytest.approx(46.5)
    assert stats.median_business_hours == pytest.approx(2.5)
    assert stats.p90_business_hours == pytest.approx(4.5)
    assert stats.within_target_pct == 66.7
    assert stats.unreplied == 5
    assert stats.solved_without_reply == 1
    assert stats.unreplied_over_target == 1
    assert [t.pk for t in stats.overdue] == [desk["old"].pk]


def test_first_reply_stats_high_priority(desk):
    stats = first_reply.first_reply_stats(start=START, end=END, now=NOW)["high_priority"]
    assert stats.target_hours == 5.0
    assert stats.replied == 1
    assert stats.median_hours == pytest.approx(84.0) and stats.p90_hours == pytest.approx(84.0)
    assert stats.median_business_hours == pytest.approx(2.0)
    assert stats.within_target_pct == 0.0
    assert (stats.unreplied, stats.solved_without_reply, stats.unreplied_over_target) == (1, 0, 1)
    assert stats.overdue == [desk["hp_waiting"]]


def test_first_reply_stats_by_channel_one_to_nine_hours(desk):
    by_channel = first_reply.first_reply_stats(start=START, end=END, now=NOW)["by_channel"]
    assert list(by_channel) == ["Forum", "X main"]
    forum = by_channel["Forum"]
    assert forum.target_hours == 7.0
    assert forum.replied == 5
    assert forum.median_hours == pytest.approx(5.0)
    assert forum.p90_hours == pytest.approx(8.2)
    assert forum.median_business_hours == pytest.approx(3.0)
    assert forum.p90_business_hours == pytest.approx(4.6)
    assert forum.within_target_pct == 80.0  # 7 h exactly counts as within
    assert (forum.unreplied, forum.solved_without_reply, forum.unreplied_over_target) == (4, 1, 1)
    assert [t.pk for t in forum.overdue] == [desk["old"].pk]
    x_main = by_channel["X main"]
    assert x_main.target_hours == 5.0
    assert (x_main.replied, x_main.unreplied, x_main.unreplied_over_target) == (1, 1, 1)
    assert x_main.within_target_pct == 0.0


def test_as_json_rounds_hours_and_lists_overdue(desk):
    data = first_reply.first_reply_stats(start=START, end=END, now=NOW)["by_channel"]["Forum"].as_json()
    assert data["median_hours"] == 5.0 and data["p90_hours"] == 8.2
    assert data["median_business_hours"] == 3.0
    assert data["within_target_pct"] == 80.0
    assert (data["replied"], data["unreplied"], data["unreplied_over_target"]) == (4 + 1, 4, 1)
    assert data["overdue"] == [
        {
            "id": desk["old"].pk,
            "subject": "Old and waiting",
            "channel": "Forum",
            "requested_at": "2026-11-20T10:00:00+00:00",
            "waiting_hours": 226.0,
        }
    ]


def test_channel_filter(desk):
    stats = first_reply.first_reply_stats(start=START, end=END, channel_id=desk["x_main"].pk, now=NOW)
    assert list(stats["by_channel"]) == ["X main"]
    assert stats["all"].replied == 1 and stats["all"].median_hours == pytest.approx(84.0)
    assert stats["all"].unreplied_over_target == 0  # 6 h old: under the 7 h target of all channels
    assert stats["high_priority"].unreplied_over_target == 1


def test_edited_targets_are_used(desk):
    Target.objects.create(group=Target.Group.ALL, median_hours=5)
    forum = first_reply.first_reply_stats(start=START, end=END, now=NOW)["by_channel"]["Forum"]
    assert forum.target_hours == 5.0
    assert forum.within_target_pct == 60.0  # 1, 2, 5 h
    assert forum.unreplied_over_target == 2  # the old one and the one 7 h old


def test_nothing_in_range_gives_empty_rows(desk):
    stats = first_reply.first_reply_stats(start=date(2025, 1, 1), end=date(2025, 1, 31), now=NOW)
    assert stats["all"].replied == 0 and stats["all"].median_hours is None
    assert stats["all"].within_target_pct is None
    assert stats["high_priority"].unreplied == 0
    assert set(stats["by_channel"]) == {"Forum", "X main"}  # enabled channels are listed with zeros


def test_a_message_by_our_team_opens_no_ticket_and_changes_nothing(desk):
    before = first_reply.first_reply_stats(start=START, end=END, now=NOW)["all"].as_json()
    count = Ticket.objects.count()
    result = _hn_ingest(desk["x_main"], [story_hit(9100, _ts(at(12, 10)), author="gitlabhq", title="Our release")])
    assert result.received == 1
    assert Ticket.objects.count() == count
    after = first_reply.first_reply_stats(start=START, end=END, now=NOW)["all"].as_json()
    assert after == before


def test_overdue_is_oldest_first_and_capped_at_fifty(desk):
    forum = desk["forum"]
    for minute in range(55):
        ticket_make(channel=forum, requested_at=at(15, 10, minute))
    stats = first_reply.first_reply_stats(start=START, end=END, now=NOW)
    overdue = stats["all"].overdue
    assert len(overdue) == 50
    assert overdue[0].requested_at == at(15, 10, 0) and overdue[-1].requested_at == at(15, 10, 49)
    assert stats["all"].unreplied_over_target == 56
    assert len(stats["by_channel"]["Forum"].overdue) == 50


def test_first_reply_stats_queries(desk, django_assert_num_queries):
    rollups_refresh()
    # targets, "anything to refresh?", the rollup figures, the waiting tickets over target, the overdue ids,
    # those tickets with their channel, the channel list
    with django_assert_num_queries(7):
        stats = first_reply.first_reply_stats(start=START, end=END, now=NOW)
    with django_assert_num_queries(0):
        for row in [stats["all"], stats["high_priority"], *stats["by_channel"].values()]:
            row.as_json()


def test_rollup_and_exact_figures_are_equal(desk):
    targets = Target.hours()
    rollups_refresh()
    for channel_id in (None, desk["forum"].pk, desk["x_main"].pk):
        kwargs: dict[str, Any] = {"start": START, "end": END, "channel_id": channel_id}
        sql = first_reply._first_reply_figures_rollup(**kwargs, now=NOW, targets=targets)
        rows = first_reply._first_reply_figures_rows(**kwargs)
        python = first_reply.first_reply_figures_python(rows, now=NOW, targets=targets)
        assert sql == python


def test_rollup_and_exact_weekly_and_handling_are_equal(desk):
    _advocate_events(desk)
    python_weekly = first_reply_weekly.first_reply_weekly_python(
        Ticket.objects.filter(
            requested_at__gte=at(2), requested_at__lt=at(30), first_reply_at__isnull=False
        ).values_list("requested_at", "first_reply_seconds", "first_reply_business_seconds")
    )
    weekly = first_reply_weekly.first_reply_weekly(start=START, end=END)
    assert {r["week_start"]: r["replied"] for r in weekly if r["replied"]} == {
        week: row["replied"] for week, row in python_weekly.items()
    }
    assert [r["median_hours"] for r in weekly if r["replied"]] == [
        row["p50"] / 3600 for _, row in sorted(python_weekly.items())
    ]
    for channel_id in (None, desk["forum"].pk):
        kwargs: dict[str, Any] = {"start": START, "end": END, "channel_id": channel_id}
        assert sorted(advocates._advocate_rows_rollup(**kwargs)) == sorted(advocates._advocate_rows_python(**kwargs))


def test_percentile_cont_matches_postgresql():
    assert first_reply.percentile_cont([], 0.5) is None
    assert first_reply.percentile_cont([3], 0.9) == 3
    assert first_reply.percentile_cont([1, 2, 5, 7, 9], 0.5) == 5
    assert first_reply.percentile_cont([1, 2, 5, 7, 9], 0.9) == pytest.approx(8.2)
    assert first_reply.percentile_cont([4, 1], 0.5) == 2.5


def test_first_reply_weekly(desk):
    rows = first_reply_weekly.first_reply_weekly(start=START, end=END)
    assert [r["week_start"] for r in rows] == [
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
    ]
    first = rows[0]
    assert first["replied"] == 6  # requested that week: 1, 2, 5, 7, 9 and 84 h
    assert first["median_hours"] == pytest.approx(6.0)
    assert first["median_business_hours"] == pytest.approx(2.5)
    assert first["target_hours"] == 7.0
    assert [(r["replied"], r["median_hours"]) for r in rows[1:]] == [(0, None)] * 3


def test_first_reply_weekly_on_a_high_priority_channel_uses_its_target(desk):
    rows = first_reply_weekly.first_reply_weekly(start=START, end=END, channel_id=desk["x_main"].pk)
    assert rows[0]["target_hours"] == 5.0
    assert rows[0]["replied"] == 1 and rows[0]["median_hours"] == pytest.approx(84.0)


def test_activity_daily(desk, django_assert_num_queries):
    rollups_refresh()
    # The release day, "anything to refresh?", the daily rollup, the likes and deletions done from the desk.
    with django_assert_num_queries(4):
        rows = activity.activity_daily(start=START, end=END)
    assert len(rows) == 28 and rows[0]["day"] == START and rows[-1]["day"] == END
    by_day = {r["day"].day: r for r in rows}
    assert {d: r["created"] for d, r in by_day.items() if r["created"]} == {
        2: 1,
        3: 1,
        4: 1,
        5: 1,
        6: 2,
        10: 1,
        20: 1,
        29: 3,
    }
    # 11-06: t5 replied at 18:00 and the ticket requested before the range, replied at 03:00.
    assert {d: r["replied"] for d, r in by_day.items() if r["replied"]} == {2: 1, 3: 1, 4: 1, 5: 1, 6: 2, 10: 1}
    assert {d: r["solved"] for d, r in by_day.items() if r["solved"]} == {10: 1, 22: 1}
    quiet = {"created": 0, "replied": 0, "solved": 0, "liked": 0, "deleted": 0, "reposted": 0, "messaged": 0}
    quiet["release_day"] = False
    assert by_day[15] == {"day": date(2026, 11, 15), **quiet}
    assert [d for d, r in by_day.items() if r["release_day"]] == [22]


def test_activity_daily_for_one_channel(desk):
    rows = activity.activity_daily(start=START, end=END, channel_id=desk["x_main"].pk)
    assert sum(r["created"] for r in rows) == 2
    assert sum(r["replied"] for r in rows) == 1


def test_tags_rising(desk):
    ticket = desk["t1"]
    times = {
        "ci": [at(31, 0, month=10), at(10, 9), at(29, 23, 59), at(30, 23, 59, month=10)],  # 3 current, 1 before
        "runners": [at(15, 9)],
        "billing": [at(16, 9)],
        "pricing": [at(5, 9, month=10), at(1, 0, month=10)],  # 2 before
        "old": [at(30, 23, 59, month=9)],  # before both windows
        "later": [at(30, 0)],  # after the end
    }
    for tag, moments in times.items():
        for moment in moments:
            event_make(ticket=ticket, kind=K.TAG_ADDED, created_at=moment, tag=tag)
    event_make(ticket=ticket, kind=K.TAG_REMOVED, created_at=at(10, 9), tag="ci")
    assert activity.tags_rising(end=END) == [
        {"tag": "ci", "current": 3, "previous": 1, "change": 2},
        {"tag": "billing", "current": 1, "previous": 0, "change": 1},
        {"tag": "runners", "current": 1, "previous": 0, "change": 1},
        {"tag": "pricing", "current": 0, "previous": 2, "change": -2},
    ]
    assert [r["tag"] for r in activity.tags_rising(end=END, limit=2)] == ["ci", "billing"]
    # A week: current 11-23 .. 11-29, previous 11-16 .. 11-22.
    assert activity.tags_rising(end=END, days=7) == [
        {"tag": "ci", "current": 1, "previous": 0, "change": 1},
        {"tag": "billing", "current": 0, "previous": 1, "change": -1},
    ]


def test_outreach_monthly(desk):
    ticket = desk["t2"]
    OutreachFactory(
        ticket=ticket, sent_at=at(3, 10), status=Outreach.Status.ANSWERED, answered_at=at(3, 12), answer_seconds=2 * H
    )
    OutreachFactory(
        ticket=ticket, sent_at=at(4, 10), status=Outreach.Status.ANSWERED, answered_at=at(4, 14), answer_seconds=4 * H
    )
    OutreachFactory(ticket=ticket, sent_at=at(5, 10), status=Outreach.Status.DECLINED, declined_at=at(5, 11))
    OutreachFactory(ticket=ticket, sent_at=at(6, 10))
    OutreachFactory(ticket=ticket, sent_at=at(1, 10, month=12))  # after the range
    assert activity.outreach_monthly(start=START, end=END) == [
        {
            "month": date(2026, 11, 1),
            "asked": 4,
            "answered": 2,
            "declined": 1,
            "answer_rate": 0.5,
            "median_answer_hours": 3.0,
        }
    ]


def _advocate_events(desk):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    t1, t2, t3, t4, t5 = (desk[f"t{i}"] for i in range(1, 6))
    play = {"via": "play", "view": "all"}
    # alice: three tickets served in play (20 min to a reply, 40 min to a macro, none after the third).
    event_make(ticket=t2, kind=K.ASSIGNED, actor=alice, created_at=at(3, 9, 30), to="alice", **play)
    event_make(ticket=t2, kind=K.REPLIED, actor=alice, created_at=at(3, 9, 50), link="https://example.com/1")
    event_make(ticket=t3, kind=K.ASSIGNED, actor=alice, created_at=at(4, 10), to="alice", **play)
    event_make(ticket=t3, kind=K.MACRO, actor=alice, created_at=at(4, 10, 40), macro="Thanks")
    event_make(ticket=t3, kind=K.STATUS, actor=alice, created_at=at(4, 11), **{"from": "open", "to": "solved"})
    event_make(ticket=t4, kind=K.ASSIGNED, actor=alice, created_at=at(5, 9), to="alice")  # by hand: not served
    event_make(ticket=t4, kind=K.REPLY_SENT, actor=alice, created_at=at(5, 12))
    event_make(ticket=t5, kind=K.ASSIGNED, actor=alice, created_at=at(6, 10), to="alice", **play)
    event_make(ticket=t5, kind=K.REPLIED, actor=bob, created_at=at(6, 10, 30))  # bob's, not alice's
    event_make(ticket=t5, kind=K.ASSIGNED, actor=alice, created_at=at(31, 10, month=10), to="alice", **play)  # before
    # bob: one served, 50 min to his reply; a status change that is not a solve.
    event_make(ticket=t1, kind=K.ASSIGNED, actor=bob, created_at=at(2, 9, 10), to="bob", **play)
    event_make(ticket=t1, kind=K.STATUS, actor=bob, created_at=at(2, 9, 20), **{"from": "new", "to": "pending"})
    event_make(ticket=t1, kind=K.REPLY_SENT, actor=bob, created_at=at(2, 10))
    return alice, bob


def test_advocate_stats(desk, django_assert_num_queries):
    _advocate_events(desk)
    rollups_refresh()
    with django_assert_num_queries(3):  # "anything to refresh?", the advocates' rollup, their names
        rows = advocates.advocate_stats(start=START, end=END)
    assert rows == [
        {"advocate": "alice", "served": 3, "replied": 2, "solved": 1, "median_handling_minutes": 30.0},
        # bob's next action after the play assignment is his status change at 10 min.
        {"advocate": "bob", "served": 1, "replied": 2, "solved": 0, "median_handling_minutes": 10.0},
    ]
    assert advocates.advocate_stats(start=START, end=END, channel_id=desk["x_main"].pk) == []


def test_tickets_export(desk):
    alice = UserFactory(username="alice")
    t1 = desk["t1"]
    t1.tags.add(Tag.objects.create(name="runners"), Tag.objects.create(name="ci"))
    Ticket.objects.filter(pk=t1.pk).update(assignee=alice)
    rows = list(export.tickets_export(start=START, end=END, channel_id=desk["forum"].pk))
    assert [r["ticket"] for r in rows] == [
        desk[k].pk for k in ("t1", "t2", "t3", "t4", "t5", "solved_no_reply", "old", "at_target", "young")
    ]
    assert rows[0] == {
        "ticket": t1.pk,
        "channel": "Forum",
        "requested_at": "2026-11-02T09:00:00+00:00",
        "first_reply_at": "2026-11-02T10:00:00+00:00",
        "frt_hours": 1.0,
        "frt_business_hours": 1.0,
        "status": "solved",
        "tags": "ci;runners",
        "assignee": "alice",
    }
    assert rows[5]["first_reply_at"] is None and rows[5]["frt_hours"] is None and rows[5]["tags"] == ""


def test_tickets_export_streams_in_chunks(desk, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(export, "EXPORT_CHUNK", 4)
    with django_assert_num_queries(1 + 3):  # the tickets (one cursor) and tags for each of 3 chunks
        rows = list(export.tickets_export(start=START, end=END))
    assert len(rows) == 11


def test_kpi_json(desk):
    data = export.kpi_json(start=START, end=END, now=NOW)
    assert data["range"] == {"from": "2026-11-02", "to": "2026-11-29"}
    assert data["channel"] is None
    assert data["targets"] == {"all": 7.0, "high_priority": 5.0, "next_reply": 8.0, "next_reply_high": 6.0}
    assert data["next_reply"]["all"]["answered"] == 0  # no follow-up waited for our reply on this desk
    assert data["first_reply"]["all"]["median_hours"] == 6.0
    assert data["first_reply"]["all"]["p90_hours"] == 46.5
    assert data["first_reply"]["by_channel"]["Forum"]["p90_hours"] == 8.2
    assert len(data["activity"]) == 28 and data["activity"][20]["day"] == "2026-11-22"
    assert data["tags_rising"] == [] and data["outreach"] == []
    assert datetime.combine(END, time(), tzinfo=UTC)  # the range is of dates
