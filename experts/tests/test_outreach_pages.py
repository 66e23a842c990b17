"""The "Involve an expert" panel on the ticket page, end to end against a fake Slack (responses)."""

import json

import pytest
from django.urls import reverse

from experts.models import Outreach
from experts.tests.factories import ExpertFactory, OutreachFactory, ProductAreaFactory
from mentions.models import Macro, Ticket
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory, UserFactory, seen
from mentions.tests.pages import refused_page, result_slot
from notifications.tests.slack_api import MENTION, PERMALINK, PERMALINK_URL, POST_URL, slack_api

pytestmark = pytest.mark.django_db

XSS = "<script>alert('x')</script>"


@pytest.fixture(autouse=True)
def slack(settings, handbook_macros):
    with slack_api(settings, strict=True) as mock:
        yield mock


@pytest.fixture
def case():
    ticket = TicketFactory(subject="Pipeline cache")
    MessageFactory(ticket=ticket, permalink=MENTION, body="My pipeline cache never restores")
    verify = ProductAreaFactory(name="Verify", slack_channel="#s_verify", keywords=["pipeline"])
    expert = ExpertFactory(name="Vera", slack_handle="U0VERA", areas=[verify])
    return ticket, expert


def _posts(slack) -> list:
    # The page shown again lists Slack's channels for its "Share to Slack" panel: only posts count here.
    return [c for c in slack.calls if c.request.url == POST_URL]


def _send_url(ticket):
    return reverse("experts:ticket-outreach", args=[ticket.pk])


def test_the_panel_suggests_experts_with_reasons_and_prefills_the_ask(advocate_client, case):
    ticket, expert = case

    # The panel loads after the ticket page, from its own URL (mentions/views/in_place.py), in words.
    html = advocate_client.get(reverse("mentions:ticket-panel", args=[ticket.pk, "outreach"])).content.decode()
    assert 'data-testid="outreach-panel"' in html
    assert 'data-testid="expert-suggestion"' in html and "Vera" in html
    assert "knows Verify: pipeline" in html and "score" not in html
    assert 'data-testid="outreach-form"' not in html

    html = advocate_client.get(f"{ticket.get_absolute_url()}?expert={expert.pk}").content.decode()
    assert 'data-testid="outreach-form"' in html
    assert 'value="#s_verify"' in html
    assert "Hello &lt;@U0VERA&gt;! An expert is needed" in html and MENTION in html


def test_the_search_finds_experts_by_name_and_escapes_everything(advocate_client, case):
    ticket, _ = case
    ExpertFactory(name=f"Sam {XSS}", topics=["kubernetes"])
    html = advocate_client.get(f"{ticket.get_absolute_url()}?expert_q=kubernetes").content.decode()
    assert 'data-testid="expert-results"' in html
    assert "Sam &lt;script&gt;" in html and "<script>alert('x')" not in html
    html = advocate_client.get(f"{ticket.get_absolute_url()}?expert_q=<script>").content.decode()
    assert "<script>alert" not in html


def test_sending_posts_to_slack_and_lists_the_outreach(advocate_client, slack, case):
    ticket, expert = case
    slack.post(POST_URL, json={"ok": True, "channel": "C0VERIFY", "ts": "1700000000.000100"})
    slack.get(PERMALINK_URL, json={"ok": True, "permalink": PERMALINK})

    response = advocate_client.post(
        _send_url(ticket),
        {"seen": seen(ticket), "expert": expert.pk, "channel": "s_verify", "message": f"<@U0VERA> {MENTION}"},
        follow=True,
    )

    assert response.status_code == 200
    assert json.loads(slack.calls[0].request.body)["channel"] == "#s_verify"
    outreach = Outreach.objects.get()
    assert outreach.status == Outreach.Status.SENT and outreach.advocate == advocate_client.user
    html = advocate_client.get(f"{ticket.get_absolute_url()}?panels=inline").content.decode()
    assert f'href="{PERMALINK}"' in html and 'data-testid="outreach-status">Sent<' in html
    assert "consider a holding reply" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN and ticket.tags.filter(name="reached-out-to-expert").exists()


def test_a_slack_refusal_is_shown_to_the_advocate(advocate_client, slack, case):
    ticket, expert = case
    slack.post(POST_URL, json={"ok": False, "error": "channel_not_found"})

    response = advocate_client.post(
        _send_url(ticket),
        {"seen": seen(ticket), "expert": expert.pk, "channel": "#s_plan", "message": "Hi"},
    )

    html = refused_page(advocate_client, response, ticket, "outreach")
    assert "Slack has no channel #s_plan (or the bot is not in it)" in result_slot(html, "outreach")
    assert 'data-testid="outreach-form"' in html  # kept, to fix the channel and send again
    assert 'value="#s_plan"' in html  # as it was typed
    assert "xoxb-test" not in html
    assert Outreach.objects.get().status == Outreach.Status.FAILED


def test_when_slack_is_busy_the_advocate_is_told_when_it_will_be_sent(advocate_client, slack, case):
    ticket, expert = case
    slack.post(POST_URL, status=429, headers={"Retry-After": "20"})

    response = advocate_client.post(
        _send_url(ticket),
        {"seen": seen(ticket), "expert": expert.pk, "channel": "#s_verify", "message": "Hi"},
        follow=True,
    )

    assert "Slack is busy: it will be sent in 20 s" in response.content.decode()
    assert Outreach.objects.get().status == Outreach.Status.PENDING


def test_a_bad_channel_name_is_refused_before_slack(advocate_client, slack, case):
    ticket, expert = case
    response = advocate_client.post(
        _send_url(ticket),
        {"seen": seen(ticket), "expert": expert.pk, "channel": "#No Spaces", "message": "Hi"},
    )
    html = refused_page(advocate_client, response, ticket, "outreach")
    assert "A Slack channel name such as #s_plan (lower case), or a channel id." in result_slot(html, "outreach")
    assert not _posts(slack) and not Outreach.objects.exists()


def test_declining_an_outreach_from_the_page(advocate_client, case):
    ticket, expert = case
    outreach = OutreachFactory(ticket=ticket, expert=expert)
    url = reverse("experts:ticket-outreach-decline", args=[ticket.pk, outreach.pk])

    response = advocate_client.post(url, {"seen": seen(ticket), "reason": ""})
    # The decline form has no result slot: its errors are said above the list of outreaches.
    html = refused_page(advocate_client, response, ticket, "decline")
    assert 'id="id_reason_error"><li>This field is required.</li>' in html
    outreach.refresh_from_db()
    assert outreach.status != Outreach.Status.DECLINED
    response = advocate_client.post(url, {"seen": seen(ticket), "reason": "On leave"})

    assert response.status_code == 302
    outreach.refresh_from_db()
    assert outreach.status == Outreach.Status.DECLINED and outreach.decline_reason == "On leave"
    other = TicketFactory()
    assert (
        advocate_client.post(
            reverse("experts:ticket-outreach-decline", args=[other.pk, outreach.pk]), {"reason": "x"}
        ).status_code
        == 404
    )


def test_users_without_a_role_cannot_reach_out_or_decline(client, slack, case):
    ticket, expert = case
    outreach = OutreachFactory(ticket=ticket, expert=ExpertFactory())
    client.force_login(UserFactory())

    assert client.get(f"{ticket.get_absolute_url()}?expert={expert.pk}").status_code == 403
    assert (
        client.post(
            _send_url(ticket),
            {"seen": seen(ticket), "expert": expert.pk, "channel": "#s_verify", "message": "Hi"},
        ).status_code
        == 403
    )
    decline = reverse("experts:ticket-outreach-decline", args=[ticket.pk, outreach.pk])
    assert client.post(decline, {"seen": seen(ticket), "reason": "x"}).status_code == 403
    assert len(slack.calls) == 0 and Outreach.objects.count() == 1


def test_an_advocate_cannot_reach_out_on_a_colleagues_ticket(advocate_client, slack, case):
    ticket, expert = case
    ticket.assignee = AdvocateFactory()
    ticket.save()
    response = advocate_client.post(
        _send_url(ticket),
        {"seen": seen(ticket), "expert": expert.pk, "channel": "#s_verify", "message": "Hi"},
    )
    assert response.status_code == 403 and len(slack.calls) == 0 and not Outreach.objects.exists()


def test_a_tampered_expert_id_is_refused(advocate_client, slack, case):
    ticket, _ = case
    response = advocate_client.post(
        _send_url(ticket),
        {"seen": seen(ticket), "expert": "abc", "channel": "#s_verify", "message": "Hi"},
    )
    html = refused_page(advocate_client, response, ticket, "outreach")
    assert "Select a valid choice." in result_slot(html, "outreach")
    assert not _posts(slack)
    assert advocate_client.get(f"{ticket.get_absolute_url()}?expert=999999").status_code == 200


def test_the_outreach_form_says_before_sending_when_slack_is_not_connected(advocate_client, slack, case, settings):
    ticket, expert = case
    settings.SLACK_BOT_TOKEN = ""

    html = advocate_client.get(f"{ticket.get_absolute_url()}?expert={expert.pk}").content.decode()

    assert 'data-testid="slack-not-connected"' in html
    assert "Slack is not connected to the desk, so this message cannot be sent." in html
    assert (
        '<button class="btn" type="submit" disabled title="Slack is not connected to the desk" '
        'aria-describedby="slack-why">Send to Slack (not connected)</button>'
    ) in html
    assert "SLACK_BOT_TOKEN" not in html
    # A send that gets through anyway (an old page) is refused in the same words, and nothing is posted.
    response = advocate_client.post(
        _send_url(ticket), {"seen": seen(ticket), "expert": expert.pk, "channel": "#s_verify", "message": "Hi"}
    )
    html = refused_page(advocate_client, response, ticket, "outreach")
    said = "Slack is not connected to the desk, so nothing was posted: ask an admin to connect it"
    assert said in result_slot(html, "outreach")
    assert len(slack.calls) == 0


def test_a_refused_community_macro_is_said_on_the_page_and_the_ticket_stays_open(advocate_client, slack, case):
    ticket, _ = case
    slack.post(POST_URL, json={"ok": False, "error": "channel_not_found"})
    macro = Macro.objects.get(name="Involving experts::Community involvement")

    response = advocate_client.post(
        reverse("mentions:ticket-macro", args=[ticket.pk]), {"seen": seen(ticket), "macro": macro.pk, "macro_link": ""}
    )

    html = refused_page(advocate_client, response, ticket, "macro")
    said = "was not applied: Slack has no channel #community-involvement (or the bot is not in it)."
    assert said in result_slot(html, "macro")
    ticket.refresh_from_db()
    assert ticket.status == "new"
