"""Play's deadline order breaks ties on the requester's weight: at the same due time (tickets that arrived
out of hours share the first coverage hour's), the requester with the larger audience is served first. It
reads the ticket's own requester_audience (kept by the ingest from the people app), so the claim stays one
statement walking ticket_waiting_deadline_idx: no join, no extra query (no sort: test_play_order.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentions.models import Ticket, View
from mentions.services import ticket_claim_next
from mentions.tests.factories import AdvocateFactory, TicketFactory

pytestmark = pytest.mark.django_db

MONDAY_NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _waiting(
    subject: str, *, audience: int | None, due: datetime, minutes_ago: int, level: int | None = None
) -> Ticket:
    return TicketFactory(
        subject=subject,
        requested_at=MONDAY_NINE - timedelta(minutes=minutes_ago),
        sla_due_at=due,
        requester_audience=audience,
        requester_level=level,
    )


def test_at_the_same_deadline_the_larger_audience_is_served_first_and_the_deadline_still_comes_first():
    due = MONDAY_NINE + timedelta(hours=5)
    unknown = _waiting("unknown author, oldest", audience=None, due=due, minutes_ago=600)
    small = _waiting("80 followers", audience=80, due=due, minutes_ago=500)
    large = _waiting("12.3k followers, newest", audience=12_345, due=due, minutes_ago=10)
    sooner = _waiting("small but due sooner", audience=3, due=due - timedelta(minutes=1), minutes_ago=5)
    deadline = View.objects.create(name="Deadline", slug="deadline", order=View.Order.DEADLINE)

    served = [ticket_claim_next(view=deadline, user=AdvocateFactory()) for _ in range(4)]
    assert [t.subject for t in served if t] == [sooner.subject, large.subject, small.subject, unknown.subject]

    # Oldest first is left as it was: the audience is a tie-breaker of the deadline order only.
    Ticket.objects.update(assignee=None, served_to=None, served_view=None)
    oldest = View.objects.create(name="Oldest", slug="oldest")
    served = [ticket_claim_next(view=oldest, user=AdvocateFactory()) for _ in range(4)]
    assert [t.subject for t in served if t] == [unknown.subject, small.subject, large.subject, sooner.subject]


def test_at_the_same_deadline_the_higher_level_comes_before_the_larger_audience():
    """The contributor journey's level (Ticket.requester_level, the order of the person's level) breaks the tie
    first, then the audience among the same level; an unknown level counts as the lowest."""
    due = MONDAY_NINE + timedelta(hours=5)
    famous = _waiting("12.3k followers, newcomer", audience=12_345, due=due, minutes_ago=50, level=0)
    champion = _waiting("80 followers, champion", audience=80, due=due, minutes_ago=10, level=3)
    contributor = _waiting("no audience, contributor", audience=None, due=due, minutes_ago=20, level=2)
    unknown = _waiting("12.3k followers, no level yet", audience=12_000, due=due, minutes_ago=60)
    deadline = View.objects.create(name="Deadline", slug="deadline", order=View.Order.DEADLINE)
    served = [ticket_claim_next(view=deadline, user=AdvocateFactory()) for _ in range(4)]
    assert [t.subject for t in served if t] == [champion.subject, contributor.subject, famous.subject, unknown.subject]


def test_the_deadline_claim_costs_the_queries_of_an_oldest_first_claim():
    due = MONDAY_NINE + timedelta(hours=5)
    for n in range(4):
        _waiting(f"t{n}", audience=n * 1000 or None, due=due, minutes_ago=n)
    counts = []
    for order in (View.Order.OLDEST, View.Order.DEADLINE):
        view = View.objects.create(name=f"View {order}", slug=f"view-{order}", order=order)
        user = AdvocateFactory()
        with CaptureQueriesContext(connection) as queries:
            assert ticket_claim_next(view=view, user=user) is not None
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
