"""First-reply clocks: due times, moving the clock, and a breach recorded exactly once."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from channels.adapters.hackernews import HackerNewsAdapter
from channels.tests.factories import ChannelFactory
from channels.tests.hn import comment_hit, search_page, story_hit
from intake.pipeline import mentions_ingest
from mentions.models import Holiday, Macro, MacroAction, Target, Ticket, TicketEvent
from mentions.services import macro_apply, ticket_mark_replied
from mentions.services.sla import sla_sweep
from mentions.tests.concurrency import at_once
from mentions.tests.factories import AdvocateFactory

adapter = HackerNewsAdapter()
FRIDAY_EVENING = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)  # inside coverage, one hour before it ends


def ingest(channel, *hits):
    mentions_ingest(channel=channel, mentions=adapter.parse_payload(search_page(list(hits))))


def story_ticket(channel, object_id, at: datetime) -> Ticket:
    ingest(channel, story_hit(object_id, int(at.timestamp()), title=f"Story {object_id}"))
    return Ticket.objects.get(messages__external_id=str(object_id))


def security_macro(tag_action=MacroAction.Kind.ADD_TAGS) -> Macro:
    macro = Macro.objects.create(name=f"Security {tag_action}")
    MacroAction.objects.create(macro=macro, kind=tag_action, value="security")
    return macro


pytestmark = pytest.mark.django_db


def test_ingest_sets_the_target_of_the_channel():
    normal = story_ticket(ChannelFactory(), 1, FRIDAY_EVENING)
    high = story_ticket(ChannelFactory(high_priority=True), 2, FRIDAY_EVENING)

    assert (normal.sla_target, normal.sla_due_at) == ("all", FRIDAY_EVENING + timedelta(hours=7))
    assert (high.sla_target, high.sla_due_at) == ("high_priority", FRIDAY_EVENING + timedelta(hours=5))


def test_targets_edited_in_admin_apply_to_new_tickets():
    Target.objects.create(group="all", median_hours=4)
    assert story_ticket(ChannelFactory(), 1, FRIDAY_EVENING).sla_due_at == FRIDAY_EVENING + timedelta(hours=4)


def test_the_security_tag_moves_the_clock_to_one_business_day_and_back():
    ticket = story_ticket(ChannelFactory(), 1, FRIDAY_EVENING)
    advocate = AdvocateFactory()

    macro_apply(ticket=ticket, user=advocate, macro=security_macro())
    ticket.refresh_from_db()
    # Friday 21:00 inside coverage: the same clock position on the next covered day, Monday 21:00.
    assert (ticket.sla_target, ticket.sla_due_at) == ("security", datetime(2026, 11, 23, 21, 0, tzinfo=UTC))

    macro_apply(ticket=ticket, user=advocate, macro=security_macro(MacroAction.Kind.REMOVE_TAGS))
    ticket.refresh_from_db()
    assert (ticket.sla_target, ticket.sla_due_at) == ("all", FRIDAY_EVENING + timedelta(hours=7))


def test_a_security_ticket_before_a_holiday_waits_for_the_next_covered_day():
    Holiday.objects.create(date=datetime(2026, 11, 23).date(), name="Team day")
    ticket = story_ticket(ChannelFactory(), 1, datetime(2026, 11, 20, 23, 30, tzinfo=UTC))  # Friday after hours
    macro_apply(ticket=ticket, user=AdvocateFactory(), macro=security_macro())
    ticket.refresh_from_db()
    # The clock starts Tuesday 08:00 (Monday is a holiday), one business day later: Wednesday 08:00.
    assert ticket.sla_due_at == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_a_late_first_reply_is_flagged_once_and_the_flag_stays_after_the_answer():
    ticket = story_ticket(ChannelFactory(), 1, datetime.now(UTC) - timedelta(hours=8))
    advocate = AdvocateFactory()

    ticket_mark_replied(ticket=ticket, user=advocate, body="Thanks, here is how", status=Ticket.Status.SOLVED)

    ticket.refresh_from_db()
    assert ticket.sla_breached and ticket.status == Ticket.Status.SOLVED
    event = ticket.events.get(kind=TicketEvent.Kind.SLA_BREACHED)
    assert ticket.sla_due_at is not None and ticket.first_reply_at is not None
    assert event.data["due_at"] == ticket.sla_due_at.isoformat()
    assert event.data["target"] == "all"
    assert event.data["replied_at"] == ticket.first_reply_at.isoformat()
    assert 55 <= event.data["late_by_minutes"] <= 65
    # Nothing notices it twice.
    assert sla_sweep() == {"filled": 0, "breached": 0}
    assert ticket.events.filter(kind=TicketEvent.Kind.SLA_BREACHED).count() == 1


def test_a_reply_in_time_is_no_breach():
    ticket = story_ticket(ChannelFactory(), 1, datetime.now(UTC) - timedelta(hours=6))
    ticket_mark_replied(ticket=ticket, user=AdvocateFactory(), body="Thanks")
    ticket.refresh_from_db()
    assert not ticket.sla_breached
    assert not ticket.events.filter(kind=TicketEvent.Kind.SLA_BREACHED).exists()


def test_the_sweep_flags_a_waiting_ticket_past_due_and_a_later_reply_adds_no_second_event():
    requested = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    ticket = story_ticket(ChannelFactory(), 1, requested)
    not_yet = story_ticket(ChannelFactory(), 2, requested + timedelta(hours=3))

    assert sla_sweep(now=requested + timedelta(hours=8)) == {"filled": 0, "breached": 1}
    assert sla_sweep(now=requested + timedelta(hours=8, minutes=5)) == {"filled": 0, "breached": 0}

    ticket.refresh_from_db()
    assert ticket.sla_breached
    event = ticket.events.get(kind=TicketEvent.Kind.SLA_BREACHED)
    assert event.data["replied_at"] is None and event.actor is None
    not_yet.refresh_from_db()
    assert not not_yet.sla_breached

    ticket_mark_replied(ticket=ticket, user=AdvocateFactory(), body="Sorry for the wait")
    ticket.refresh_from_db()
    assert ticket.sla_breached and ticket.first_reply_at is not None
    assert ticket.events.filter(kind=TicketEvent.Kind.SLA_BREACHED).count() == 1


def test_our_late_reply_seen_on_the_platform_is_a_breach():
    channel = ChannelFactory()
    t0 = int(datetime(2026, 11, 18, 9, 0, tzinfo=UTC).timestamp())
    ingest(channel, story_hit(1, t0))
    # Our account answers 9 hours later; a later poll sees it.
    ingest(channel, comment_hit(2, t0 + 9 * 3600, author="gitlabhq", parent_id=1, story_id=1))
    ticket = Ticket.objects.get(messages__external_id="1")
    assert ticket.first_reply_at is not None
    assert ticket.first_reply_at.timestamp() == t0 + 9 * 3600
    assert ticket.sla_breached
    assert ticket.events.get(kind=TicketEvent.Kind.SLA_BREACHED).data["late_by_minutes"] == 120


def test_a_backfill_with_our_late_reply_in_the_same_batch_is_a_breach():
    channel = ChannelFactory()
    t0 = int(datetime(2026, 11, 18, 9, 0, tzinfo=UTC).timestamp())
    ingest(channel, story_hit(1, t0), comment_hit(2, t0 + 8 * 3600, author="gitlabhq", parent_id=1, story_id=1))
    ticket = Ticket.objects.get(messages__external_id="1")
    assert ticket.sla_breached
    assert ticket.events.filter(kind=TicketEvent.Kind.SLA_BREACHED).count() == 1


def test_the_sweep_gives_old_waiting_tickets_a_due_time():
    ticket = story_ticket(ChannelFactory(high_priority=True), 1, FRIDAY_EVENING)
    Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=None, sla_target="")
    assert sla_sweep(now=FRIDAY_EVENING)["filled"] == 1
    ticket.refresh_from_db()
    assert ticket.sla_due_at == FRIDAY_EVENING + timedelta(hours=5)


def test_a_priority_set_to_urgent_uses_the_high_priority_target():
    from mentions.services.sla import ticket_sla_refresh

    ticket = story_ticket(ChannelFactory(), 1, FRIDAY_EVENING)
    ticket.priority = Ticket.Priority.URGENT
    ticket.save()
    assert ticket_sla_refresh(ticket=ticket)
    ticket.refresh_from_db()
    assert (ticket.sla_target, ticket.sla_due_at) == ("high_priority", FRIDAY_EVENING + timedelta(hours=5))


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_on_separate_connections_record_one_breach():
    requested = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    channel = ChannelFactory()
    for n in range(20):
        story_ticket(channel, n + 1, requested + timedelta(minutes=n))
    results = at_once(4, lambda _: sla_sweep(now=requested + timedelta(days=1))["breached"])
    assert sum(results) == 20
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.SLA_BREACHED).count() == 20
    assert Ticket.objects.filter(sla_breached=True).count() == 20


def test_ordering_by_time_left_uses_the_partial_index():
    channel = ChannelFactory()
    for n in range(5):
        story_ticket(channel, n + 1, FRIDAY_EVENING + timedelta(minutes=n))
    from mentions.search.tickets import TicketQuery, ticket_queryset
    from mentions.selectors import ORDER_TIME_LEFT

    qs = ticket_queryset(TicketQuery(order=ORDER_TIME_LEFT)).select_related("channel", "assignee")[:50]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticket_sla_due_idx" in plan, plan
