"""Share to Slack from the ticket page (notifications.share), end to end against a fake Slack (responses).

Payload shapes are Slack's documented example responses: conversations.list
(https://api.slack.com/methods/conversations.list: `channels` with `id`, `name`, `is_channel`, `is_archived`,
`is_member`, `is_private`; `response_metadata.next_cursor`, empty on the last page) and chat.postMessage
(https://api.slack.com/methods/chat.postMessage: `ok`, `channel`, `ts`)."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from mentions.models import Macro, Ticket, TicketEvent
from mentions.services.actions import macro_apply
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory, UserFactory, seen
from mentions.tests.pages import refused_page, result_slot
from notifications.models import SlackNotice
from notifications.outbox import slack_outbox_flush
from notifications.tests.slack_api import slack_api

pytestmark = pytest.mark.django_db

LIST_URL = "https://slack.com/api/conversations.list"
POST_URL = "https://slack.com/api/chat.postMessage"
OK = {"ok": True, "channel": "C0PRODUCT1", "ts": "1700000000.000100"}
MENTION = "https://news.ycombinator.com/item?id=4242"
EVIL = "<!channel> *bold* <https://evil.example|x> & co"


def _channel(cid: str, name: str, *, member: bool = True, private: bool = False) -> dict:
    return {
        "id": cid,
        "name": name,
        "is_channel": not private,
        "is_group": private,
        "is_im": False,
        "is_archived": False,
        "is_general": name == "general",
        "is_member": member,
        "is_private": private,
        "num_members": 12,
    }


PAGE_1 = {
    "ok": True,
    "channels": [_channel("C0GENERAL1", "general"), _channel("C0RANDOM01", "random", member=False)],
    "response_metadata": {"next_cursor": "dGVhbTpDMDYxRkE1UEI="},
}
PAGE_2 = {
    "ok": True,
    "channels": [
        _channel("C0PRODUCT1", "product"),
        _channel("G0CEO00001", "ceo", private=True),
        _channel("C0SALES001", "sales", member=False),
    ],
    "response_metadata": {"next_cursor": ""},
}


@pytest.fixture(autouse=True)
def slack(settings):
    with slack_api(settings, DESK_BASE_URL="https://desk.example.com") as mock:
        yield mock


def _list_pages(slack) -> None:
    slack.get(LIST_URL, json=PAGE_1)  # answered in order: the first page, then the second
    slack.get(LIST_URL, json=PAGE_2)


@pytest.fixture
def ticket():
    ticket = TicketFactory(subject="Pipeline cache", requester_name="Ann", requester_handle="ann")
    MessageFactory(ticket=ticket, permalink=MENTION, body="My pipeline cache never restores\nsince the upgrade")
    return ticket


def _panel(client, ticket) -> str:
    response = client.get(reverse("mentions:ticket-panel", args=[ticket.pk, "share"]))
    assert response.status_code == 200
    return response.content.decode()


def _share(client, ticket, **data):
    return client.post(reverse("notifications:ticket-share", args=[ticket.pk]), {"seen": seen(ticket), **data})


def _posted(slack) -> list[dict]:
    return [json.loads(c.request.body or "") for c in slack.calls if c.request.url == POST_URL]


def test_the_dialog_lists_only_member_channels_often_used_first_and_asks_slack_once(advocate_client, ticket, slack):
    _list_pages(slack)

    html = _panel(advocate_client, ticket)
    _panel(advocate_client, ticket)  # a second page view is answered from the cache

    list_calls = [c for c in slack.calls if c.request.url.startswith(LIST_URL)]
    assert len(list_calls) == 2  # two pages of one listing; none for the second view
    first, second = (parse_qs(urlparse(c.request.url).query) for c in list_calls)
    assert first["types"] == ["public_channel,private_channel"] and first["exclude_archived"] == ["true"]
    assert "cursor" not in first and second["cursor"] == ["dGVhbTpDMDYxRkE1UEI="]
    options = [line.split('value="')[1].split('"')[0] for line in html.split("<option")[2:]]
    assert options == ["#ceo", "#product", "#general"]  # not #random nor #sales: the bot is not in them


def test_slack_unable_to_list_says_so_and_takes_a_typed_channel(advocate_client, ticket, slack, settings):
    slack.get(LIST_URL, json={"ok": False, "error": "missing_scope"})
    html = _panel(advocate_client, ticket)
    assert 'data-testid="share-problem"' in html and "Slack did not list its channels" in html
    assert '<input type="text" name="channel"' in html
    _panel(advocate_client, ticket)  # Slack is not asked again for a minute: pages do not wait on it
    assert len(slack.calls) == 1

    settings.SLACK_BOT_TOKEN = ""
    html = _panel(advocate_client, ticket)
    assert "Slack is not connected to the desk" in html

    response = _share(advocate_client, ticket, channel="product", note="")
    assert response.status_code == 302
    notice = SlackNotice.objects.get(ticket=ticket, kind=SlackNotice.Kind.SHARE)
    assert notice.destination == "#product" and notice.status == SlackNotice.Status.PENDING


def test_note_and_mention_are_posted_as_typed_never_as_slack_markup(advocate_client, slack):
    ticket = TicketFactory(requester_name=EVIL, requester_handle="evil")
    MessageFactory(ticket=ticket, permalink=MENTION, body=f"{EVIL}\nsecond line\n\nthird\nfourth is left out")
    slack.post(POST_URL, json=OK)

    assert _share(advocate_client, ticket, channel="#product", note=EVIL).status_code == 302
    slack_outbox_flush()

    [body] = _posted(slack)
    assert body["channel"] == "#product"
    text = body["text"]
    shown = "&lt;!channel&gt; \u2217bold\u2217 &lt;https://evil.example|x&gt; &amp; co"
    lines = text.split("\n")
    assert lines[0].endswith(f" shared a mention*: {shown}")  # the note
    assert lines[1:4] == [f"> {shown}", "> second line", "> third"]  # the mention's first lines, quoted
    assert "fourth" not in text and "<!channel>" not in text and "*bold*" not in text and "<https://evil" not in text
    assert lines[4] == (
        f"{shown} on {ticket.channel.get_kind_display()} · <{MENTION}|the mention> · "
        f"<https://desk.example.com/tickets/{ticket.pk}/|Ticket #{ticket.pk}>"
    )


def test_slack_down_at_send_keeps_the_share_and_a_later_flush_delivers_it(advocate_client, ticket, slack):
    slack.post(POST_URL, status=503)
    _share(advocate_client, ticket, channel="#product", note="For the roadmap")

    result = slack_outbox_flush()
    notice = SlackNotice.objects.get(ticket=ticket, kind=SlackNotice.Kind.SHARE)
    assert result.retrying == 1 and notice.status == SlackNotice.Status.PENDING and notice.next_attempt_at

    slack.replace(responses.POST, POST_URL, json=OK)
    slack_outbox_flush(now=timezone.now() + timedelta(hours=1))
    notice.refresh_from_db()
    assert notice.status == SlackNotice.Status.SENT and notice.slack_ts == OK["ts"]
    assert len(_posted(slack)) == 2 and "For the roadmap" in _posted(slack)[1]["text"]


def test_a_share_is_posted_alone_and_may_be_repeated_once_sent(advocate_client, ticket, slack):
    slack.post(POST_URL, json=OK)
    SlackNotice.objects.create(destination="#product", ticket=ticket, kind=SlackNotice.Kind.RULE, text="• rule line")
    _share(advocate_client, ticket, channel="#product", note="first")
    _share(advocate_client, ticket, channel="#product", note="second thought")  # still waiting: replaced

    slack_outbox_flush()
    texts = [p["text"] for p in _posted(slack)]
    assert texts[0] == "*1 new mention*\n• rule line"
    assert "second thought" in texts[1] and "first" not in texts[1] and "new mention" not in texts[1]

    _share(advocate_client, ticket, channel="#product", note="again, a week later")
    assert SlackNotice.objects.filter(ticket=ticket, kind=SlackNotice.Kind.SHARE).count() == 2


def test_the_ticket_pages_more_actions_lead_to_the_panel_also_without_javascript(advocate_client, ticket, slack):
    _list_pages(slack)
    html = advocate_client.get(ticket.get_absolute_url()).content.decode()
    assert 'href="?panels=inline#panel-share"' in html
    html = advocate_client.get(f"{ticket.get_absolute_url()}?panels=inline").content.decode()
    assert 'data-testid="share-form"' in html and '<option value="#product">' in html


def test_the_share_is_a_line_of_the_tickets_history(advocate_client, ticket, slack):
    advocate_client.user.first_name = "Ada"
    advocate_client.user.save()
    _share(advocate_client, ticket, channel="#product", note="roadmap")

    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.NOTE)
    assert event.actor == advocate_client.user and event.data == {"slack_share": "#product", "note": "roadmap"}
    html = advocate_client.get(reverse("mentions:ticket-history", args=[ticket.pk])).content.decode()
    assert "Ada shared it to #product: “roadmap”" in html


def test_errors_are_said_beside_the_control_without_and_with_javascript(advocate_client, ticket, slack):
    response = _share(advocate_client, ticket, channel="", note="x")
    slot = result_slot(refused_page(advocate_client, response, ticket, "share"), "share")
    assert "Slack channel: This field is required." in slot

    response = advocate_client.post(
        reverse("notifications:ticket-share", args=[ticket.pk]),
        {"seen": seen(ticket), "channel": "#Not A Channel!", "note": "x" * 1001},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400 and response["HX-Retarget"] == "#result-share"
    html = response.content.decode()
    assert "is not a Slack channel" in html and "at most 1000 characters" in html
    assert not SlackNotice.objects.filter(ticket=ticket).exists()


def test_with_htmx_the_share_answers_in_place(advocate_client, ticket, slack, settings):
    settings.SLACK_BOT_TOKEN = ""  # no listing needed; the share waits in the outbox
    response = advocate_client.post(
        reverse("notifications:ticket-share", args=[ticket.pk]),
        {"seen": seen(ticket), "channel": "#product"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Shared to #product: Slack is not connected, so it waits in the outbox" in result_slot(
        response.content.decode(), "share"
    )


def test_anonymous_and_people_without_a_role_cannot_share(client, ticket):
    url = reverse("notifications:ticket-share", args=[ticket.pk])
    assert client.post(url, {"channel": "#product", "seen": seen(ticket)}).status_code == 302  # to sign in
    client.force_login(UserFactory())
    assert client.post(url, {"channel": "#product", "seen": seen(ticket)}).status_code == 403
    assert client.get(reverse("mentions:ticket-panel", args=[ticket.pk, "share"])).status_code == 403
    assert not SlackNotice.objects.exists()


def test_the_spam_report_macro_still_posts_to_the_abuse_channel(handbook_macros, slack):
    advocate = AdvocateFactory()
    ticket = TicketFactory(assignee=advocate, status=Ticket.Status.OPEN)
    slack.post(POST_URL, json=OK)

    macro_apply(ticket=ticket, user=advocate, macro=Macro.objects.get(name="Spam report"))
    slack_outbox_flush()

    [body] = _posted(slack)
    assert body["channel"] == "#abuse" and body["text"].startswith("*1 new mention*\n• [Spam report] ")
