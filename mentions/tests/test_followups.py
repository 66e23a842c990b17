"""Follow-ups on assigned tickets are never lost: marked "updated" for the assignee, counted in
the navigation, listed first, and returned to the queue when nobody acts in time or the
assignee can no longer work the queue. Follow-ups run through the triage rules."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from channels.adapters.hackernews import HackerNewsAdapter
from channels.tests.factories import ChannelFactory
from channels.tests.hn import comment_hit, search_page, story_hit
from intake.hooks import tickets_after_ingest
from intake.pipeline import mentions_ingest
from mentions.models import Ticket, TicketEvent, View
from mentions.permissions.roles import ADVOCATES
from mentions.selectors import queue_summary
from mentions.services import ticket_add_note, ticket_claim_next
from mentions.services.followups import followups_return
from mentions.tests.factories import AdvocateFactory

pytestmark = pytest.mark.django_db

T0 = int(datetime(2026, 11, 20, 12, 0, tzinfo=UTC).timestamp())


def _ingest(channel, *hits):
    return mentions_ingest(channel=channel, mentions=HackerNewsAdapter().parse_payload(search_page(list(hits))))


@pytest.fixture
def channel():
    return ChannelFactory()


@pytest.fixture
def view():
    return View.objects.create(name="All mentions", slug="all")


def _assigned_story(channel, view, advocate, object_id, title="Show HN: moving to GitLab"):
    _ingest(channel, story_hit(object_id, T0 + object_id, title=title))
    ticket = ticket_claim_next(view=view, user=advocate)
    assert ticket is not None
    assert ticket.messages.get().external_id == str(object_id)
    Ticket.objects.filter(pk=ticket.pk).update(served_to=None, served_view=None)  # worked, still theirs
    return Ticket.objects.get(pk=ticket.pk)


def test_a_follow_up_on_an_assigned_ticket_marks_it_updated_counts_it_and_lists_it_first(client, channel, view):
    ada = AdvocateFactory(username="ada")
    older = _assigned_story(channel, view, ada, 1, title="Older question, no news")
    newer = _assigned_story(channel, view, ada, 2, title="Newer question that gets a follow-up")
    assert older.requested_at < newer.requested_at

    result = _ingest(channel, comment_hit(3, T0 + 100, text="any news on this?", parent_id=2, story_id=2))

    assert (result.threaded, result.tickets_created) == (1, 0)
    newer.refresh_from_db()
    older.refresh_from_db()
    assert newer.followup_at is not None and older.followup_at is None
    assert newer.assignee == ada  # still theirs: the marker tells them, the queue does not take it yet
    client.force_login(ada)
    page = client.get(reverse("mentions:queue")).content.decode()
    assert 'data-testid="nav-updated"' in page and ">1 updated<" in page
    assert f'data-testid="updated-{newer.pk}"' in page
    assert page.index(f"#{newer.pk}<") < page.index(f"#{older.pk}<")  # updated first, though newer


def test_any_action_on_the_ticket_clears_the_marker(client, channel, view):
    ada = AdvocateFactory(username="ada")
    ticket = _assigned_story(channel, view, ada, 1)
    _ingest(channel, comment_hit(2, T0 + 100, parent_id=1, story_id=1))
    ticket.refresh_from_db()
    assert ticket.followup_at is not None

    ticket_add_note(ticket=ticket, user=ada, body="Asked the runner team")

    ticket.refresh_from_db()
    assert ticket.followup_at is None
    client.force_login(ada)
    assert 'data-testid="nav-updated"' not in client.get(reverse("mentions:queue")).content.decode()


def test_an_updated_ticket_nobody_acts_on_returns_to_the_queue_after_the_timeout(channel, view, settings):
    settings.DESK_FOLLOWUP_RETURN_MINUTES = 60
    ada = AdvocateFactory(username="ada")
    ticket = _assigned_story(channel, view, ada, 1)
    _ingest(channel, comment_hit(2, T0 + 100, parent_id=1, story_id=1))
    ticket.refresh_from_db()
    arrived = ticket.followup_at
    waiting_before = next(s.waiting for s in queue_summary() if s.view == view)

    assert followups_return(now=arrived + timedelta(minutes=59)) == {"timeout": 0, "no_access": 0}
    ticket.refresh_from_db()
    assert ticket.assignee == ada

    assert followups_return(now=arrived + timedelta(minutes=61)) == {"timeout": 1, "no_access": 0}
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.followup_at is None and ticket.status == Ticket.Status.OPEN
    event = ticket.events.get(kind=TicketEvent.Kind.RETURNED)
    assert event.data["reason"] == "timeout" and event.data["from"] == "ada"
    assert "waited 61 min for ada (limit 60 min)" in event.data["said"]
    assert next(s.waiting for s in queue_summary() if s.view == view) == waiting_before + 1
    # Idempotent: nothing left to return.
    assert followups_return(now=arrived + timedelta(minutes=120)) == {"timeout": 0, "no_access": 0}
    assert ticket.events.filter(kind=TicketEvent.Kind.RETURNED).count() == 1


def test_an_updated_ticket_of_someone_without_queue_access_returns_at_once(channel, view):
    ada = AdvocateFactory(username="ada")
    ticket = _assigned_story(channel, view, ada, 1)
    ada.groups.remove(Group.objects.get(name=ADVOCATES))
    _ingest(channel, comment_hit(2, T0 + 100, parent_id=1, story_id=1))
    ticket.refresh_from_db()

    assert followups_return(now=ticket.followup_at) == {"timeout": 0, "no_access": 1}

    ticket.refresh_from_db()
    assert ticket.assignee is None
    event = ticket.events.get(kind=TicketEvent.Kind.RETURNED)
    assert event.data["reason"] == "no_access" and event.data["said"] == "ada can no longer work the queue"


def test_a_follow_up_matched_by_the_security_rule_gets_its_tag_priority_and_clock(channel, view, handbook_rules):
    ada = AdvocateFactory(username="ada")
    ticket = _assigned_story(channel, view, ada, 1, title="Show HN: our CI setup")
    assert not ticket.tags.filter(name="security").exists()
    assert ticket.sla_target == Ticket.SlaTarget.ALL

    report = "By the way, I found a stored XSS vulnerability in the GitLab markdown renderer"
    _ingest(channel, comment_hit(2, T0 + 100, text=report, parent_id=1, story_id=1))
    tickets_after_ingest(ticket_ids=[ticket.pk], now=datetime.fromtimestamp(T0 + 200, tz=UTC))

    ticket.refresh_from_db()
    assert "security" in set(ticket.tags.values_list("name", flat=True))
    assert ticket.sla_target == Ticket.SlaTarget.SECURITY
    applied = ticket.events.filter(kind=TicketEvent.Kind.RULE_APPLIED)
    assert applied.exists()
    assert ticket.events.filter(kind=TicketEvent.Kind.TAG_ADDED, data__tag="security").count() == 1
    # The same report again adds no second "tag added".
    _ingest(channel, comment_hit(3, T0 + 300, text=report, parent_id=2, story_id=1))
    assert ticket.events.filter(kind=TicketEvent.Kind.TAG_ADDED, data__tag="security").count() == 1
