"""An expert answers on Hacker News without the channel's keyword: the keyword search never finds the
answer, the watched thread does, and the loop closes as it does for a found one.

Algolia is faked at the HTTP boundary: `search_by_date` by channels/tests/hn.py's FakeAlgolia (recorded
hit shapes), `/items/{id}` with the recorded item tree of channels/adapters/hackernews/tests/fixtures/
algolia_items_17.json, its ids, authors and texts changed. Slack is `responses` on chat.postMessage.
"""

import copy
import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.harness import poll
from channels.tests.hn import FakeAlgolia, load, story_hit
from experts import services
from experts.models import Outreach
from experts.tests.factories import ExpertFactory, ExpertIdentityFactory
from intake.services.polling import channel_poll
from intake.services.watching import threads_watch_due
from mentions.models import Message, ThreadWatch, Ticket
from mentions.tests.factories import AdvocateFactory
from notifications.tests.slack_api import slack_api

pytestmark = pytest.mark.django_db

STORY = 46100000
ITEMS_URL = f"https://hn.algolia.com/api/v1/items/{STORY}"
POST_URL = "https://slack.com/api/chat.postMessage"
PERMALINK_URL = "https://slack.com/api/chat.getPermalink"
_NODE = load("algolia_items_17.json")


def _node(item_id, created_at_i, *, author, text, parent=None, kind="comment", children=()):
    node = copy.deepcopy(_NODE)
    node.update(
        id=item_id,
        created_at=datetime.fromtimestamp(created_at_i, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        created_at_i=created_at_i,
        type=kind,
        author=author,
        text=text,
        parent_id=parent,
        story_id=STORY,
        children=list(children),
    )
    if kind == "story":
        node.update(title="Ask HN: How do you keep CI caches warm with GitLab?", url=None, parent_id=None)
    return node


@pytest.fixture
def slack(settings):
    with slack_api(settings) as mock:
        mock.post(POST_URL, json={"ok": True, "channel": "C0VERIFY", "ts": "1700000000.000100"})
        mock.get(PERMALINK_URL, json={"ok": True, "channel": "C0VERIFY", "permalink": "https://x.slack.com/p1"})
        yield mock


def test_a_watched_hn_thread_where_the_expert_answers_without_the_keyword_closes_the_loop(slack):
    asked_at = int(time.time()) - 3600
    channel = ChannelFactory(config={"keywords": ["gitlab"]}, our_accounts=["gitlabhq"])
    story = story_hit(STORY, asked_at, title="Ask HN: How do you keep CI caches warm with GitLab?", author="dana")
    algolia = FakeAlgolia([story], mock=slack)
    assert poll(channel).status == "ok"
    ticket = Ticket.objects.get(channel=channel)

    expert = ExpertFactory(name="Vera")
    ExpertIdentityFactory(expert=expert, kind="hackernews", handle="vera_dev")
    outreach = services.outreach_send(
        ticket=ticket, expert=expert, advocate=AdvocateFactory(), message="Could you answer?", channel="#s_verify"
    )
    assert outreach.status == Outreach.Status.SENT
    (watch,) = ThreadWatch.objects.filter(ticket=ticket)
    assert (watch.reason, watch.thread_ref, watch.authors) == ("outreach", str(STORY), ["vera_dev"])

    # Vera answers in the thread, in words the keyword search does not match; someone else chats too.
    answered_at = int(time.time()) - 60
    answer = "Key the cache on the lockfile and keep one per branch; a fallback key warms new branches."
    algolia.add(
        {
            **story_hit(STORY + 1, answered_at, title=None, author="vera_dev"),
            "comment_text": answer,
            "_tags": ["comment"],
        }
    )
    Channel.objects.filter(pk=channel.pk).update(next_poll_at=None)
    channel_poll(channel_id=channel.pk)
    assert not Message.objects.filter(external_id=str(STORY + 1)).exists()  # the search cannot see it

    tree = _node(
        STORY,
        asked_at,
        author="dana",
        text="",
        kind="story",
        children=[
            _node(STORY + 1, answered_at, author="vera_dev", text=f"<p>{answer}</p>", parent=STORY),
            _node(STORY + 2, answered_at + 5, author="bystander", text="<p>Interesting</p>", parent=STORY),
        ],
    )
    slack.get(ITEMS_URL, json=tree)
    counts = threads_watch_due(now=watch.next_check_at)

    assert counts == {"read": 1, "stored": 1, "failed": 0, "gone": 0, "requests": 1}
    reply = Message.objects.get(channel=channel, external_id=str(STORY + 1))
    assert reply.ticket_id == ticket.pk and reply.kind == Message.Kind.OUR_REPLY
    assert not Message.objects.filter(external_id=str(STORY + 2)).exists()  # not the ticket's business
    outreach.refresh_from_db()
    assert outreach.status == Outreach.Status.ANSWERED and outreach.answer_message_id == reply.pk
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED
    assert ticket.first_reply_at == datetime.fromtimestamp(answered_at, UTC)
    assert not ThreadWatch.objects.filter(ticket=ticket, reason=ThreadWatch.Reason.OUTREACH).exists()
    assert [json.loads(c.request.body)["channel"] for c in slack.calls if c.request.url == POST_URL] == ["#s_verify"]


def test_a_declined_outreach_stops_the_watch_and_our_reply_starts_one_for_two_days(slack, settings):
    channel = ChannelFactory(config={"keywords": ["gitlab"]})
    FakeAlgolia([story_hit(STORY, int(time.time()) - 600, title="GitLab pages 404", author="dana")], mock=slack)
    Channel.objects.filter(pk=channel.pk).update(next_poll_at=None)
    channel_poll(channel_id=channel.pk)
    ticket = Ticket.objects.get(channel=channel)
    advocate = AdvocateFactory()
    outreach = services.outreach_send(ticket=ticket, expert=ExpertFactory(), advocate=advocate, message="Hi")
    assert ThreadWatch.objects.filter(ticket=ticket, reason="outreach").exists()

    services.outreach_decline(outreach=outreach, advocate=advocate, reason="on leave")
    assert not ThreadWatch.objects.filter(ticket=ticket).exists()

    from mentions.services import ticket_mark_replied

    ticket_mark_replied(
        ticket=ticket, user=advocate, body="Answered there", link="https://news.ycombinator.com/item?id=1"
    )
    (watch,) = ThreadWatch.objects.filter(ticket=ticket)
    assert watch.reason == "after_reply"
    expected = timedelta(hours=settings.DESK_WATCH_AFTER_REPLY_HOURS)
    assert abs((watch.watch_until - watch.created_at) - expected) < timedelta(seconds=5)
