"""Experts nudged, and asked next (issue 44), with a frozen clock across business hours.

Slack is faked with `responses` in the shapes Slack documents for chat.postMessage
(https://api.slack.com/methods/chat.postMessage: `channel`, `text`, `blocks`, `thread_ts` in; `ok`, `channel`, `ts`
out) and chat.getPermalink (https://api.slack.com/methods/chat.getPermalink), as experts/tests/test_outreach.py.
"Not me" is driven through experts.slack_outreach, the service slackapp calls with the modal's values
(slackapp/tests/fixtures/SOURCES.md has the recorded payloads)."""

import json
from datetime import UTC, datetime, time, timedelta

import pytest
import responses
import time_machine

from experts.models import Outreach
from experts.nudge import TOLD_SAID
from experts.slack_outreach import outreach_rerouted_in_slack
from experts.tests.factories import ExpertFactory, OutreachFactory, ProductAreaFactory
from mentions.coverage import Coverage
from mentions.models import AdvocateProfile, CoverageSchedule, TicketEvent
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory
from notifications.models import SlackNotice
from notifications.tasks import outreach_nudges

pytestmark = pytest.mark.django_db

POST_URL = "https://slack.com/api/chat.postMessage"
PERMALINK_URL = "https://slack.com/api/chat.getPermalink"
FRIDAY_20 = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # a Friday
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # 2 covered hours on Friday (20-22), 2 on Monday (08-10)
MONDAY_14 = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # 4 covered hours after the nudge


@pytest.fixture(autouse=True)
def slack(settings):
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    settings.SLACK_SIGNING_SECRET = "secret"  # the buttons are offered (notifications.outreach_blocks)
    settings.SLACK_API_URL = "https://slack.com/api"
    settings.DESK_OUTREACH_NUDGE_HOURS = 4
    CoverageSchedule.objects.all().delete()
    CoverageSchedule.objects.create(weekdays=[1, 2, 3, 4, 5], start=time(8, 0), end=time(22, 0))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def case():
    advocate = AdvocateFactory(first_name="Ana", last_name="Advocate")
    AdvocateProfile.objects.create(user=advocate, slack_user_id="U0ANA")
    ticket = TicketFactory(assignee=advocate, subject="Pipeline cache never restores")
    MessageFactory(ticket=ticket, body="My pipeline cache never restores")
    verify = ProductAreaFactory(name="Verify", slack_channel="#s_verify", keywords=["pipeline"])
    vera = ExpertFactory(name="Vera", slack_handle="U0VERA", areas=[verify])
    otto = ExpertFactory(name="Otto", slack_handle="U0OTTO", areas=[verify])
    outreach = OutreachFactory(
        ticket=ticket,
        expert=vera,
        advocate=advocate,
        sent_at=FRIDAY_20,
        slack_ts="1764273600.000100",
        slack_permalink="https://acme.slack.com/archives/C0VERIFY/p1764273600000100",
    )
    return ticket, outreach, advocate, otto


def _posts(mock):
    return [json.loads(c.request.body) for c in mock.calls if c.request.url == POST_URL]


def test_business_after_skips_the_night_and_the_weekend():
    coverage = Coverage(weekdays=(1, 2, 3, 4, 5), day_start=time(8), day_end=time(22))
    assert coverage.business_after(FRIDAY_20, 4) == MONDAY_10
    assert coverage.business_after(FRIDAY_20, 1.5) == FRIDAY_20 + timedelta(hours=1.5)
    assert coverage.business_after(datetime(2026, 11, 28, 12, 0, tzinfo=UTC), 4) == datetime(
        2026, 11, 30, 12, 0, tzinfo=UTC
    )


def test_a_silent_expert_is_nudged_once_in_the_thread_at_the_right_minute(slack, case):
    _ticket, outreach, _advocate, _otto = case
    slack.post(POST_URL, json={"ok": True, "channel": "C0VERIFY", "ts": "1764496800.000200"})

    with time_machine.travel(MONDAY_10 - timedelta(minutes=1), tick=False):
        assert outreach_nudges()["sent"] == 0
    with time_machine.travel(MONDAY_10, tick=False):
        first, second = outreach_nudges(), outreach_nudges()  # the beat, doubled

    assert (first["sent"], second["sent"]) == (1, 0)
    [post] = _posts(slack)
    assert post["channel"] == "C0VERIFY" and post["thread_ts"] == "1764273600.000100"
    assert post["text"].startswith("<@U0VERA>, a gentle nudge")
    actions = next(b for b in post["blocks"] if b["type"] == "actions")["elements"]
    assert [a["action_id"] for a in actions] == ["outreach_claim", "outreach_answered", "outreach_decline"]
    assert {a["value"] for a in actions} == {str(outreach.pk)}
    outreach.refresh_from_db()
    assert outreach.nudged_at == MONDAY_10 and outreach.silence_told_at is None
    assert outreach.ticket.events.filter(kind=TicketEvent.Kind.NOTE, data__nudged=True).count() == 1


def test_slack_busy_gives_the_nudge_back_for_the_next_beat(slack, case):
    _ticket, outreach, _advocate, _otto = case
    slack.post(POST_URL, json={"ok": False, "error": "internal_error"}, status=503)

    with time_machine.travel(MONDAY_10, tick=False):
        assert outreach_nudges()["retry"] == 1

    outreach.refresh_from_db()
    assert outreach.nudged_at is None


def test_silence_after_the_nudge_tells_the_advocate_and_offers_the_next_expert(slack, case, client):
    ticket, outreach, advocate, _otto = case
    slack.post(POST_URL, json={"ok": True, "channel": "C0VERIFY", "ts": "1764496800.000200"})
    with time_machine.travel(MONDAY_10, tick=False):
        outreach_nudges()
    with time_machine.travel(MONDAY_14 - timedelta(minutes=1), tick=False):
        assert outreach_nudges()["told"] == 0
    with time_machine.travel(MONDAY_14, tick=False):
        assert outreach_nudges()["told"] == 1
        assert outreach_nudges()["told"] == 0

    outreach.refresh_from_db()
    assert outreach.silence_told_at == MONDAY_14
    [dm] = SlackNotice.objects.filter(kind=SlackNotice.Kind.EXPERT)
    assert dm.destination == "U0ANA" and "Vera has not answered, even after a nudge" in dm.text
    ticket.refresh_from_db()
    assert ticket.followup_at == MONDAY_14  # "updated" on Ana's My tickets
    assert ticket.events.filter(data__told="silent").count() == 1

    client.force_login(advocate)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Ask Otto next" in page and "Ask Vera next" not in page


def test_not_me_tells_the_advocate_and_offers_the_next_expert(slack, case, client, handbook_macros):
    ticket, outreach, advocate, otto = case
    paula = ExpertFactory(name="Paula", slack_handle="U0PAULA", areas=[otto.areas.first()])
    slack.post(POST_URL, json={"ok": True, "channel": "C0VERIFY", "ts": "1764496800.000300"})
    slack.get(PERMALINK_URL, json={"ok": True, "channel": "C0VERIFY", "permalink": "https://acme.slack.com/x"})

    asked = outreach_rerouted_in_slack(outreach_id=outreach.pk, user_id="U0VERA", expert_id=paula.pk, reason="CI?")

    assert asked is not None and asked.expert == paula
    outreach.refresh_from_db()
    assert outreach.status == Outreach.Status.DECLINED
    [dm] = SlackNotice.objects.filter(kind=SlackNotice.Kind.EXPERT)
    assert dm.destination == "U0ANA" and "Vera said it is not theirs" in dm.text
    client.force_login(advocate)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Ask Otto next" in page  # neither Vera nor Paula, asked already


def test_the_suggestion_order_follows_the_answer_rate(case):
    """By hand: one area keyword each (1.0). Aaron: asked 4, answered 1 in 1 h, none waiting:
    0.5 + 1.5 * 2/6 + 0.5 * 24/25 = 1.48 → 2.48. Bella: asked 2, both answered in 10 h:
    0.5 + 1.5 * 3/4 + 0.5 * 24/34 = 1.977941 → 2.978. Bella first, though Aaron's name sorts first."""
    from experts.suggest import experts_suggest

    ticket, outreach, _advocate, _otto = case
    outreach.delete()
    Outreach.objects.all().delete()
    area = ProductAreaFactory(name="Runners", keywords=["pipeline"])
    ExpertFactory._meta.model.objects.update(active=False)
    aaron = ExpertFactory(name="Aaron", areas=[area])
    bella = ExpertFactory(name="Bella", areas=[area])
    now = datetime.now(UTC)
    for n, status in enumerate(["answered", "declined", "declined", "declined"]):
        OutreachFactory(expert=aaron, status=status, sent_at=now - timedelta(days=n + 1), answer_seconds=3600)
    for n in range(2):
        OutreachFactory(expert=bella, status="answered", sent_at=now - timedelta(days=n + 1), answer_seconds=36000)

    first, second = experts_suggest(ticket=ticket)[:2]

    assert (first.expert, first.score) == (bella, 2.978)
    assert (second.expert, second.score) == (aaron, 2.48)
    assert (first.answered, first.asked, first.median_answer_seconds) == (2, 2, 36000)
    assert second.answer_rate == 0.25


def test_with_two_offices_the_silence_counts_only_their_hours(slack, case):
    """Amsterdam and New York, each 09:00-12:00 local (08-11 and 14-17 UTC in November). Sent Friday 16:00 UTC:
    1 covered hour on Friday (New York, 16-17), 3 on Monday morning in Amsterdam (08-11): nudged Monday 11:00."""
    _ticket, outreach, _advocate, _otto = case
    CoverageSchedule.objects.all().delete()
    for name, zone in (("Amsterdam", "Europe/Amsterdam"), ("New York", "America/New_York")):
        CoverageSchedule.objects.create(
            name=name, weekdays=[1, 2, 3, 4, 5], start=time(9), end=time(12), time_zone=zone
        )
    Outreach.objects.filter(pk=outreach.pk).update(sent_at=datetime(2026, 11, 27, 16, 0, tzinfo=UTC))
    slack.post(POST_URL, json={"ok": True, "channel": "C0VERIFY", "ts": "1764500400.000200"})
    monday_11 = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)

    with time_machine.travel(monday_11 - timedelta(minutes=1), tick=False):
        assert outreach_nudges()["sent"] == 0
    with time_machine.travel(monday_11, tick=False):
        assert outreach_nudges()["sent"] == 1
    outreach.refresh_from_db()
    assert outreach.nudged_at == monday_11


def test_with_slack_not_connected_the_panel_says_the_nudge_cannot_go_out_beside_its_controls(
    slack, case, client, settings
):
    ticket, _outreach, advocate, _otto = case
    settings.SLACK_BOT_TOKEN = ""  # disconnected after the question was sent
    client.force_login(advocate)
    blocked = "Slack is not connected to the desk, so no nudge can go out in its thread: contact Vera directly"

    # Before the nudge is due: said beside the outreach's Decline, which is what the advocate can still do.
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert blocked in page
    assert page.index(blocked) < page.index('placeholder="Why declined?"')
    # Its time comes: nothing reaches Slack, and the row says the nudge did not go out, not that it was nudged.
    with time_machine.travel(MONDAY_10, tick=False):
        assert outreach_nudges()["failed"] == 1
    assert _posts(slack) == []
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="outreach-nudged"' not in page
    assert (
        'data-testid="outreach-error">Its nudge did not go out. Slack is not connected to the desk, so nothing was '
        "posted: ask an admin to connect it.</div>"
    ) in page
    # Silence after it: the next expert is offered, the button disabled with its reason beside it, not a tooltip only.
    with time_machine.travel(MONDAY_14, tick=False):
        assert outreach_nudges()["told"] == 1
    # What the advocate is told does not claim a nudge that never went out.
    told = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.NOTE, data__told__isnull=False)
    assert told.data["told"] == "silent_unnudged"
    assert TOLD_SAID["silent_unnudged"].format(expert="Vera") == (
        "Vera has not answered, and the nudge could not go out (Slack refused it)"
    )
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'disabled title="Slack is not connected to the desk" aria-describedby="ask-next-why">Ask Otto next' in page
    assert (
        '<p class="error" id="ask-next-why" data-testid="ask-next-not-connected">Slack is not connected to the desk, '
        "so Otto cannot be asked from here: contact them directly, or ask an admin to connect Slack.</p>"
    ) in page
