"""Moving a conversation to a direct message (mentions.services.direct_messages) on each platform that allows it,
against the platform faked with `responses` in its documented shapes: sent (and kept on the ticket as our direct
message, not the first reply), refused in the platform's words (nothing kept), pressed twice (one message).

Shapes, by platform:
- X: docs.x.com, "Send a new message to a user", `POST /2/dm_conversations/with/:participant_id/messages` with
  `{"text"}` answering 201 `{"data": {"dm_conversation_id", "dm_event_id"}}`; a refusal is X's problem object
  `{"title", "detail", "type"}` (as the like and send tests use).
- Mastodon: docs.joinmastodon.org/methods/statuses, "Post a new status" with `visibility=direct`, answering the
  recorded status (channels/adapters/mastodon/tests/fixtures/SOURCES.md: status_reply_posted.json) made direct;
  the instance's limits from its recorded instance_v2_test_server.json; a refusal `{"error"}` (422).
- Bluesky: docs.bsky.app, lexicons chat.bsky.convo.getConvoForMembers (`{"convo": {"id", "rev", "members", ...}}`)
  and chat.bsky.convo.sendMessage (the messageView `{"id", "rev", "text", "sender": {"did"}, "sentAt"}`), both
  through the PDS with `atproto-proxy: did:web:api.bsky.chat#bsky_chat`; an app password without DM access answers
  400 `{"error": "InvalidToken", "message": "Bad token scope"}` (bluesky-social/atproto PR 2509, social-app 4194).
- Discord: discord.com/developers/docs/resources/user, "Create DM" (`POST /users/@me/channels` `{"recipient_id"}`
  answering a DM channel, type 1) and .../resources/message, "Create Message"; error 50007 "Cannot send messages to
  this user" (.../topics/opcodes-and-status-codes, JSON error codes) as a 403.
- Discourse: docs.discourse.org, "Creates a new topic, a new post, or a private message" (`POST /posts.json` with
  `archetype: private_message`, `target_recipients`), answering the post; refusals `{"errors": [...]}` (422).
- Reddit: reddit.com/dev/api#POST_api_compose (`api_type=json`, `to`, `subject`, `text`), answering
  `{"json": {"errors": []}}`; a refusal is an errors triple such as NOT_WHITELISTED_BY_USER_MESSAGE.
"""

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.core.exceptions import ValidationError

from channels.adapters.bluesky.tests.bsky import PDS
from channels.adapters.discord.client import API as DISCORD
from channels.adapters.discourse.tests.test_discourse_adapter import BASE as FORUM
from channels.adapters.discourse.tests.test_discourse_adapter import post as forum_post
from channels.adapters.mastodon.tests.shapes import BASE as MASTODON
from channels.adapters.mastodon.tests.shapes import STATUSES, ago, connected, load, status
from channels.adapters.mastodon.tests.shapes import channel as mastodon_channel
from channels.adapters.reddit.message import COMPOSE_URL
from channels.adapters.twitter import TwitterAdapter
from channels.adapters.twitter.client import API_ROOT
from channels.models import Account
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions.models import Message, ReplySend, Ticket, TicketEvent
from mentions.services.direct_messages import ticket_direct_message
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory
from mentions.tests.test_send_reply import CONFIG, CREDENTIALS, _account
from mentions.tests.test_send_reply_discourse import _ticket as discourse_ticket
from mentions.tests.test_send_reply_reddit import _ticket as reddit_ticket

pytestmark = pytest.mark.django_db

X_AUTHOR = "1500000000000000001"
X_DM = f"{API_ROOT}/dm_conversations/with/{X_AUTHOR}/messages"
CONVO = f"{PDS}/xrpc/chat.bsky.convo.getConvoForMembers"
SEND = f"{PDS}/xrpc/chat.bsky.convo.sendMessage"


@dataclass
class Case:
    ticket: Ticket
    mention: Message
    url: str  # where the message is sent: counted to check it is sent once
    sent: Any  # registers the platform's answer to a sent message
    refused: Any  # registers its refusal
    words: str  # what the refusal says


def _x():
    tweet = {
        "id": "1860000000000000001",
        "text": "@GitLab my account is locked, can you help?",
        "author_id": X_AUTHOR,
        "created_at": "2026-11-20T10:00:00.000Z",
        "conversation_id": "1860000000000000001",
        "edit_history_tweet_ids": ["1860000000000000001"],
    }
    channel = ChannelFactory(kind="twitter", name="X", slug="x", config=CONFIG, our_accounts=[])
    channel.credentials = CREDENTIALS
    channel.save()
    _account(channel, "GitLab", "tok-main")
    payload = {"data": [tweet], "includes": {"users": [{"id": X_AUTHOR, "username": "dana_dev", "name": "Dana"}]}}
    mentions_ingest(channel=channel, mentions=TwitterAdapter().parse_payload(payload))
    ticket = Ticket.objects.get(channel=channel)
    return Case(
        ticket,
        ticket.messages.get(kind=Message.Kind.INBOUND),
        X_DM,
        lambda: responses.post(X_DM, status=201, json={"data": {"dm_conversation_id": "1-2", "dm_event_id": "77"}}),
        lambda: responses.post(
            X_DM, status=403, json={"title": "Forbidden", "detail": "You cannot send messages to this user."}
        ),
        "X refused the direct message (403): You cannot send messages to this user.",
    )


def _mastodon():
    made = mastodon_channel()
    connected(made)
    ticket = TicketFactory(channel=made)
    raw = status("9001", at=ago(10))
    mention = MessageFactory(
        ticket=ticket, channel=made, external_id="9001", author_handle="alice@other.example", raw=raw
    )
    instance = load("instance_v2_test_server.json")
    responses.get(f"{MASTODON}/api/v2/instance", json=instance)
    answer = load("status_reply_posted.json") | {"visibility": "direct", "in_reply_to_id": None}
    return Case(
        ticket,
        mention,
        STATUSES,
        lambda: responses.post(STATUSES, json=answer),
        lambda: responses.post(STATUSES, status=422, json={"error": "Validation failed: Text can't be blank"}),
        "Mastodon refused: Validation failed",
    )


def _bluesky():
    import time

    from channels.adapters.bluesky.tests.bsky import HANDLE, post
    from channels.adapters.bluesky.tests.test_bluesky_reply import desk

    ticket, _account = desk(post("3q", time.time() - 600, text=f"@{HANDLE} my account is locked"))
    mention = ticket.messages.get(kind=Message.Kind.INBOUND)

    def sent():
        responses.get(CONVO, json={"convo": {"id": "convo-1", "rev": "1", "members": [], "muted": False}})
        responses.post(SEND, json={"id": "msg-1", "rev": "2", "text": "hi", "sender": {"did": "d"}, "sentAt": NOW})

    return Case(
        ticket,
        mention,
        SEND,
        sent,
        lambda: responses.get(CONVO, status=400, json={"error": "InvalidToken", "message": "Bad token scope"}),
        "the channel's app password does not allow direct messages",
    )


def _discord():
    from channels.adapters.discord.tests.test_discord_adapter import TEXT, channel, message

    made = channel()
    Account.objects.create(channel=made, username="DeskBot", status=Account.Status.CONNECTED)
    ticket = TicketFactory(channel=made)
    raw = message("1019000000000000501", TEXT, "my account is locked")
    mention = MessageFactory(ticket=ticket, channel=made, external_id=raw["id"], author_handle="alice", raw=raw)
    dm_url = f"{DISCORD}/channels/1100000000000000001/messages"

    def opened():
        responses.post(f"{DISCORD}/users/@me/channels", json={"id": "1100000000000000001", "type": 1})

    def sent():
        opened()
        responses.post(dm_url, json=raw | {"id": "1100000000000000002", "channel_id": "1100000000000000001"})

    def refused():  # the DM channel opens; the message is what Discord refuses
        opened()
        responses.post(dm_url, status=403, json={"message": "Cannot send messages to this user", "code": 50007})

    return Case(ticket, mention, dm_url, sent, refused, "takes no direct messages from the bot")


def _discourse():
    ticket, _account = discourse_ticket()
    made = forum_post(160, topic=8, number=1, username="gitlab-team") | {"topic_slug": "about-your-post"}
    return Case(
        ticket,
        ticket.messages.get(kind=Message.Kind.INBOUND),
        f"{FORUM}/posts.json",
        lambda: responses.post(f"{FORUM}/posts.json", json=made),
        lambda: responses.post(
            f"{FORUM}/posts.json", status=422, json={"errors": ["Sorry, you cannot send a message to that user."]}
        ),
        "Discourse refused to send the personal message to someone (422): Sorry, you cannot send a message",
    )


def _reddit():
    ticket, _account = reddit_ticket()
    return Case(
        ticket,
        ticket.messages.get(kind=Message.Kind.INBOUND),
        COMPOSE_URL,
        lambda: responses.post(COMPOSE_URL, json={"json": {"errors": []}}),
        lambda: responses.post(
            COMPOSE_URL,
            json={"json": {"errors": [["NOT_WHITELISTED_BY_USER_MESSAGE", "You are not allowed", "to"]]}},
        ),
        "they take private messages only from people they chose",
    )


NOW = "2026-11-27T10:00:00.000Z"
CASES = {"x": _x, "mastodon": _mastodon, "bluesky": _bluesky, "discord": _discord, "discourse": _discourse}
CASES["reddit"] = _reddit


def _calls(url):
    return [c for c in responses.calls if (c.request.url or "").split("?")[0] == url]


@pytest.mark.parametrize("platform", list(CASES))
@responses.activate
def test_a_direct_message_is_sent_once_kept_on_the_ticket_and_not_the_first_reply(platform):
    case = CASES[platform]()
    case.sent()
    advocate = AdvocateFactory()
    text = "Could you send us the account's e-mail here? We'll unlock it."

    first = ticket_direct_message(ticket=case.ticket, message_id=case.mention.pk, user=advocate, text=text, key="k1")
    again = ticket_direct_message(ticket=case.ticket, message_id=case.mention.pk, user=advocate, text=text, key="k1")

    assert again.pk == first.pk and len(_calls(case.url)) == 1  # the second press answers with the first message
    assert first.kind == Message.Kind.DIRECT and first.body == text and first.author_user == advocate
    assert first.mentioned == [case.mention.author_handle]
    case.ticket.refresh_from_db()
    assert case.ticket.first_reply_at is None  # the public answer is still to come
    (event,) = TicketEvent.objects.filter(ticket=case.ticket, kind=TicketEvent.Kind.DIRECT_MESSAGE)
    assert event.actor == advocate and event.data["message"] == first.pk and event.data["to"]
    assert ReplySend.objects.get(key="k1").status == ReplySend.Status.SENT


@pytest.mark.parametrize("platform", list(CASES))
@responses.activate
def test_a_refused_direct_message_says_the_platforms_words_and_keeps_nothing(platform):
    case = CASES[platform]()
    case.refused()

    with pytest.raises(ValidationError) as refused:
        ticket_direct_message(
            ticket=case.ticket, message_id=case.mention.pk, user=AdvocateFactory(), text="Hello there", key="k2"
        )

    assert case.words in " ".join(refused.value.messages)
    assert not Message.objects.filter(kind=Message.Kind.DIRECT).exists()
    assert not TicketEvent.objects.filter(kind=TicketEvent.Kind.DIRECT_MESSAGE).exists()
    assert ReplySend.objects.get(key="k2").status == ReplySend.Status.REFUSED


@responses.activate
def test_each_platform_is_sent_what_its_docs_say():
    x, mastodon, bluesky = _x(), _mastodon(), _bluesky()
    for case in (x, mastodon, bluesky):
        case.sent()
    user = AdvocateFactory()
    for case in (x, mastodon, bluesky):
        ticket_direct_message(ticket=case.ticket, message_id=case.mention.pk, user=user, text="Hi!", key=case.url)

    (x_call,) = _calls(X_DM)
    assert json.loads(x_call.request.body) == {"text": "Hi!"}
    (toot,) = _calls(STATUSES)
    assert parse_qs(toot.request.body) == {"status": ["@alice@other.example Hi!"], "visibility": ["direct"]}
    (convo,) = _calls(CONVO)
    (sent,) = _calls(SEND)
    did = bluesky.mention.raw["author"]["did"]
    assert parse_qs(urlsplit(convo.request.url).query) == {"members": [did]}
    for call in (convo, sent):
        assert call.request.headers["atproto-proxy"] == "did:web:api.bsky.chat#bsky_chat"
    assert json.loads(sent.request.body) == {"convoId": "convo-1", "message": {"text": "Hi!"}}


@responses.activate
def test_a_refused_message_may_be_pressed_again_and_an_uncertain_one_never_is():
    case = _x()
    case.refused()
    user = AdvocateFactory()
    with pytest.raises(ValidationError):
        ticket_direct_message(ticket=case.ticket, message_id=case.mention.pk, user=user, text="Hello", key="k3")
    responses.reset()
    case.sent()
    sent = ticket_direct_message(ticket=case.ticket, message_id=case.mention.pk, user=user, text="Hello", key="k3")
    assert sent.kind == Message.Kind.DIRECT

    ReplySend.objects.filter(key="k3").update(status=ReplySend.Status.UNKNOWN, error="Check X first.")
    with pytest.raises(ValidationError, match="Check X first"):
        ticket_direct_message(ticket=case.ticket, message_id=case.mention.pk, user=user, text="Hello", key="k3")


def test_a_platform_without_direct_messages_and_a_message_too_long_are_refused_before_asking():
    hn = TicketFactory(channel__kind="hackernews")
    mention = MessageFactory(ticket=hn, channel=hn.channel, external_id="4101")
    with pytest.raises(ValidationError, match="cannot send a direct message on Hacker News"):
        ticket_direct_message(ticket=hn, message_id=mention.pk, user=AdvocateFactory(), text="Hi")

    made = mastodon_channel()
    _account(made, "gitlab", "tok")
    ticket = TicketFactory(channel=made)
    mention = MessageFactory(ticket=ticket, channel=made, external_id="9001", author_handle="alice")
    with pytest.raises(ValidationError, match="501 characters; 500 at most"):
        ticket_direct_message(ticket=ticket, message_id=mention.pk, user=AdvocateFactory(), text="a" * 501)
    assert not ReplySend.objects.exists()
