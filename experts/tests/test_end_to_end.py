"""The whole expert loop on real shapes: an HN mention is polled, an expert is asked in
Slack, and the expert's HN comment, polled later, closes the ticket."""

import json
import time
from datetime import UTC, datetime

import pytest
import responses
from django.urls import reverse
from responses import matchers

from channels.adapters.hackernews import SEARCH_URL
from channels.tests.factories import ChannelFactory
from channels.tests.hn import comment_hit, search_page, story_hit
from experts.models import Expert, ExpertIdentity, Outreach, ProductArea
from experts.services import outreach_message_prefill, outreach_send
from intake.services.polling import channel_poll
from mentions.models import Message, Ticket
from mentions.tests.factories import AdvocateFactory

pytestmark = pytest.mark.django_db
SLACK = "https://slack.com/api"


@responses.activate
def test_mention_outreach_and_the_experts_answer_on_the_platform(client, settings, handbook_macros):
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    now = int(time.time())
    channel = ChannelFactory(name="Hacker News", slug="hn", our_accounts=["gitlabhq"])
    verify, _ = ProductArea.objects.get_or_create(name="Verify", defaults={"slack_channel": "#s_verify"})
    expert = Expert.objects.create(name="Vera Runner", slack_handle="U0VERA", topics=["runner", "caching"])
    expert.areas.add(verify)
    ExpertIdentity.objects.create(expert=expert, kind="hackernews", handle="vera_ci")
    advocate = AdvocateFactory()

    # 1. The mention arrives through a real poll.
    question = story_hit(
        41000001, now - 3600, title="Ask HN: GitLab CI runner never restores the cache", story_text="Any idea why?"
    )
    responses.get(SEARCH_URL, json=search_page([question]))
    assert channel_poll(channel_id=channel.pk).status == "ok"
    ticket = Ticket.objects.get()

    # 2. The advocate asks the expert in Slack.
    responses.post(f"{SLACK}/chat.postMessage", json={"ok": True, "channel": "C0VERIFY", "ts": "1700000000.000100"})
    responses.get(
        f"{SLACK}/chat.getPermalink",
        json={
            "ok": True,
            "channel": "C0VERIFY",
            "permalink": "https://acme.slack.com/archives/C0VERIFY/p1700000000000100",
        },
    )
    message = outreach_message_prefill(ticket=ticket, expert=expert, advocate=advocate)
    outreach = outreach_send(ticket=ticket, expert=expert, advocate=advocate, message=message)
    request = next(c.request for c in responses.calls if (c.request.url or "").endswith("chat.postMessage"))
    assert request.body is not None
    posted = json.loads(request.body)
    assert posted["channel"] == "#s_verify"
    assert "<@U0VERA>" in posted["text"] and "https://news.ycombinator.com/item?id=41000001" in posted["text"]
    outreach.refresh_from_db()
    ticket.refresh_from_db()
    assert outreach.status == Outreach.Status.SENT and ticket.status == Ticket.Status.OPEN

    # 3. The expert answers on Hacker News; the next poll sees it.
    responses.replace(
        responses.GET,
        SEARCH_URL,
        json=search_page(
            [
                comment_hit(
                    41000002,
                    now - 60,
                    author="vera_ci",
                    text="Set <code>cache:key</code> per branch.",
                    parent_id=41000001,
                    story_id=41000001,
                ),
                question,
            ]
        ),
        match=[matchers.query_param_matcher({"query": "gitlab"}, strict_match=False)],
    )
    # Half an hour passes between the Slack message and the expert's answer.
    Outreach.objects.filter(pk=outreach.pk).update(sent_at=datetime.fromtimestamp(now - 1800, tz=UTC))
    assert channel_poll(channel_id=channel.pk).status == "ok"

    assert Ticket.objects.count() == 1  # no new ticket for the expert's comment
    ticket.refresh_from_db()
    outreach.refresh_from_db()
    reply = Message.objects.get(external_id="41000002")
    assert reply.ticket == ticket and reply.kind == Message.Kind.OUR_REPLY
    assert outreach.status == Outreach.Status.ANSWERED and outreach.answer_message == reply
    assert outreach.answer_seconds == 1800 - 60
    assert ticket.status == Ticket.Status.SOLVED
    assert ticket.first_reply_at == reply.platform_created_at
    assert set(ticket.tags.values_list("name", flat=True)) == {"reached-out-to-expert", "expert-responded"}

    # 4. The ticket page shows it all.
    client.force_login(advocate)
    html = client.get(reverse("mentions:ticket", args=[ticket.pk]) + "?panels=inline").content.decode()
    assert "Set cache:key per branch." in html and "(our reply)" in html
    assert 'data-testid="outreach-answered"' in html and "after it was sent" in html
    assert "expert-responded" in html and 'data-testid="ticket-status">Solved<' in html
