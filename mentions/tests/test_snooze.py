"""Snooze: presets in the advocate's time zone, leaving the views, coming back at the minute it should (to the owner,
or to the queue when the owner is away), the Slack reminder queued through the outbox, "until they answer" woken by
a follow-up through the real ingest, and the ticket page's menu (the API's
endpoint: api/tests/test_snooze_api.py).

Shapes: the Hacker News items come from channels/tests/hn.py (Algolia's search API as recorded in
channels/adapters/hackernews/tests/fixtures, listed in its SOURCES.md); the Slack DM is only queued here (the
outbox's flush and Slack's chat.postMessage shapes are notifications/tests/test_outbox.py's)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from channels.adapters.hackernews import HackerNewsAdapter
from channels.tests.factories import ChannelFactory
from channels.tests.hn import comment_hit, search_page, story_hit
from intake.pipeline import mentions_ingest
from mentions.models import AdvocateProfile, Ticket, TicketEvent, View
from mentions.selectors import queue_summary, view_tickets
from mentions.services import ticket_claim_next, ticket_mark_replied
from mentions.services.snooze import snooze_presets, snoozes_wake, ticket_snooze, ticket_unsnooze
from mentions.tests.factories import AdvocateFactory, TicketFactory, seen
from mentions.tests.pages import folds_opened, refused_page, result_slot
from notifications.models import SlackNotice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def slack_connected(settings):
    """Slack connected (a bot token), as the reminders here need; the tests of the unconnected desk take it away."""
    settings.SLACK_BOT_TOKEN = "xoxb-test"


BERLIN = "Europe/Berlin"
FRIDAY_5PM_BERLIN = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # Friday 17:00 in Berlin (UTC+1 in November)
MONDAY_8 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_the_presets_are_the_advocates_own_time():
    from zoneinfo import ZoneInfo

    presets = {p.key: p.until for p in snooze_presets(zone=ZoneInfo(BERLIN), now=FRIDAY_5PM_BERLIN)}
    assert presets["later"] == datetime(2026, 11, 27, 19, 0, tzinfo=UTC)  # 20:00 in Berlin
    assert presets["tomorrow"] == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)  # Saturday 9:00 in Berlin
    assert presets["monday"] == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 9:00 in Berlin
    assert presets["reply"] is None
    # On a Monday, "Monday" is next week's.
    monday = {p.key: p.until for p in snooze_presets(zone=ZoneInfo("UTC"), now=MONDAY_8)}["monday"]
    assert monday == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_the_history_says_until_when_in_the_advocates_zone():
    ada = AdvocateFactory(username="ada")
    AdvocateProfile.objects.create(user=ada, time_zone=BERLIN)
    ticket = TicketFactory()
    with time_machine.travel(FRIDAY_5PM_BERLIN, tick=False):
        ticket_snooze(ticket=ticket, user=ada, until=MONDAY_8)
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.SNOOZED)
    assert event.data["said"] == "snoozed until Mon Nov 30 9:00 (Europe/Berlin)"
    ticket.refresh_from_db()
    assert ticket.assignee == ada and ticket.snoozed_by == ada  # it comes back to someone
    from mentions.selectors import ticket_history
    from mentions.ticket_page.history import history_lines

    lines = [line.text for line in history_lines(ticket, ticket_history(ticket=ticket))]
    assert "ada snoozed until Mon Nov 30 9:00 (Europe/Berlin)" in lines


@pytest.fixture
def ada():
    ada = AdvocateFactory(username="ada")
    AdvocateProfile.objects.create(user=ada, slack_user_id="U0ADA1234")
    return ada


def test_a_snoozed_ticket_leaves_the_views_and_comes_back_at_the_minute_with_a_slack_reminder(ada):
    view = View.objects.create(name="All", slug="all")
    ticket = TicketFactory(requested_at=MONDAY_8 - timedelta(hours=1), status=Ticket.Status.OPEN)
    with time_machine.travel(MONDAY_8, tick=False):
        ticket_snooze(ticket=ticket, user=ada, until=MONDAY_8 + timedelta(hours=1), remind_slack=True)
        Ticket.objects.filter(pk=ticket.pk).update(assignee=None)  # even unassigned, a snoozed one stays out
        assert not view_tickets(view=view).filter(pk=ticket.pk).exists()
        assert ticket_claim_next(view=view, user=AdvocateFactory()) is None
        assert queue_summary()[0].waiting == 0
        # Set aside while waiting on the requester: it comes back open.
        Ticket.objects.filter(pk=ticket.pk).update(assignee=ada, status=Ticket.Status.PENDING)
    with time_machine.travel(MONDAY_8 + timedelta(minutes=59), tick=False):
        assert snoozes_wake() == {"to_owner": 0, "to_queue": 0}
    ticket.refresh_from_db()
    assert ticket.is_snoozed
    back_at = MONDAY_8 + timedelta(hours=1)
    with time_machine.travel(back_at, tick=False):
        assert snoozes_wake() == {"to_owner": 1, "to_queue": 0}
        assert snoozes_wake() == {"to_owner": 0, "to_queue": 0}  # idempotent
    ticket.refresh_from_db()
    assert not ticket.is_snoozed and ticket.assignee == ada
    assert ticket.status == Ticket.Status.OPEN  # back to be looked at
    assert ticket.followup_at == back_at  # "updated" in ada's My tickets: the in-desk notification
    woke = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.WOKE)
    assert woke.data["said"] == "came back: snooze ended"
    dm = SlackNotice.objects.get(kind=SlackNotice.Kind.REMINDER)
    assert dm.destination == "U0ADA1234" and dm.ticket_id == ticket.pk and "snooze ended" in dm.text


def test_an_owner_who_is_away_does_not_get_it_back_the_queue_does(ada):
    View.objects.create(name="All", slug="all")
    AdvocateProfile.objects.filter(user=ada).update(away_until=MONDAY_8 + timedelta(days=7))
    ticket = TicketFactory(requested_at=MONDAY_8 - timedelta(hours=1))
    with time_machine.travel(MONDAY_8 - timedelta(days=3), tick=False):
        ticket_snooze(ticket=ticket, user=ada, until=MONDAY_8, remind_slack=True)
    assert queue_summary()[0].waiting == 0
    with time_machine.travel(MONDAY_8, tick=False):
        assert snoozes_wake() == {"to_owner": 0, "to_queue": 1}
    ticket.refresh_from_db()
    assert ticket.assignee is None and not ticket.is_snoozed
    assert queue_summary()[0].waiting == 1
    returned = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.RETURNED)
    assert returned.data["reason"] == "away" and "ada is away" in returned.data["said"]
    assert not SlackNotice.objects.filter(kind=SlackNotice.Kind.REMINDER).exists()


def test_a_manual_unsnooze_after_the_wake_changes_nothing(ada):
    ticket = TicketFactory()
    with time_machine.travel(MONDAY_8, tick=False):
        ticket_snooze(ticket=ticket, user=ada, until=MONDAY_8 + timedelta(minutes=5))
    with time_machine.travel(MONDAY_8 + timedelta(minutes=5), tick=False):
        snoozes_wake()
        ticket_unsnooze(ticket=ticket, user=ada)
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.WOKE).count() == 1


T0 = int(datetime(2026, 11, 30, 9, 0, tzinfo=UTC).timestamp())


def _ingest(channel, *hits):
    return mentions_ingest(channel=channel, mentions=HackerNewsAdapter().parse_payload(search_page(list(hits))))


def test_until_they_answer_is_woken_by_a_follow_up_through_the_ingest(ada):
    channel = ChannelFactory()
    view = View.objects.create(name="All", slug="all")
    with time_machine.travel(datetime.fromtimestamp(T0 + 60, UTC), tick=False):
        _ingest(channel, story_hit(1, T0))
        ticket = ticket_claim_next(view=view, user=ada)
        assert ticket is not None
        ticket_mark_replied(ticket=ticket, user=ada, body="Which runner version?", status=Ticket.Status.PENDING)
        ticket_snooze(ticket=ticket, user=ada, until_reply=True, remind_slack=True)
    with time_machine.travel(datetime.fromtimestamp(T0 + 3600, UTC), tick=False):
        assert snoozes_wake() == {"to_owner": 0, "to_queue": 0}  # no time: only an answer wakes it
        _ingest(channel, comment_hit(2, T0 + 1800, text="16.5, self-hosted", parent_id=1, story_id=1))
    ticket.refresh_from_db()
    assert not ticket.is_snoozed and ticket.status == Ticket.Status.OPEN and ticket.assignee == ada
    woke = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.WOKE)
    assert woke.data["said"] == "came back: the requester answered"
    assert SlackNotice.objects.get(kind=SlackNotice.Kind.REMINDER).destination == "U0ADA1234"


def test_the_ticket_page_snoozes_and_says_until_when(client, ada):
    AdvocateProfile.objects.filter(user=ada).update(time_zone=BERLIN)
    ticket = TicketFactory(assignee=ada, status=Ticket.Status.OPEN)
    client.force_login(ada)
    page = folds_opened(client, client.get(ticket.get_absolute_url()).content.decode())
    assert "data-keys-snooze" in page and 'name="preset"' in page
    url = reverse("mentions:ticket-snooze", args=[ticket.pk])
    missing = client.post(url, {"preset": "custom", "seen": seen(ticket)})
    assert missing.status_code == 303  # refused, back to the page with the error beside the menu
    with time_machine.travel(FRIDAY_5PM_BERLIN, tick=False):
        client.force_login(ada)  # a session of that day (the desk ends idle ones)
        done = client.post(url, {"preset": "monday", "remind_slack": "on", "seen": seen(ticket)}, follow=True)
        assert done.status_code == 200
        ticket.refresh_from_db()
        assert ticket.snoozed_until == MONDAY_8 and ticket.snooze_remind_slack
        page = client.get(ticket.get_absolute_url()).content.decode()
        assert "Snoozed until Mon Nov 30 9:00 (Europe/Berlin)" in page
        listed = client.get(reverse("mentions:snoozed")).content.decode()
        assert f"#{ticket.pk}" in listed and "until Mon Nov 30 9:00" in listed
        assert "Snoozed: 1" in client.get("/").content.decode()
        client.post(url, {"preset": "off", "seen": seen(ticket)})
    ticket.refresh_from_db()
    assert not ticket.is_snoozed


def test_a_snooze_beyond_a_year_or_without_an_offset_is_refused_and_the_page_says_so_beside_the_menu(client, ada):
    ticket = TicketFactory(assignee=ada, status=Ticket.Status.OPEN)
    with time_machine.travel(FRIDAY_5PM_BERLIN, tick=False):
        with pytest.raises(ValidationError) as naive:
            ticket_snooze(ticket=ticket, user=ada, until=datetime(2026, 12, 1, 9, 0))
        assert naive.value.message_dict == {
            "until": ["Give the time with its UTC offset (Z or +01:00): without it the time is ambiguous."]
        }
        client.force_login(ada)
        url = reverse("mentions:ticket-snooze", args=[ticket.pk])
        for typed in ("9999-12-31T23:59", "2027-11-28T17:01"):  # the year the issue typed; a year and a minute
            refused = client.post(url, {"preset": "custom", "custom": typed, "seen": seen(ticket)})
            slot = result_slot(refused_page(client, refused, ticket, "snooze"), "snooze")
            assert "Give a time within a year (by 2027-11-27)" in slot
        taken = client.post(url, {"preset": "custom", "custom": "2027-11-27T16:00", "seen": seen(ticket)})
        assert taken.status_code == 302, taken.content  # a year to the minute (UTC): taken
    ticket.refresh_from_db()
    assert ticket.snoozed_until == datetime(2027, 11, 27, 16, 0, tzinfo=UTC)


def test_remind_me_in_slack_is_offered_only_when_slack_is_connected(client, ada, settings):
    ticket = TicketFactory(assignee=ada, status=Ticket.Status.OPEN)
    client.force_login(ada)
    offered = '<input type="checkbox" name="remind_slack"> Remind me in Slack'
    why = "Slack is not connected to the desk: the ticket comes back to you here, marked, with no Slack reminder."

    settings.SLACK_BOT_TOKEN = ""
    page = folds_opened(client, client.get(ticket.get_absolute_url()).content.decode())
    assert offered not in page
    assert '<input type="checkbox" name="remind_slack" disabled aria-describedby="snooze-slack-why">' in page
    assert f'id="snooze-slack-why" data-testid="snooze-slack-not-connected">{why}</p>' in page

    settings.SLACK_BOT_TOKEN = "xoxb-test"
    page = folds_opened(client, client.get(ticket.get_absolute_url()).content.decode())
    assert offered in page and why not in page


def test_a_slack_reminder_asked_while_slack_is_not_connected_is_not_promised(ada, settings):
    """A page opened before Slack was disconnected (or an API client) may still ask for the reminder: the ticket is
    snoozed, and neither the ticket nor its history says a Slack reminder will come."""
    settings.SLACK_BOT_TOKEN = ""
    ticket = TicketFactory(assignee=ada, status=Ticket.Status.OPEN)
    with time_machine.travel(MONDAY_8 - timedelta(hours=1), tick=False):
        ticket_snooze(ticket=ticket, user=ada, until=MONDAY_8, remind_slack=True)
    ticket.refresh_from_db()
    assert ticket.snoozed_until == MONDAY_8 and not ticket.snooze_remind_slack
    event = ticket.events.get(kind=TicketEvent.Kind.SNOOZED)
    assert event.data["remind_slack"] is False
