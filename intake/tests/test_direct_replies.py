"""DMs both ways (issue 60; intake.services.direct_replies and each adapter's `direct_replies`): a DM sent from a
ticket on X, Mastodon, Bluesky, Discord and Reddit, then the person's answer read in the channel's poll, at the HTTP
boundary with `responses`: on the same ticket as a private message, once; our own message in the conversation not
stored again; the ticket waiting on us again.

The sends are mentions/tests/test_direct_messages.py's cases. The reads' shapes, by platform:
- X: the recorded `GET /2/dm_conversations/:id/dm_events` answer of sns-sdks/python-twitter
  (testdata/apis/dm_events/events_by_conversation.json: `{"data": [{"id", "text", "event_type": "MessageCreate",
  "dm_conversation_id", "created_at", "sender_id"}]}`), its ids set to the conversation sent to here; docs.x.com,
  "Get DM events for a DM conversation" (newest first, `meta.next_token`).
- Mastodon: docs.joinmastodon.org/methods/statuses, "Get parent and child statuses in context" (`{"ancestors",
  "descendants"}`), its statuses the recorded tag_timeline_hoot.json's (channels/adapters/mastodon/tests/fixtures).
- Bluesky: the lexicon chat.bsky.convo.getMessages of bluesky-social/atproto (lexicons/chat/bsky/convo/getMessages.json
  and defs.json: `{"cursor", "messages": [{"$type": "chat.bsky.convo.defs#messageView", "id", "rev", "text",
  "sender": {"did"}, "sentAt"}]}`, newest first), through the PDS with `atproto-proxy`.
- Discord: discord.com/developers/docs/resources/message, "Get Channel Messages" (`?after=`, an array of message
  objects), the messages the recorded shape of channels/adapters/discord/tests (`message`).
- Reddit: reddit.com/dev/api#GET_message_{where} (`/message/messages`, a Listing of `t4` things, a conversation's
  later messages in its first one's `replies`); a t4's fields as the public reddit4j test data names them
  (`name`, `author`, `dest`, `subject`, `body`, `created_utc`, `first_message_name`, `was_comment`).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.utils import timezone

from channels.adapters import get_adapter
from channels.adapters.bluesky.tests.bsky import PDS
from channels.adapters.discord.client import API as DISCORD
from channels.adapters.mastodon import MastodonAdapter
from channels.adapters.mastodon.tests.shapes import BASE as MASTODON
from channels.adapters.mastodon.tests.shapes import status
from channels.adapters.reddit.message_read import MESSAGES_URL
from channels.adapters.twitter.client import API_ROOT
from channels.models import DeadLetter
from intake.pipeline import mentions_ingest
from intake.services.direct_replies import CURSOR_KEY, direct_replies_read
from mentions.models import Message, Ticket
from mentions.services.direct_messages import ticket_direct_message
from mentions.tests.factories import AdvocateFactory
from mentions.tests.test_direct_messages import X_AUTHOR, _bluesky, _discord, _mastodon, _reddit, _x

pytestmark = pytest.mark.django_db

ANSWER = "It's dana@example.com, thanks for moving this out of the thread."


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _x_read(case, dm):
    url = f"{API_ROOT}/dm_conversations/1-2/dm_events"
    events = [
        {"id": "1860000000000000900", "text": ANSWER, "event_type": "MessageCreate", "dm_conversation_id": "1-2",
         "created_at": _iso(timezone.now()), "sender_id": X_AUTHOR},
        {"id": dm.external_id, "text": dm.body, "event_type": "MessageCreate", "dm_conversation_id": "1-2",
         "created_at": _iso(dm.platform_created_at), "sender_id": "1"},
    ]  # fmt: skip
    responses.get(url, json={"data": events, "meta": {"result_count": 2}})
    return url, "1860000000000000900"


def _mastodon_answer(dm):
    return status(
        "117020583258299999",
        at=_iso(timezone.now()),
        acct="alice@other.example",
        html=f"<p>{ANSWER}</p>",
        visibility="direct",
        reply_to=dm.external_id,
    )


def _mastodon_read(case, dm):
    url = f"{MASTODON}/api/v1/statuses/{dm.external_id}/context"
    responses.get(url, json={"ancestors": [case.mention.raw], "descendants": [_mastodon_answer(dm)]})
    return url, "117020583258299999"


def _bluesky_read(case, dm):
    url = f"{PDS}/xrpc/chat.bsky.convo.getMessages"
    did = case.mention.raw["author"]["did"]
    view = "chat.bsky.convo.defs#messageView"
    theirs = {"id": "msg-2", "rev": "3", "text": ANSWER, "sender": {"did": did}, "sentAt": _iso(timezone.now())}
    ours = {"id": "msg-1", "rev": "2", "text": dm.body, "sender": {"did": "d"}, "sentAt": _iso(dm.platform_created_at)}
    messages = [{"$type": view, **theirs}, {"$type": view, **ours}]
    responses.get(url, json={"messages": messages})
    return url, "chat:convo-1:msg-2"


def _discord_read(case, dm):
    url = f"{DISCORD}/channels/1100000000000000001/messages"
    theirs = case.mention.raw | {
        "id": "1100000000000000003",
        "channel_id": "1100000000000000001",
        "content": ANSWER,
        "timestamp": _iso(timezone.now()),
    }
    ours = dm.raw | {"author": {"id": "1000", "username": "DeskBot", "bot": True}}
    responses.get(url, json=[theirs, ours])
    return url, "1100000000000000003"


def _reddit_read(case, dm):
    sent = dm.raw
    # fmt: off
    root = {"name": "t4_2abcd", "id": "2abcd", "author": "gitlab_team", "dest": sent["to"], "subject": sent["subject"],
            "body": dm.body, "created_utc": time.time() - 30, "first_message_name": None, "was_comment": False}
    answer = {"name": "t4_2abce", "id": "2abce", "author": sent["to"], "dest": "gitlab_team",
              "subject": f"re: {sent['subject']}", "body": ANSWER, "created_utc": time.time(),
              "first_message_name": "t4_2abcd", "parent_id": "t4_2abcd", "was_comment": False}
    # fmt: on
    root["replies"] = {"kind": "Listing", "data": {"children": [{"kind": "t4", "data": answer}]}}
    responses.get(MESSAGES_URL, json={"kind": "Listing", "data": {"children": [{"kind": "t4", "data": root}]}})
    return MESSAGES_URL, "t4_2abce"


PLATFORMS = {
    "x": (_x, _x_read),
    "mastodon": (_mastodon, _mastodon_read),
    "bluesky": (_bluesky, _bluesky_read),
    "discord": (_discord, _discord_read),
    "reddit": (_reddit, _reddit_read),
}


def _sent(platform):
    made, read = PLATFORMS[platform]
    case = made()
    case.sent()
    dm = ticket_direct_message(
        ticket=case.ticket, message_id=case.mention.pk, user=AdvocateFactory(), text="Which e-mail is it?", key=platform
    )
    Ticket.objects.filter(pk=case.ticket.pk).update(status=Ticket.Status.PENDING)  # the public answer was sent too
    # Sent a minute ago (a recorded send's own time, Mastodon's, is years old: past the watch).
    Message.objects.filter(pk=dm.pk).update(platform_created_at=timezone.now() - timedelta(minutes=1))
    dm.refresh_from_db()
    return case, dm, read


@pytest.mark.parametrize("platform", list(PLATFORMS))
@responses.activate
def test_a_dm_answer_comes_back_to_the_same_ticket_as_private_once(platform):
    case, dm, read = _sent(platform)
    url, answer_id = read(case, dm)
    channel = case.ticket.channel

    first = direct_replies_read(channel=channel, adapter=get_adapter(channel.kind))
    again = direct_replies_read(channel=channel, adapter=get_adapter(channel.kind))

    (private,) = Message.objects.filter(kind=Message.Kind.PRIVATE)
    assert private.ticket_id == case.ticket.pk and private.external_id == answer_id and ANSWER in private.body
    assert first.created == 1 and again.created == 0  # the second poll stores nothing
    # Our own DM, met again in the conversation, is still the one message it was.
    assert list(Message.objects.filter(kind=Message.Kind.DIRECT).values_list("pk", flat=True)) == [dm.pk]
    assert not Message.objects.filter(kind=Message.Kind.INBOUND).exclude(pk=case.mention.pk).exists()
    case.ticket.refresh_from_db()
    assert case.ticket.status == Ticket.Status.OPEN  # waiting on us again, as after a follow-up
    reads = [c for c in responses.calls if c.request.method == "GET" and (c.request.url or "").split("?")[0] == url]
    assert len(reads) == 2
    dm.refresh_from_db()
    assert dm.raw[CURSOR_KEY]["read_at"]  # the conversation's cursor, kept on our DM


@responses.activate
def test_each_read_asks_what_its_platform_documents():
    x, x_dm, x_read = _sent("x")
    x_read(x, x_dm)
    bluesky, bluesky_dm, bluesky_read = _sent("bluesky")
    bluesky_read(bluesky, bluesky_dm)
    discord, discord_dm, discord_read = _sent("discord")
    discord_read(discord, discord_dm)
    for case in (x, bluesky, discord):
        direct_replies_read(channel=case.ticket.channel, adapter=get_adapter(case.ticket.channel.kind))

    def asked(path):
        (call,) = [c for c in responses.calls if path in (c.request.url or "") and c.request.method == "GET"]
        return call.request, parse_qs(urlsplit(str(call.request.url)).query)

    request, query = asked("/dm_events")
    assert request.headers["Authorization"] == "Bearer tok-main" and "sender_id" in query["dm_event.fields"][0]
    request, query = asked("chat.bsky.convo.getMessages")
    assert request.headers["atproto-proxy"] == "did:web:api.bsky.chat#bsky_chat" and query["convoId"] == ["convo-1"]
    request, query = asked("/channels/1100000000000000001/messages")
    assert query["after"] == [discord_dm.external_id]  # after our own DM: nothing older is read


@responses.activate
def test_watching_stops_after_the_watch_days_and_once_the_ticket_is_solved_for_long(settings):
    settings.DESK_DM_WATCH_DAYS, settings.DESK_DM_SOLVED_DAYS = 14, 3
    case, dm, read = _sent("discord")
    read(case, dm)
    channel = case.ticket.channel
    Message.objects.filter(pk=dm.pk).update(platform_created_at=timezone.now() - timedelta(days=15))
    assert direct_replies_read(channel=channel, adapter=get_adapter(channel.kind)).created == 0

    Message.objects.filter(pk=dm.pk).update(platform_created_at=timezone.now() - timedelta(days=1))
    solved = {"status": Ticket.Status.SOLVED, "solved_at": timezone.now() - timedelta(days=4)}
    Ticket.objects.filter(pk=case.ticket.pk).update(**solved)
    assert direct_replies_read(channel=channel, adapter=get_adapter(channel.kind)).created == 0
    assert not [c for c in responses.calls if c.request.method == "GET"]  # neither conversation was asked for

    Ticket.objects.filter(pk=case.ticket.pk).update(solved_at=timezone.now() - timedelta(hours=2))
    assert direct_replies_read(channel=channel, adapter=get_adapter(channel.kind)).created == 1
    case.ticket.refresh_from_db()
    assert case.ticket.status == Ticket.Status.OPEN  # a solved ticket the person answers is reopened


@responses.activate
def test_a_failing_read_keeps_the_cursor_and_stores_nothing():
    case, dm, _read = _sent("x")
    responses.get(
        f"{API_ROOT}/dm_conversations/1-2/dm_events",
        status=403,
        json={"title": "Forbidden", "detail": "dm.read is missing"},
    )
    channel = case.ticket.channel

    assert direct_replies_read(channel=channel, adapter=get_adapter(channel.kind)).created == 0
    dm.refresh_from_db()
    assert CURSOR_KEY not in dm.raw and not Message.objects.filter(kind=Message.Kind.PRIVATE).exists()


@responses.activate
def test_a_mastodon_answer_met_first_in_the_mention_notifications_is_private_too_and_stored_once():
    case, dm, read = _sent("mastodon")
    read(case, dm)
    channel = case.ticket.channel
    answer = _mastodon_answer(dm)
    notification = {"id": "900", "type": "mention", "created_at": answer["created_at"], "account": answer["account"]}
    polled = MastodonAdapter().parse_payload([notification | {"status": answer}])
    assert [m.private for m in polled] == [True]  # a direct status: seen only by those it mentions

    mentions_ingest(channel=channel, mentions=polled)
    assert direct_replies_read(channel=channel, adapter=get_adapter(channel.kind)).created == 0

    (private,) = Message.objects.filter(kind=Message.Kind.PRIVATE)
    assert private.ticket_id == case.ticket.pk and private.external_id == "117020583258299999"


@responses.activate
def test_an_answer_that_cannot_be_read_is_quarantined_and_the_others_stored():
    case, _dm, _read = _sent("discord")
    url = f"{DISCORD}/channels/1100000000000000001/messages"
    good = case.mention.raw | {"id": "1100000000000000004", "content": ANSWER, "timestamp": _iso(timezone.now())}
    bad = case.mention.raw | {"id": "1100000000000000003", "content": "unreadable", "timestamp": "yesterday"}
    responses.get(url, json=[good, bad])
    channel = case.ticket.channel

    assert direct_replies_read(channel=channel, adapter=get_adapter(channel.kind)).created == 1

    (letter,) = DeadLetter.objects.filter(channel=channel)
    assert letter.external_id == "1100000000000000003"
    assert Message.objects.get(kind=Message.Kind.PRIVATE).external_id == "1100000000000000004"
