"""Writing on Bluesky from the desk (a reply, a like, a repost, a deletion) at the HTTP boundary (`responses`).

Shapes: the post answered is a recorded post view (tests/bsky.py); createRecord's input and its `{uri, cid,
commit, validationStatus}` answer, deleteRecord's and resolveHandle's as Bluesky's HTTP reference gives them
(docs.bsky.app/docs/api/com-atproto-repo-create-record, -delete-record, com-atproto-identity-resolve-handle: none
recorded, fixtures/SOURCES.md); the expired-token body as recorded (fixtures/recorded_errors.json).
"""

import json
import time

import pytest
import responses
from django.core.exceptions import ValidationError

from channels.accounts.flows import flow_channel_key
from channels.accounts.tokens import accounts_from_handles
from channels.adapters import ReplyError, ReplyTarget
from channels.adapters.bluesky import BlueskyAdapter
from channels.adapters.bluesky.platform import PLATFORM
from channels.adapters.bluesky.reply import RecordRef
from channels.adapters.bluesky.tests.bsky import (
    ALICE,
    BOB,
    CREATE_RECORD,
    DELETE_RECORD,
    DID,
    HANDLE,
    NOTIFICATIONS,
    REFRESH_SESSION,
    RESOLVE,
    bluesky_channel,
    calls_to,
    jwt,
    load,
    mock_sign_in,
    notification,
    post,
    ratelimit,
    ref,
    session_body,
)
from channels.http import build_session
from channels.tests.harness import ingested, poll
from mentions.models import Message, Ticket
from mentions.services.replies import SendFailed, ticket_send_reply
from mentions.tests.factories import AdvocateFactory

pytestmark = pytest.mark.django_db
adapter = BlueskyAdapter()
COMMIT = {"cid": "bafyreihcommitcid", "rev": "3mmk6aaaaaa2a"}


def created(collection="app.bsky.feed.post", rkey="3mmk6reply2a"):
    uri = f"at://{DID}/{collection}/{rkey}"
    return {"uri": uri, "cid": f"bafyrei{rkey}", "commit": COMMIT, "validationStatus": "valid"}


def target_of(message):
    return ReplyTarget(external_id=message.external_id or "", raw=message.raw)


def sent(call):
    return json.loads(call.request.body)


def desk(*views):
    """A channel polled once over `views` (its notifications), and its account connected with the app password."""
    channel = bluesky_channel(our_accounts=[HANDLE])
    mock_sign_in()
    responses.get(NOTIFICATIONS, json={"notifications": [notification(v) for v in views]}, headers=ratelimit())
    ingested(poll(channel))
    (account,) = accounts_from_handles(channel=channel)
    mock_sign_in()
    flow_channel_key(account=account, user=AdvocateFactory())
    account.refresh_from_db()
    responses.calls.reset()
    return Ticket.objects.get(channel=channel), account


@responses.activate
def test_a_reply_names_its_root_and_parent_marks_links_and_mentions_and_counts_once():
    now = time.time()
    question = post("3q", now - 600, text=f"@{HANDLE} the runner is stuck")
    follow_up = post("3f", now - 300, text="still stuck after a restart", parent=ref(question))
    ticket, account = desk(question, follow_up)
    responses.get(RESOLVE, json={"did": "did:plc:alicealicealicealice0000"})
    responses.post(CREATE_RECORD, json=created(), headers=ratelimit(4990))
    text = f"@{ALICE} café ☕ fixed: see https://docs.gitlab.com/runner/ (restart it)."

    reply = ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body=text, key="k1")

    (call,) = calls_to(CREATE_RECORD)
    assert call.request.headers["Authorization"] == f"Bearer {account.tokens['access_token']}"
    body = sent(call)
    assert body["repo"] == DID and body["collection"] == "app.bsky.feed.post"
    record = body["record"]
    assert record["$type"] == "app.bsky.feed.post" and record["text"] == text and record["createdAt"].endswith("Z")
    # The requester's latest message is the parent; the thread's first post is the root.
    assert record["reply"] == {"root": ref(question), "parent": ref(follow_up)}
    mention, link = record["facets"]
    assert mention == {
        "index": {"byteStart": 0, "byteEnd": 1 + len(ALICE)},
        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:alicealicealicealice0000"}],
    }
    start = len(text[: text.index("https")].encode())  # "é" and "☕" are 2 and 3 bytes: byte offsets, not characters
    assert link["index"] == {"byteStart": start, "byteEnd": start + len("https://docs.gitlab.com/runner/")}
    assert link["features"] == [{"$type": "app.bsky.richtext.facet#link", "uri": "https://docs.gitlab.com/runner/"}]
    assert reply.external_id == created()["uri"] and reply.kind == Message.Kind.OUR_REPLY
    assert reply.permalink == f"https://bsky.app/profile/{HANDLE}/post/3mmk6reply2a"

    ours = post(
        "3mmk6reply2a", time.time(), text=text, handle=HANDLE, did=DID, parent=ref(follow_up), root=ref(question)
    )
    responses.get(NOTIFICATIONS, json={"notifications": [notification(ours, "reply")]}, headers=ratelimit())
    assert ingested(poll(ticket.channel)).created == 0  # the next poll sees our reply as the one already stored


@responses.activate
def test_a_reply_over_300_graphemes_is_refused_in_words_and_nothing_is_posted():
    ticket, _account = desk(post("3q", time.time() - 60, text=f"@{HANDLE} help"))

    with pytest.raises(ValidationError, match="300"):
        ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body="x" * 301, key="k1")
    assert calls_to(CREATE_RECORD) == []


@responses.activate
def test_graphemes_are_counted_as_bluesky_counts_them():
    ticket, account = desk(post("3q", time.time() - 60, text=f"@{HANDLE} help"))
    message = Message.objects.get(ticket=ticket)
    target = target_of(message)
    flag, family = "🇫🇷", "👨‍👩‍👧‍👧"  # two and seven code points, one grapheme each; 8 and 25 bytes
    responses.post(CREATE_RECORD, json=created())

    def reply(text):
        adapter.post_reply(channel=ticket.channel, account=account, session=build_session(), target=target, text=text)

    reply(flag * 300)  # 600 code points, 300 graphemes: Bluesky takes it
    with pytest.raises(ReplyError, match="301 characters as Bluesky counts them"):
        reply(flag * 301)
    with pytest.raises(ReplyError, match="3025 bytes of text; Bluesky takes 3000"):
        reply(family * 121)  # 121 graphemes, but over the lexicon's 3,000 bytes

    assert len(calls_to(CREATE_RECORD)) == 1
    rule = PLATFORM.reply_rule  # what the composer and the drafts count with
    assert rule.length(family * 2 + "e\u0301") == 3 and rule.limit == 300


@responses.activate
def test_an_expired_token_is_refreshed_and_the_post_made_once():
    ticket, _account = desk(post("3q", time.time() - 60, text=f"@{HANDLE} help"))
    responses.post(CREATE_RECORD, status=400, json=load("recorded_errors.json")["expired_access_token"]["body"])
    new_access = jwt()
    responses.post(REFRESH_SESSION, json=session_body(new_access, jwt(scope="com.atproto.refresh")))
    responses.post(CREATE_RECORD, json=created())

    ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body="Restart the runner.", key="k1")

    first, second = calls_to(CREATE_RECORD)
    assert second.request.headers["Authorization"] == f"Bearer {new_access}"
    assert sent(first) == sent(second)


@responses.activate
def test_a_rate_limited_write_is_refused_with_when_to_try_again():
    ticket, _account = desk(post("3q", time.time() - 60, text=f"@{HANDLE} help"))
    recorded = load("recorded_errors.json")["rate_limited_create_session"]
    responses.post(CREATE_RECORD, status=429, json=recorded["body"], headers=ratelimit(0, reset_in=900))

    with pytest.raises(SendFailed, match=r"rate limit for @gitlab.com is used up: try again after \d\d:\d\d UTC"):
        ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body="Restart the runner.", key="k1")


@responses.activate
def test_like_repost_and_delete_are_records_of_the_account():
    ticket, account = desk(post("3q", time.time() - 60, text=f"@{HANDLE} thanks, it works now!"))
    message = Message.objects.get(ticket=ticket)
    target = target_of(message)
    responses.post(CREATE_RECORD, json=created("app.bsky.feed.like", "3mmk6like22a"))
    responses.post(CREATE_RECORD, json=created("app.bsky.feed.repost", "3mmk6repo22a"))
    responses.post(DELETE_RECORD, json={"commit": COMMIT})
    session = build_session()

    liked = adapter.like(channel=ticket.channel, account=account, session=session, target=target)
    reposted = adapter.repost(channel=ticket.channel, account=account, session=session, target=target)
    adapter.delete_post(channel=ticket.channel, account=account, session=session, target=ReplyTarget(liked.uri))

    like_call, repost_call = calls_to(CREATE_RECORD)
    subject = {"uri": message.external_id, "cid": message.raw["cid"]}
    assert sent(like_call)["collection"] == "app.bsky.feed.like" and sent(like_call)["record"]["subject"] == subject
    assert sent(repost_call)["record"]["$type"] == "app.bsky.feed.repost" and sent(repost_call)["repo"] == DID
    assert liked == RecordRef(f"at://{DID}/app.bsky.feed.like/3mmk6like22a", "bafyrei3mmk6like22a")
    assert reposted.uri.endswith("/app.bsky.feed.repost/3mmk6repo22a")
    (deleted,) = calls_to(DELETE_RECORD)
    assert sent(deleted) == {"repo": DID, "collection": "app.bsky.feed.like", "rkey": "3mmk6like22a"}

    with pytest.raises(ReplyError, match="only its own"):
        adapter.delete_post(
            channel=ticket.channel, account=account, session=session, target=ReplyTarget(message.external_id or "")
        )
    with pytest.raises(ReplyError, match="not the AT URI"):
        adapter.delete_post(
            channel=ticket.channel, account=account, session=session, target=ReplyTarget("https://bsky.app/x")
        )
    assert len(calls_to(DELETE_RECORD)) == 1


@responses.activate
def test_a_refused_write_says_blueskys_words():
    ticket, account = desk(post("3q", time.time() - 60, text=f"@{HANDLE} help", handle=BOB))
    message = Message.objects.get(ticket=ticket)
    responses.post(CREATE_RECORD, status=400, json={"error": "InvalidRequest", "message": "Could not locate record"})

    with pytest.raises(ReplyError, match=r"Could not locate record.*nothing was liked"):
        adapter.like(
            channel=ticket.channel,
            account=account,
            session=build_session(),
            target=target_of(message),
        )
