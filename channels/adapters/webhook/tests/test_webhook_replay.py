"""The demo's webhook sender: the demo week's webhook posts rendered as signed requests and delivered through the
receiving service the /hooks/<slug>/ view calls. The requests' shape comes from channels/adapters/webhook/replay.py,
which follows the documented body and signature (docs/platforms/webhook.md; fixtures/documented_body.json and
documented_reply.json)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from channels.adapters.webhook import mention_from_json
from channels.adapters.webhook.replay import SIGNATURE_HEADER, TIMESTAMP_HEADER, demo_deliveries
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay import DemoPosts, demo_posts
from channels.demo.week import THREADS, thread_start
from channels.models import Channel
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import stored
from intake.services.demo_webhooks import demo_webhooks_deliver
from intake.services.webhooks import WebhookRejected, signature_for, webhook_receive
from mentions.models import Message, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "webhook"
ANCHOR = datetime(2025, 3, 10, 18, 0, tzinfo=UTC)  # the day the demo was seeded: its week ends then
SPEC = DEMO_CHANNELS[KIND]
WEEK = [(index, thread) for index, thread in enumerate(THREADS) if thread.kind == KIND]


def ticket_of(channel: Channel, index: int) -> Ticket:
    return demo.ticket_of(channel, external_id=f"demo-webhook-{index}")


def test_the_week_is_delivered_into_one_ticket_per_thread():
    with time_machine.travel(ANCHOR, tick=False):
        channel = demo.channel(KIND, ANCHOR)
        statuses = demo_webhooks_deliver(channel)

    assert statuses == [201] * 4  # three status updates of one incident, one of today's
    assert len(demo.assert_week_stored(channel, ANCHOR)) == len(WEEK) == 2
    for index, thread in WEEK:
        ticket = ticket_of(channel, index)
        posts = demo.ticket_posts(ticket)
        assert posts == demo.thread_posts(index, ANCHOR)
        assert {post.kind for post in posts} == {Message.Kind.INBOUND}  # the status page is not our account
        assert ticket.subject == thread.title
        assert ticket.messages.earliest("platform_created_at").permalink.startswith("https://status.gitlab.com/")


def test_delivering_the_week_again_stores_nothing_twice():
    with time_machine.travel(ANCHOR, tick=False):
        channel = demo.channel(KIND, ANCHOR)
        demo_webhooks_deliver(channel)
        before = stored(channel)
        again = demo_webhooks_deliver(channel)

    assert again == [200] * 4  # the view's "already had it"
    assert stored(channel) == before and len(before) == 4
    assert Ticket.objects.filter(channel=channel).count() == 2


def test_a_post_of_today_is_delivered_once_its_time_has_come():
    today_index, today = WEEK[1]
    assert today.days_ago == 0
    with time_machine.travel(thread_start(today, ANCHOR) - timedelta(hours=1), tick=False):
        channel = demo.channel(KIND, ANCHOR)
        early = demo_webhooks_deliver(channel)
    assert early == [201] * 3
    assert f"demo-webhook-{today_index}" not in stored(channel)

    with time_machine.travel(ANCHOR, tick=False):
        later = demo_webhooks_deliver(channel)
    assert later == [200, 200, 200, 201]
    assert ticket_of(channel, today_index).messages.get().body == today.text


def test_a_post_by_our_account_is_stored_as_our_reply():
    with time_machine.travel(ANCHOR, tick=False):
        channel = demo.channel(KIND, ANCHOR)
        week = demo_posts(KIND, now=ANCHOR)
        opening = week.threads()[0][0]
        ours = replace(
            opening,
            external_id=f"{opening.external_id}-ours",
            created_at=opening.created_at + timedelta(minutes=5),
            text="We are on it: follow status.gitlab.com for updates.",
            author_handle=week.our_account,
            author_name="GitLab support",
            title="",
            parent_id=opening.external_id,
        )
        posts = DemoPosts(kind=KIND, now=ANCHOR, our_account=week.our_account, mentions=(opening, ours))
        assert demo_webhooks_deliver(channel, posts) == [201, 201]

    reply = Message.objects.get(channel=channel, external_id=ours.external_id)
    assert reply.kind == Message.Kind.OUR_REPLY and reply.author_handle == "desk"
    assert reply.ticket == ticket_of(channel, WEEK[0][0])


def test_each_request_is_the_documented_shape_signed_with_the_channels_secret():
    with time_machine.travel(ANCHOR, tick=False):
        channel = demo.channel(KIND, ANCHOR)
        deliveries = demo_deliveries(channel, demo_posts(KIND, now=ANCHOR))
    documented = {"id", "url", "author", "text", "created_at", "parent_id", "title"}
    index = WEEK[0][0]
    for headers, body in deliveries:
        data = json.loads(body)
        assert set(data) <= documented and mention_from_json(data).external_id == data["id"]
        assert headers[TIMESTAMP_HEADER] == str(int(ANCHOR.timestamp()))
        secret = SPEC["credentials"]["secret"]
        assert headers[SIGNATURE_HEADER] == signature_for(secret, headers[TIMESTAMP_HEADER], body)
    first, update = (json.loads(body) for _headers, body in deliveries[:2])
    assert first["title"] == WEEK[0][1].title and "parent_id" not in first
    assert update["parent_id"] == first["id"] == f"demo-webhook-{index}" and "title" not in update
    assert first["created_at"] == thread_start(WEEK[0][1], ANCHOR).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert first["author"] == {"name": "statuspage", "handle": "statuspage"}


def test_a_rendered_request_is_accepted_by_the_view_too(client):
    with time_machine.travel(ANCHOR, tick=False):
        channel = demo.channel(KIND, ANCHOR)
        headers, body = demo_deliveries(channel, demo_posts(KIND, now=ANCHOR))[0]
        response = client.post(
            reverse("webhook", args=[channel.slug]),
            data=body,
            content_type=headers["Content-Type"],
            headers={TIMESTAMP_HEADER: headers[TIMESTAMP_HEADER], SIGNATURE_HEADER: headers[SIGNATURE_HEADER]},
        )
    assert response.status_code == 201, response.content
    assert stored(channel) == [f"demo-webhook-{WEEK[0][0]}"]


def test_a_request_signed_with_another_secret_is_refused_and_nothing_stored():
    with time_machine.travel(ANCHOR, tick=False):
        channel = demo.channel(KIND, ANCHOR)
        channel.credentials = {"secret": "another-secret"}
        channel.save()
        posts = demo_posts(KIND, now=ANCHOR)
        deliveries = demo_deliveries(channel, posts)
        channel.credentials = SPEC["credentials"]  # the sender signed with a secret the desk no longer has
        channel.save()
        for headers, body in deliveries:
            with pytest.raises(WebhookRejected, match="bad signature"):
                webhook_receive(
                    channel=channel,
                    body=body,
                    timestamp=headers[TIMESTAMP_HEADER],
                    signature=headers[SIGNATURE_HEADER],
                )
    assert stored(channel) == []
