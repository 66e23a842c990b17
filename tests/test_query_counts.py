"""Queries per page do not grow with the data: the queue, the ticket page and the KPI page run the
same number of queries with a handful of tickets and with many more (more waiting tickets in
every view, more of the advocate's tickets with tags, a longer conversation and history, more
channels). The counts are pinned too, so a new query on any of these pages is a decision made in
this file. The ticket list's counts are the search's (mentions/tests for the ticket list)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from channels.tests.factories import ChannelFactory
from mentions.models import Message, Tag, Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory, ManagerFactory, MessageFactory, TicketFactory, ViewFactory
from metrics.rollups import rollups_refresh

pytestmark = pytest.mark.django_db

# The session from the cache and the user from this process's memory (mentions/permissions/user_cache.py: one query
# fewer on every page since issue 41), then the page's own reads: see each test. Every
# desk page also counts the waiting tickets for the tab title (1); the live pages (queue, ticket page)
# read the change stamp their first refresh compares against (1); the queue lists saved searches (1) and
# the channels that need an admin, for its banner (1, however many there are); My tickets' marks, from the
# people who opened them (1 for the table: mentions/queue/row_marks.py); the stories with tickets waiting (1, and 2 more
# for their memberships and tickets when there are some: stories/answering/queue.py, tests/test_query_counts_lists.py).
# The views' table also counts the snoozed tickets for its "Snoozed: N" link (1, on the ticket_snoozed_idx partial
# index: as many pages as there are snoozed tickets, not tickets), since issue 44; and the views' forecast of the
# day (1: the running clocks and today's arrivals, each row marked with its views; the schedule and targets from
# memory, mentions/forecast/reads.py), also issue 44; and the team's first replies of the last 7 days per hour and
# view (1, at most 168 rows), which the forecast weighs since issue 55.
# My tickets' hand-over marks (mentions.services.handover.handover_marks: one query for the table, since issue 44).
# The views' table lists the replies waiting for an advocate's approval (mentions.services.approvals.approvals_waiting:
# one query, at most 20 rows with their writers, on the approval_pending_idx partial index), since issue 44.
QUEUE_QUERIES = 19  # the session user from memory since issue 41 (mentions/permissions/user_cache.py); 14 before
# snooze, 15 before the forecast, 16 before the hand-over marks, 17 before the replies waiting for approval, 18 before
# the forecast's reply rate
# The ticket page's first answer: whether the ticket exists (the cheapest lookup, so a 404 builds nothing
# more), the ticket with its channel, people, version and which panels have anything to show, its messages,
# the change stamp and the two navigation counts; its cheap panels since issue 41 (the facts' tags; the experts
# panel's outreaches, the requester card, story and discount code read nothing for a ticket with no outreach,
# no person and no story): 6 before, with seven panel requests after it. The answers panel comes in one request
# after the page (tests/test_ticket_page_load.py), the history when its fold is opened.
# The reply waiting for approval above the composer costs nothing on a ticket without one: the id of its latest
# approval is read with the ticket (selectors.ticket_detail), and the row only when there is one (+1 then).
# The macro picker's summaries (the handbook's macros, what each does and needs) come from memory per macros'
# version, like the macros themselves.
TICKET_QUERIES = 7
KPI_QUERIES = 22  # 17 before the judgement corrections (one grouped query, metrics/judgement_quality.py), 18
# before the likes and deletions done from the desk (one grouped query on the events, metrics/activity.py), 19
# before the next reply's figures (one query on the waits of the range, metrics/next_reply.py), 20 before the
# learned judgement's active version (one row without its weights, metrics/judgement_quality.judgement_learned_said),
# 21 before the newest version when the gate refused it (one row: why it is not used, the same)
# The figures from the cache while nothing changed: "anything to refresh?", the navigation's follow-up count,
# the tab title's waiting count and the channel filter's choices (the user from memory: 5 before issue 41).
KPI_CACHED_QUERIES = 4


def _more_data(*, advocate, ticket, n: int) -> None:
    """n more channels' worth of data: waiting tickets, the advocate's tickets with tags, and a
    longer conversation and history on `ticket`."""
    now = timezone.now()
    tags = [Tag.objects.get_or_create(name=f"tag-{i}")[0] for i in range(3)]
    for i in range(n):
        channel = ChannelFactory()
        waiting = TicketFactory(channel=channel, requested_at=now - timedelta(hours=i + 1))
        waiting.tags.add(tags[i % 3])
        mine = TicketFactory(
            channel=channel, assignee=advocate, status=Ticket.Status.OPEN, requested_at=now - timedelta(hours=i)
        )
        mine.tags.add(*tags[: 1 + i % 3])
        TicketFactory(channel=channel, assignee=advocate, status=Ticket.Status.SOLVED, solved_at=now)
        MessageFactory(ticket=ticket, kind=Message.Kind.INBOUND if i % 2 else Message.Kind.NOTE, author_user=advocate)
        TicketEvent.objects.create(ticket=ticket, actor=advocate, kind=TicketEvent.Kind.NOTE, data={})
        TicketEvent.objects.create(ticket=mine, actor=advocate, kind=TicketEvent.Kind.ASSIGNED, data={})


def _queries(client, url: str) -> int:
    # Per-process first-use work is not what a page costs: caches filled once, and singletons made on first
    # read (the outreach settings' row, whose saving retires the macros' kept summaries: filled again next time).
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def desk():
    advocate = AdvocateFactory()
    ViewFactory(name="Everything", slug="everything")
    ViewFactory(name="High priority", slug="high", high_priority_only=True)
    # Requested hours ago, not on the factories' fixed day: from 2026-12-01 that day fell out of the KPI page's default
    # 30 days, and the waiting ticket, overdue there, no longer made the page load its overdue list before the data
    # grew (21 queries, then 22): the test measured the calendar, not the page.
    now = timezone.now()
    ticket = TicketFactory(assignee=advocate, status=Ticket.Status.OPEN, requested_at=now - timedelta(hours=2))
    MessageFactory(ticket=ticket)
    TicketFactory(requested_at=now - timedelta(hours=10))  # one waiting ticket, past both targets
    return advocate, ticket


def test_queue_queries_do_not_grow_with_the_data(client, desk, django_assert_num_queries):
    advocate, ticket = desk
    client.force_login(advocate)
    small = _queries(client, "/")
    _more_data(advocate=advocate, ticket=ticket, n=12)
    client.get("/")
    with django_assert_num_queries(small):
        response = client.get("/")
    assert response.content.count(b"<tr data-ticket=") > 12  # the advocate's tickets are all on the page
    assert small == QUEUE_QUERIES


def test_ticket_page_queries_do_not_grow_with_the_data(client, desk, handbook_macros, django_assert_num_queries):
    advocate, ticket = desk
    client.force_login(advocate)
    url = f"/tickets/{ticket.pk}/"
    small = _queries(client, url)
    _more_data(advocate=advocate, ticket=ticket, n=12)
    client.get(url)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.content.count(b'data-testid="message"') >= 13
    assert small == TICKET_QUERIES


def test_kpi_page_queries_do_not_grow_with_the_data(client, desk, django_assert_num_queries):
    """Computed (after a change) and served from the cache (nothing changed since), both constant. The
    rollups are refreshed first, as the beat task does, so the count does not include rebuilding the
    days the new tickets marked (that work is per changed day, not per page)."""
    advocate, ticket = desk
    client.force_login(ManagerFactory())
    client.get("/kpi/")
    _more_data(advocate=advocate, ticket=ticket, n=1)
    rollups_refresh()
    computed, cached = _queries_twice(client, "/kpi/")
    _more_data(advocate=advocate, ticket=ticket, n=12)
    rollups_refresh()
    with django_assert_num_queries(computed):
        client.get("/kpi/")
    with django_assert_num_queries(cached):
        client.get("/kpi/")
    assert (computed, cached) == (KPI_QUERIES, KPI_CACHED_QUERIES)


def _queries_twice(client, url: str) -> tuple[int, int]:
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    return counts[0], counts[1]
