"""On release day (issue 46) the after-hours urgent ping goes to the month's release advocate as a direct message:
chat.postMessage with their Slack member id as the channel, which Slack answers with the direct message's channel
(a "D…" id). Slack's shapes: https://api.slack.com/methods/chat.postMessage ("Example response"; "channel: … a
user ID posts to the app's DM with that user"). The mention comes in through the Hacker News parser from Algolia's
recorded search shape (channels/tests/hn.py). 2026-10-22 is a Thursday, the release day; coverage ends at 22:00 UTC."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
import responses

from intake.hooks import tickets_after_ingest
from mentions.models import AdvocateProfile, CoverageSchedule, DutySettings, ProductProfile, ReleaseRota, Ticket
from mentions.tests.factories import AdvocateFactory
from notifications.models import UrgentPing
from notifications.tests.slack_api import slack_api
from notifications.tests.test_urgency import ChannelFactory, front_page_hit, ingest, ticket_of

pytestmark = pytest.mark.django_db

POST = "https://slack.com/api/chat.postMessage"


@pytest.fixture
def slack(settings):
    with slack_api(settings, strict=True, DESK_BASE_URL="https://desk.example.com") as mock:
        yield mock


def _answer(channel_id: str):
    def reply(request):
        return 200, {}, json.dumps({"ok": True, "channel": channel_id, "ts": "1766440800.000200", "message": {}})

    return reply


def _desk(*, slack_id: str = "U0RELEASE") -> None:
    DutySettings.objects.create(release_day=22, advocates_mention="<!here>")
    CoverageSchedule.objects.create(name="Office", weekdays=[1, 2, 3, 4, 5], start=time(8), end=time(22))
    rel = AdvocateFactory(first_name="Rui", last_name="<Release>")
    if slack_id:
        AdvocateProfile.objects.create(user=rel, slack_user_id=slack_id)
    ReleaseRota.objects.create(month=date(2026, 10, 1), advocate=rel)


def test_on_release_day_after_hours_the_release_advocate_gets_the_ping_as_a_direct_message(slack):
    slack.add_callback(responses.POST, POST, callback=_answer("D0RELEASEDM"))
    _desk()
    night = datetime(2026, 10, 22, 23, 30, tzinfo=UTC)  # release day, after the office's 22:00
    ingest(ChannelFactory(name="Hacker News"), front_page_hit(41, night - timedelta(minutes=2)))
    assert tickets_after_ingest(ticket_ids=[ticket_of(41).pk], now=night)["pinged"] == 1

    (call,) = slack.calls
    sent = json.loads(call.request.body)
    assert call.request.headers["Authorization"] == "Bearer xoxb-test"
    assert sent["channel"] == "U0RELEASE"  # the member id: Slack opens the app's DM with them
    assert sent["text"].startswith(":rocket: Release day: you are the release advocate on duty. :rotating_light:")
    assert "<!here>" not in sent["text"]
    ping = UrgentPing.objects.get()
    assert (ping.status, ping.slack_channel) == ("sent", "D0RELEASEDM")  # where Slack says it went

    # Judged once: a second sweep posts nothing more (the mock refuses any call it was not given).
    assert tickets_after_ingest(ticket_ids=[ticket_of(41).pk], now=night + timedelta(minutes=5))["pinged"] == 0


def test_the_day_before_the_release_the_ping_goes_to_the_channel_as_usual(slack):
    slack.add_callback(responses.POST, POST, callback=_answer("C0ADVOCATES"))
    _desk()
    night = datetime(2026, 10, 21, 23, 30, tzinfo=UTC)
    ingest(ChannelFactory(name="Hacker News"), front_page_hit(42, night - timedelta(minutes=2)))
    assert tickets_after_ingest(ticket_ids=[ticket_of(42).pk], now=night)["pinged"] == 1
    (call,) = slack.calls
    sent = json.loads(call.request.body)
    assert sent["channel"] == "#community-advocates" and sent["text"].startswith("<!here> :rotating_light:")


def test_a_release_advocate_slack_does_not_know_gets_the_channel_ping(slack):
    slack.add_callback(responses.POST, POST, callback=_answer("C0ADVOCATES"))
    _desk(slack_id="")
    night = datetime(2026, 10, 22, 23, 30, tzinfo=UTC)
    ingest(ChannelFactory(name="Hacker News"), front_page_hit(43, night - timedelta(minutes=2)))
    assert tickets_after_ingest(ticket_ids=[ticket_of(43).pk], now=night)["pinged"] == 1
    (call,) = slack.calls
    assert json.loads(call.request.body)["channel"] == "#community-advocates"


def test_with_several_products_each_ticket_pings_its_products_release_advocate(slack):
    """Issue 71: a Kiln Cloud ticket's ping goes to Kiln Cloud's release advocate; a ticket without a product (the
    desk's first product's, which has no entry of its own) to the desk-wide one. Slack answers each with its DM."""
    slack.add_callback(responses.POST, POST, callback=lambda r: _answer("D" + json.loads(r.body)["channel"])(r))
    _desk()
    _kiln, cloud = ProductProfile.objects.create(name="Kiln"), ProductProfile.objects.create(name="Kiln Cloud")
    cleo = AdvocateFactory(first_name="Cleo")
    AdvocateProfile.objects.create(user=cleo, slack_user_id="U0CLOUD")
    ReleaseRota.objects.create(month=date(2026, 10, 1), advocate=cleo, product=cloud)
    night = datetime(2026, 10, 22, 23, 30, tzinfo=UTC)
    hn = ChannelFactory(name="Hacker News")
    ingest(hn, front_page_hit(44, night - timedelta(minutes=3)), front_page_hit(45, night - timedelta(minutes=2)))
    Ticket.objects.filter(pk=ticket_of(44).pk).update(product=cloud)
    Ticket.objects.filter(pk=ticket_of(45).pk).update(product=None)

    assert tickets_after_ingest(ticket_ids=[ticket_of(44).pk, ticket_of(45).pk], now=night)["pinged"] == 2

    sent = {json.loads(c.request.body)["channel"] for c in slack.calls}
    assert sent == {"U0CLOUD", "U0RELEASE"}
    where = dict(UrgentPing.objects.values_list("ticket_id", "slack_channel"))
    assert where == {ticket_of(44).pk: "DU0CLOUD", ticket_of(45).pk: "DU0RELEASE"}
