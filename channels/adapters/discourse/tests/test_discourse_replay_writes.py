"""The demo forum's answers to what our connected account sends from the desk (DESK_DEMO_REPLAY on): replies,
personal messages, likes, deletions and images go through the desk's services and the real Discourse adapter and
are answered by channels/adapters/discourse/replay_writes.py, which follows docs.discourse.org ("Creates a new
topic, a new post, or a private message", "Like a post", "Delete a single post", "Creates an upload") and the
recorded posts of fixtures/ (posts_latest_real.json; SOURCES.md); refusals are Discourse's own words."""

from datetime import UTC, datetime

import pytest
import requests
import time_machine

from channels.adapters.discourse.replay import TOPIC_BASE, answer
from channels.adapters.discourse.replay_writes import MADE_FROM
from channels.demo.accounts import demo_accounts_ensure
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.replay import demo_posts
from channels.models import Account
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import ingested, poll
from mentions.models import Message, Ticket
from mentions.services.platform_actions import message_like, reply_delete
from mentions.services.replies import SendFailed, ticket_send_reply
from mentions.tests.factories import AdvocateFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "discourse"
ANCHOR = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
OURS = DEMO_CHANNELS[KIND]["our_accounts"][0]


def _desk():
    channel = demo.channel(KIND, ANCHOR)
    poll(channel)
    demo_accounts_ensure()
    ticket = Ticket.objects.filter(channel=channel).order_by("id")[0]
    mention = ticket.messages.filter(kind=Message.Kind.INBOUND).order_by("-id").first()
    return channel, ticket, mention, AdvocateFactory()


@time_machine.travel(ANCHOR, tick=False)
def test_a_reply_is_a_new_post_in_the_topic_the_next_poll_neither_serves_nor_takes_for_a_week_post():
    channel, ticket, mention, advocate = _desk()
    reply = ticket_send_reply(ticket=ticket, user=advocate, body="Thanks for the report: we are looking at it.")
    assert reply.kind == Message.Kind.OUR_REPLY and int(reply.external_id or 0) >= MADE_FROM
    topic = mention.raw["topic_id"]
    assert reply.permalink == f"https://forum.gitlab.com/t/{mention.raw['topic_slug']}/{topic}/5"
    assert ingested(poll(channel)).created == 0  # kept nowhere: the week as before, nothing new and nothing clashing
    assert Message.objects.filter(channel=channel, external_id=reply.external_id).count() == 1

    assert message_like(ticket=ticket, message_id=mention.pk, user=advocate)
    assert reply_delete(ticket=ticket, message_id=reply.pk, user=advocate, confirmed=True)


@time_machine.travel(ANCHOR, tick=False)
def test_a_reply_shorter_than_the_forums_minimum_is_refused_in_discourses_words():
    _, ticket, _, advocate = _desk()
    replies = ticket.messages.filter(kind=Message.Kind.OUR_REPLY).count()
    with pytest.raises(SendFailed, match=r"Body is too short \(minimum is 20 characters\)"):
        ticket_send_reply(ticket=ticket, user=advocate, body="Thanks, looking.")
    assert ticket.messages.filter(kind=Message.Kind.OUR_REPLY).count() == replies


@time_machine.travel(ANCHOR, tick=False)
def test_a_refused_key_marks_the_account_for_reconnecting():
    channel, ticket, _, advocate = _desk()
    account = Account.objects.get(channel=channel, username=OURS)
    account.tokens = {"access_token": "a-revoked-key"}
    account.save()
    with pytest.raises(SendFailed, match="needs reconnecting"):
        ticket_send_reply(ticket=ticket, user=advocate, body="Thanks for the report: we are looking at it.")
    account.refresh_from_db()
    assert account.status == Account.Status.NEEDS_RECONNECT


def _sent(method: str, path: str, key: str, **kwargs) -> requests.PreparedRequest:
    headers = {"User-Api-Key": key, "Accept": "application/json"}
    return requests.Request(method, f"https://forum.gitlab.com{path}", headers=headers, **kwargs).prepare()


def test_any_topic_takes_a_reply_and_uploads_and_unknown_posts_answer_as_discourse_does():
    key = DEMO_CHANNELS[KIND]["account_tokens"]["access_token"]
    posts = demo_posts(KIND, now=ANCHOR)
    body = {"topic_id": TOPIC_BASE + 900, "raw": "A reply in a topic older than the week."}
    status, made = answer(_sent("POST", "/posts.json", key, json=body), posts)
    assert status == 200 and made["topic_id"] == TOPIC_BASE + 900 and made["username"] == OURS and made["yours"]
    assert answer(_sent("POST", "/posts.json", "wrong", json=body), posts) == (
        403,
        {
            "errors": ["You are not permitted to view the requested resource. The API username or key is invalid."],
            "error_type": "invalid_access",
        },
    )
    status, refused = answer(_sent("POST", "/posts.json", key, json={"raw": "A post long enough to be taken."}), posts)
    assert (status, refused) == (422, {"action": "create_post", "errors": ["Title can't be blank"]})
    like = {"id": made["id"], "post_action_type_id": 2}  # our own post: Discourse does not let its author like it
    assert answer(_sent("POST", "/post_actions.json", key, json=like), posts) == (
        403,
        {"errors": ["You are not permitted to view the requested resource."], "error_type": "invalid_access"},
    )
    assert answer(_sent("POST", "/post_actions.json", key, json={"id": 5, "post_action_type_id": 2}), posts)[0] == 404
    assert answer(_sent("DELETE", "/posts/5.json", key), posts)[0] == 404

    text = _sent("POST", "/uploads.json", key, data={"type": "composer"}, files={"file": ("notes.txt", b"hello")})
    status, said = answer(text, posts)
    assert status == 422 and said["errors"][0].startswith("Sorry, the file you are trying to upload is not authorized")
