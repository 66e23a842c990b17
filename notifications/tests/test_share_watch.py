"""A share to Slack is followed on the platform like an outreach: the thread is watched, and a team member's
answer there, without the channel's keyword, is our reply and answers the share.

Shapes: Algolia's recorded hits (channels/tests/hn.py's FakeAlgolia, from channels/adapters/hackernews/tests/
fixtures, SOURCES.md) for the poll, and the recorded item tree `algolia_items_17.json` (ids, authors and texts
changed) for the thread read; Slack's chat.postMessage as its API reference documents it (`ok`, `channel`, `ts`).
"""

from __future__ import annotations

import copy
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.harness import poll
from channels.tests.hn import FakeAlgolia, load, story_hit
from experts.tests.factories import ExpertFactory, ExpertIdentityFactory
from intake.services.polling import channel_poll
from intake.services.watching import threads_watch_due
from mentions.models import Message, ThreadWatch, Ticket, TicketEvent
from mentions.tests.factories import seen
from mentions.ticket_page.history import history_lines
from notifications.tests.slack_api import slack_api

pytestmark = pytest.mark.django_db

STORY = 46200000
ITEMS_URL = f"https://hn.algolia.com/api/v1/items/{STORY}"
_NODE = load("algolia_items_17.json")


def _node(item_id, at, *, author, text="", parent=None, children=()):
    node = copy.deepcopy(_NODE)
    node.update(
        id=item_id,
        created_at=datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        created_at_i=at,
        type="comment" if parent else "story",
        author=author,
        text=text,
        parent_id=parent,
        story_id=STORY,
        children=list(children),
    )
    if parent is None:
        node.update(title="Ask HN: GitLab runners keep losing their cache", url=None)
    return node


@pytest.fixture
def network(settings):
    with slack_api(settings) as mock:
        mock.post("https://slack.com/api/chat.postMessage", json={"ok": True, "channel": "C0PROD", "ts": "1.2"})
        yield mock


def test_a_team_members_answer_after_a_share_is_seen_and_answers_the_share(advocate_client, network):
    asked_at = int(time.time()) - 3600
    channel = ChannelFactory(config={"keywords": ["gitlab"]}, our_accounts=["gitlabhq"])
    FakeAlgolia([story_hit(STORY, asked_at, title="Ask HN: GitLab runners keep losing their cache")], mock=network)
    assert poll(channel).status == "ok"
    ticket = Ticket.objects.get(channel=channel)
    # A team member in the directory who was never asked through an outreach.
    vera = ExpertFactory(name="Vera")
    ExpertIdentityFactory(expert=vera, kind="hackernews", handle="vera_dev")

    response = advocate_client.post(
        reverse("notifications:ticket-share", args=[ticket.pk]),
        {"seen": seen(ticket), "channel": "#product", "note": "Runner cache again"},
    )
    assert response.status_code in (200, 302)
    (watch,) = ThreadWatch.objects.filter(ticket=ticket)
    assert (watch.reason, watch.thread_ref) == (ThreadWatch.Reason.SHARE, str(STORY))
    share = TicketEvent.objects.get(ticket=ticket, data__slack_share="#product")
    shared_at = datetime.fromtimestamp(asked_at + 600, UTC)  # shared ten minutes after the question
    TicketEvent.objects.filter(pk=share.pk).update(created_at=shared_at)

    answered_at = asked_at + 600 + 1800
    answer = "Pin the runner's cache key to the lockfile; a fallback key warms new branches."
    tree = _node(
        STORY,
        asked_at,
        author=ticket.requester_handle,
        children=[
            _node(STORY + 1, answered_at, author="vera_dev", text=f"<p>{answer}</p>", parent=STORY),
            _node(STORY + 2, answered_at + 5, author="bystander", text="<p>Same here</p>", parent=STORY),
        ],
    )
    network.get(ITEMS_URL, json=tree)
    assert threads_watch_due(now=watch.next_check_at)["stored"] == 1

    reply = Message.objects.get(channel=channel, external_id=str(STORY + 1))
    assert reply.ticket_id == ticket.pk and reply.kind == Message.Kind.OUR_REPLY
    assert not Message.objects.filter(external_id=str(STORY + 2)).exists()
    answered = TicketEvent.objects.get(ticket=ticket, data__has_key="share_answered")
    assert answered.data == {
        "share": share.pk,
        "share_answered": "#product",
        "answer_seconds": 1800,
        "external_id": str(STORY + 1),
        "link": reply.permalink,
        "user_id": None,
        "expert_id": vera.pk,
    }
    assert not ThreadWatch.objects.filter(ticket=ticket, reason=ThreadWatch.Reason.SHARE).exists()
    texts = [line.text for line in history_lines(ticket, ticket.events.all())]
    assert "A team member answered on the platform 30 m after the share to #product" in texts

    # The same thread read again stores nothing and answers the share once.
    network.get(ITEMS_URL, json=tree)
    ThreadWatch.objects.create(
        ticket=ticket,
        channel=channel,
        thread_ref=str(STORY),
        reason=ThreadWatch.Reason.AFTER_REPLY,
        watch_until=watch.watch_until,
        next_check_at=watch.next_check_at,
    )
    assert threads_watch_due(now=watch.next_check_at + timedelta(hours=1))["stored"] == 0
    assert TicketEvent.objects.filter(ticket=ticket, data__has_key="share_answered").count() == 1


def test_a_team_answer_before_the_share_does_not_answer_it(advocate_client, network):
    asked_at = int(time.time()) - 3600
    channel = ChannelFactory(config={"keywords": ["gitlab"]}, our_accounts=["gitlabhq"])
    vera = ExpertFactory(name="Vera")
    ExpertIdentityFactory(expert=vera, kind="hackernews", handle="vera_dev")
    FakeAlgolia([story_hit(STORY, asked_at, title="Ask HN: GitLab runners keep losing their cache")], mock=network)
    Channel.objects.filter(pk=channel.pk).update(next_poll_at=None)
    channel_poll(channel_id=channel.pk)
    ticket = Ticket.objects.get(channel=channel)
    advocate_client.post(
        reverse("notifications:ticket-share", args=[ticket.pk]), {"seen": seen(ticket), "channel": "#product"}
    )
    watch = ThreadWatch.objects.get(ticket=ticket, reason=ThreadWatch.Reason.SHARE)
    # Vera had answered an hour before: the share (made now) was not what she answered.
    early = asked_at + 60
    network.get(
        ITEMS_URL,
        json=_node(STORY, asked_at, author="dana", children=[_node(STORY + 1, early, author="vera_dev", parent=STORY)]),
    )
    threads_watch_due(now=watch.next_check_at)

    assert Message.objects.get(external_id=str(STORY + 1)).kind == Message.Kind.OUR_REPLY
    assert not TicketEvent.objects.filter(ticket=ticket, data__has_key="share_answered").exists()
    assert ThreadWatch.objects.filter(ticket=ticket, reason=ThreadWatch.Reason.SHARE).exists()
