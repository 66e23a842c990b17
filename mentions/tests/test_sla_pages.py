"""SLA clocks, ordering by time left, release duty on the queue and list pages."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentions.models import DutySettings, ReleaseRota, Ticket, TicketEvent
from mentions.services import ticket_mark_replied
from mentions.services.sla import sla_sweep
from mentions.tests.factories import TicketFactory, UserFactory, ViewFactory

pytestmark = pytest.mark.django_db


def clocked(*, left: timedelta, target_hours: float = 7, **kwargs) -> Ticket:
    """A waiting ticket whose first-reply clock has `left` to run."""
    due = timezone.now() + left
    return TicketFactory(requested_at=due - timedelta(hours=target_hours), sla_due_at=due, sla_target="all", **kwargs)


def badges(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<span class="sla sla-(\w+)"[^>]*data-testid="sla">([^<]*)</span>', html)


def ticket_order(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-ticket="(\d+)"', html)]


def test_the_ticket_list_shows_time_left_coloured_and_orders_by_it(advocate_client):
    ok = clocked(left=timedelta(hours=4, minutes=15, seconds=30))
    warning = clocked(left=timedelta(minutes=50, seconds=30))
    danger = clocked(left=timedelta(minutes=10, seconds=30))
    breached = clocked(left=-timedelta(minutes=40, seconds=30))
    answered = clocked(left=timedelta(hours=1))
    Ticket.objects.filter(pk=answered.pk).update(first_reply_at=timezone.now())

    html = advocate_client.get("/tickets/?order=time_left").content.decode()

    assert ticket_order(html) == [breached.pk, danger.pk, warning.pk, ok.pk]  # answered: no clock running
    assert badges(html) == [
        ("breached", "breached 40 m ago"),
        ("danger", "10 m left"),
        ("warning", "50 m left"),
        ("ok", "4 h 15 m left"),
    ]
    assert '<option value="time_left" selected>' in html
    # The default order stays newest first, answered tickets included.
    assert answered.pk in ticket_order(advocate_client.get("/tickets/").content.decode())


def test_warning_under_a_quarter_of_a_short_target():
    from mentions.services.sla import sla_clock

    now = timezone.now()
    ticket = Ticket(requested_at=now - timedelta(hours=3, minutes=50), sla_due_at=now + timedelta(hours=1, minutes=10))
    clock = sla_clock(ticket, now)
    assert clock is not None and clock.state == "warning"  # 1 h 10 m of 5 h left (23%)
    ticket.requested_at = now - timedelta(hours=2)
    clock = sla_clock(ticket, now)
    assert clock is not None and clock.state == "ok"


def test_my_tickets_on_the_queue_order_by_time_left(advocate_client):
    me = advocate_client.user
    later = clocked(left=timedelta(hours=5), target_hours=30, assignee=me)  # security: requested first
    sooner = clocked(left=timedelta(hours=1, minutes=30), assignee=me)
    pending = clocked(left=timedelta(minutes=5), assignee=me, status=Ticket.Status.PENDING)

    oldest_first = ticket_order(advocate_client.get("/").content.decode())
    by_time_left = ticket_order(advocate_client.get("/?order=time_left").content.decode())

    assert oldest_first == [later.pk, pending.pk, sooner.pk]
    assert by_time_left == [sooner.pk, later.pk, pending.pk]  # a pending ticket's clock is stopped


def test_the_queue_shows_the_next_due_time_of_each_view(advocate_client):
    ViewFactory(slug="all")
    clocked(left=timedelta(hours=2, minutes=5, seconds=30))
    clocked(left=timedelta(hours=6))
    html = advocate_client.get("/").content.decode()
    assert re.search(r'data-testid="next-due-all"><span class="sla sla-ok"[^>]*>2 h 5 m left</span>', html)


def _count(client, url):
    client.get(url)  # the session's first request fills the session and permission caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_ordered_pages_keep_their_query_counts(advocate_client):
    me = advocate_client.user
    ViewFactory.create_batch(2)
    clocked(left=timedelta(hours=1), assignee=me)
    clocked(left=timedelta(hours=2))
    few = {url: _count(advocate_client, url) for url in ("/?order=time_left", "/tickets/?order=time_left")}
    for n in range(30):
        ticket = clocked(left=timedelta(minutes=n * 7 - 60), assignee=me if n % 2 else None)
        ticket.tags.create(name=f"t{ticket.pk}")
    assert {url: _count(advocate_client, url) for url in few} == few
    assert few["/?order=time_left"] == _count(advocate_client, "/")
    assert few["/tickets/?order=time_left"] == _count(advocate_client, "/tickets/")


def test_a_breach_shows_on_the_ticket_page_and_in_the_history_after_the_answer(advocate_client):
    ticket = clocked(left=-timedelta(minutes=30))
    sla_sweep()
    ticket_mark_replied(ticket=ticket, user=advocate_client.user, body="Sorry for the wait")

    # The whole page as it asks without JavaScript: its panels and history inline.
    html = advocate_client.get(ticket.get_absolute_url(), {"history": "1", "panels": "inline"}).content.decode()

    assert re.search(r'class="sla sla-breached"[^>]*data-testid="sla">replied \d+ m late<', html)
    red = re.findall(r'<span class="sla sla-breached"[^>]*>([^<]*)<', html)
    assert len(red) == 1 and re.fullmatch(r"replied \d+ m late", red[0])  # one red badge, no "SLA breached" beside
    assert re.search(r"The first-reply target was missed by \d+ m", html)
    assert ticket.events.filter(kind=TicketEvent.Kind.SLA_BREACHED).count() == 1


def test_the_queue_names_the_release_advocate_and_shows_the_banner_on_release_day(advocate_client):
    today = timezone.now().date()
    ReleaseRota.objects.create(
        month=today.replace(day=1), advocate=UserFactory(username="rota", first_name="Rhea", last_name="Lease")
    )
    DutySettings.objects.create(release_day=(today + timedelta(days=1)).day if today.day < 28 else 1)
    html = advocate_client.get("/").content.decode()
    assert "Release advocate this month: <strong>Rhea Lease</strong>" in html
    assert 'data-testid="release-banner"' not in html

    DutySettings.objects.update(release_day=today.day)
    html = advocate_client.get("/").content.decode()
    assert 'data-testid="release-banner"><strong>Release day.</strong>' in html
    assert "Rhea Lease is the release advocate" in html


def test_without_a_rota_entry_the_queue_says_so(advocate_client):
    assert (
        "Release advocate this month: <strong>nobody on the rota yet</strong>"
        in advocate_client.get("/").content.decode()
    )


def _facts(client, ticket: Ticket) -> str:
    return client.get(reverse("mentions:ticket-panel", args=[ticket.pk, "ticket_facts"])).content.decode()


def test_a_breach_waiting_for_its_reply_is_one_red_badge(advocate_client):
    ticket = clocked(left=-timedelta(days=3, hours=7, minutes=5))
    sla_sweep()
    assert Ticket.objects.get(pk=ticket.pk).sla_breached

    facts = _facts(advocate_client, ticket)
    assert badges(facts) == [("breached", "breached 3 d 7 h ago")]
    assert facts.count('class="sla ') == 1 and "SLA breached" not in facts


def test_a_breach_recorded_under_an_earlier_target_is_still_said_beside_the_clock(advocate_client):
    ticket = clocked(left=-timedelta(minutes=30))
    sla_sweep()
    # A longer target since (the priority lowered): the clock runs again, the breach stays recorded.
    Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=timezone.now() + timedelta(hours=20, minutes=30))

    facts = _facts(advocate_client, ticket)
    assert badges(facts) == [("ok", "20 h 29 m left")]
    assert 'data-testid="sla-breached-flag">SLA breached<' in facts  # a second fact, so a second badge
