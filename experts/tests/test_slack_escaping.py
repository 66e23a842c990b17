"""Issue 11, defect 8: anything a stranger can write (a handle, a display name, a subject, a
permalink) reaches Slack escaped by channels.adapters.slack.client.slack_escape, and every link in a message is one
we built with slack_link: `<url|label>` with the label escaped. Checked on the JSON posted to a fake
Slack Web API (responses) and on every message builder."""

import json
import re
from datetime import UTC, datetime

import pytest

from channels.adapters.slack.client import slack_escape, slack_link
from channels.tests.factories import ChannelFactory
from experts import services
from experts.models import OutreachSettings
from experts.tests.factories import ExpertFactory
from mentions.coverage import coverage_load
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory
from notifications.outbox import ticket_line
from notifications.tasks import community_post
from notifications.tests.slack_api import slack_api
from notifications.urgency import DigestPlan, digest_text, urgent_ping_text

pytestmark = pytest.mark.django_db

POST_URL = "https://slack.com/api/chat.postMessage"
HOSTILE = [
    "<!channel>",
    "<!here|here>",
    "<!everyone>",
    "@here",
    "@channel",
    "<@U123>",
    "<#C123|general>",
    "<!subteam^S123>",
    "<https://evil.example|bank>",
    "&amp;",
    "&lt;!channel&gt;",
    "*bold* _it_ ~strike~ `code`",
    "a > b < c & d",
]
# The escaped form of each hostile string: Slack's three control characters as entities.
ESCAPED = {h: h.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for h in HOSTILE}


def _links(text: str) -> list[str]:
    """Every <…> token Slack would read as a link or mention."""
    return re.findall(r"<[^<>]*>", text)


@pytest.fixture
def slack(settings):
    with slack_api(settings, strict=True, DESK_BASE_URL="https://desk.example.com") as mock:
        mock.post(POST_URL, json={"ok": True, "channel": "C0COMMUNITY", "ts": "1700000000.000200"})
        yield mock


def test_slack_escape_and_slack_link():
    assert slack_escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert slack_escape("&amp;") == "&amp;amp;"  # an entity typed by a stranger stays text
    assert slack_link("https://x.example/?a=1&b=2", "<!here> & *b*") == (
        "<https://x.example/?a=1&amp;b=2|&lt;!here&gt; &amp; *b*>"
    )
    # A URL cannot end the link early nor open another one.
    assert slack_link("https://evil.example/a|<!channel>", "x") == "<https://evil.example/a%7C%3C!channel%3E|x>"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_community_post_escapes_the_requester_handle_and_name(slack, handbook_macros, hostile):
    ticket = TicketFactory(requester_handle=hostile, requester_name=hostile)
    MessageFactory(ticket=ticket, permalink="https://news.ycombinator.com/item?id=4242")

    assert community_post(ticket.pk) == "posted"

    body = json.loads(slack.calls[0].request.body)
    link = "<https://news.ycombinator.com/item?id=4242|https://news.ycombinator.com/item?id=4242>"
    assert body["text"] == f"Worth engaging on Hacker News ({ESCAPED[hostile]}): {link}"
    assert _links(body["text"]) == [link]  # the one link is ours; nothing else can mention or link
    assert set(body) == {"channel", "text", "unfurl_links"}  # no parse=full / link_names: "@here" stays text


def test_community_post_with_a_hostile_permalink_links_only_to_it(slack, handbook_macros):
    ticket = TicketFactory(requester_handle="dana")
    MessageFactory(ticket=ticket, permalink="https://evil.example/a?x=1&y=2|<!channel>")

    assert community_post(ticket.pk) == "posted"

    text = json.loads(slack.calls[0].request.body)["text"]
    assert text == (
        "Worth engaging on Hacker News (dana): "
        "<https://evil.example/a?x=1&amp;y=2%7C%3C!channel%3E|https://evil.example/a?x=1&amp;y=2|&lt;!channel&gt;>"
    )
    assert "<!channel>" not in text


@pytest.mark.parametrize("hostile", HOSTILE)
def test_outreach_prefill_escapes_every_value_but_the_experts_own_mention(hostile, handbook_macros):
    ticket = TicketFactory(channel=ChannelFactory(name=hostile))
    MessageFactory(ticket=ticket, permalink="https://news.ycombinator.com/item?id=1&<!here>")
    advocate = AdvocateFactory(first_name=hostile, last_name="")
    expert = ExpertFactory(name=hostile, slack_handle="U0VERA")
    settings_row = OutreachSettings.current()
    settings_row.template = "Hello {expert}! On {platform}: {link} (desk: {ticket_url}) asked by {advocate}"
    settings_row.save()

    text = services.outreach_message_prefill(ticket=ticket, expert=expert, advocate=advocate)

    assert text.startswith("Hello <@U0VERA>! ")
    assert text.endswith(f"asked by {ESCAPED[hostile]}")
    assert "https://news.ycombinator.com/item?id=1&amp;&lt;!here&gt;" in text
    assert _links(text) == ["<@U0VERA>"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_outreach_prefill_escapes_an_expert_without_a_slack_id(hostile, handbook_macros):
    ticket = TicketFactory()
    MessageFactory(ticket=ticket)
    expert = ExpertFactory(name=hostile, slack_handle="")

    text = services.outreach_message_prefill(ticket=ticket, expert=expert, advocate=AdvocateFactory())

    assert text.startswith(f"Hello {ESCAPED[hostile]}! ")
    assert _links(text) == []


@pytest.mark.parametrize("hostile", HOSTILE)
def test_outbox_urgent_and_digest_lines_escape_subject_channel_and_rule(settings, hostile):
    settings.DESK_BASE_URL = "https://desk.example.com"
    ticket = TicketFactory(subject=hostile, channel=ChannelFactory(name=hostile))
    desk = f"https://desk.example.com/tickets/{ticket.pk}/"

    line = ticket_line(ticket=ticket, channel=ticket.channel, permalink="https://x.example/1", rule=hostile)
    assert ESCAPED[hostile] in line
    assert _links(line) == [f"<{desk}|#{ticket.pk}>", "<https://x.example/1|original>"]

    now = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    ping = urgent_ping_text(ticket=ticket, reasons=[hostile], mention="", coverage=coverage_load(), now=now)
    digest = digest_text(
        plan=DigestPlan(day=now.date(), ends_at=now, resumes_at=now, tickets=[ticket], reasons={ticket.pk: [hostile]}),
        now=now,
    )
    for text in (ping, digest):
        assert _links(text) == [f"<{desk}|#{ticket.pk} {ESCAPED[hostile].replace('|', '¦')}>"]
        assert f" · {ESCAPED[hostile]}" in text
