"""Polling an X channel end to end: channel_poll -> TwitterAdapter.fetch -> ingest, HTTP mocked at the edge."""

import copy
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from django.utils import timezone
from responses import matchers

from channels.adapters.twitter import MENTIONS_URL, SEARCH_URL, SNOWFLAKE_EPOCH_MS, TwitterAdapter, snowflake_time
from channels.budget import month_end
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.harness import ingested, stored
from channels.tests.personas import BYSTANDER, MEMBER
from channels.tests.sent import request_params, request_url
from intake.services.polling import channel_poll
from mentions.models import Message, Ticket

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
_SAMPLE = json.loads((FIXTURES / "search_recent_with_expansions_docs_sample.json").read_text())

MAIN_ID, STATUS_ID = "2244994945", "1143870337"
QUERY = '"gitlab ci" -is:retweet'
CONFIG: dict[str, Any] = {
    "handles": [
        {"username": "GitLab", "user_id": MAIN_ID, "role": "main"},
        {"username": "GitLabStatus", "user_id": STATUS_ID, "role": "status"},
    ],
    "search_queries": [QUERY],
}
ONE_HANDLE = {"handles": [CONFIG["handles"][0]]}
MAIN_MENTIONS = MENTIONS_URL.format(user_id=MAIN_ID)
STATUS_MENTIONS = MENTIONS_URL.format(user_id=STATUS_ID)
BEARER = "bearer-SECRET-b"

ALICE = {**_SAMPLE["includes"]["users"][0], "id": "101", "username": MEMBER.on("twitter"), "name": MEMBER.name}
BOB = {**_SAMPLE["includes"]["users"][0], "id": "102", "username": BYSTANDER.on("twitter"), "name": BYSTANDER.name}
STATUS_USER = {**_SAMPLE["includes"]["users"][0], "id": STATUS_ID, "username": "GitLabStatus", "name": "GitLab Status"}


def recent_id(seconds_ago: float, seq: int = 0) -> str:
    ms = int((timezone.now() - timedelta(seconds=seconds_ago)).timestamp() * 1000) - SNOWFLAKE_EPOCH_MS
    return str((ms << 22) + seq)


def tweet(
    tweet_id, text="@GitLab my pipeline is stuck", *, author=ALICE, replied_to=None, conversation_id=None, **extra
):
    """A post in the recorded shape (the docs sample), with chosen values."""
    t = copy.deepcopy(_SAMPLE["data"][0])
    for key in ("attachments", "geo", "referenced_tweets", "in_reply_to_user_id"):
        t.pop(key, None)
    created = snowflake_time(tweet_id)
    t.update(
        id=tweet_id,
        text=text,
        author_id=author["id"],
        created_at=created.strftime("%Y-%m-%dT%H:%M:%S.") + f"{created.microsecond // 1000:03d}Z",
        conversation_id=conversation_id or tweet_id,
        edit_history_tweet_ids=[tweet_id],
        entities={"mentions": [{"start": 0, "end": 7, "username": w[1:]} for w in text.split() if w[:1] == "@"]},
    )
    if replied_to:
        t["referenced_tweets"] = [{"type": "replied_to", "id": replied_to}]
    t.update(extra)
    return t


def page(tweets, users=(ALICE,), next_token=None):
    meta: dict[str, Any] = {"result_count": len(tweets)}
    if tweets:
        ids = sorted((t["id"] for t in tweets), key=int)
        meta.update(newest_id=ids[-1], oldest_id=ids[0])
    if next_token:
        meta["next_token"] = next_token
    body: dict[str, Any] = {"meta": meta}
    if tweets:
        body.update(data=list(tweets), includes={"users": list(users)})
    return body


EMPTY = {"meta": {"result_count": 0}}


def limits(remaining, reset, limit=450):
    return {
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(reset),
    }


def twitter_channel(config=ONE_HANDLE, cursor=None):
    channel = ChannelFactory(
        kind="twitter",
        name="X GitLab",
        slug="x-gitlab",
        config=copy.deepcopy(config),
        our_accounts=[h["username"] for h in config["handles"]],
        cursor=cursor or {},
        poll_interval_seconds=120,
    )
    channel.credentials = {"bearer_token": BEARER, "handles": {"GitLab": {"access_token": "t"}}}
    channel.save()
    return channel


def query(**params):
    return matchers.query_param_matcher(params, strict_match=False)


@responses.activate
def test_paging_holds_since_id_and_moves_each_mark_only_when_its_last_page_is_done():
    mark = recent_id(3600)
    cursor = {f"mentions:{MAIN_ID}": mark, f"mentions:{STATUS_ID}": mark, f"search:{QUERY}": mark}
    channel = twitter_channel(CONFIG, cursor)
    m1, m2, m3 = (tweet(recent_id(s)) for s in (60, 120, 180))
    s1, s2 = (tweet(recent_id(s), '"gitlab ci" is great', author=BOB) for s in (90, 150))
    # Registered most specific first: responses answers with the first registration that matches.
    responses.get(MAIN_MENTIONS, json=page([m3]), match=[query(pagination_token="m-2")])
    responses.get(MAIN_MENTIONS, json=page([m1, m2], next_token="m-2"))
    responses.get(STATUS_MENTIONS, json=EMPTY)
    responses.get(SEARCH_URL, json=page([s2], users=[BOB]), match=[query(next_token="s-2")])
    responses.get(SEARCH_URL, json=page([s1], users=[BOB], next_token="s-2"))

    outcome = channel_poll(channel_id=channel.pk)

    assert outcome.status == "ok"
    assert outcome.result is not None
    assert outcome.result.created == outcome.result.tickets_created == 5
    sent = [(request_url(c.request).split("?")[0], request_params(c.request)) for c in responses.calls]
    assert [(url, p.get("pagination_token"), p.get("next_token")) for url, p in sent] == [
        (MAIN_MENTIONS, None, None),
        (MAIN_MENTIONS, "m-2", None),
        (STATUS_MENTIONS, None, None),
        (SEARCH_URL, None, None),
        (SEARCH_URL, None, "s-2"),
    ]
    assert {p["since_id"] for _, p in sent} == {mark}
    assert sent[3][1]["query"] == QUERY
    channel.refresh_from_db()
    assert channel.cursor == {
        f"mentions:{MAIN_ID}": m1["id"],  # newest of the first page
        f"mentions:{STATUS_ID}": mark,  # nothing new: kept
        f"search:{QUERY}": s1["id"],
    }
    assert set(stored(channel)) == {t["id"] for t in (m1, m2, m3, s1, s2)}
    message = Message.objects.get(external_id=s1["id"])
    assert message.author_handle == "bob" and message.permalink == f"https://x.com/bob/status/{s1['id']}"


@responses.activate
def test_polling_again_stores_nothing_twice():
    channel = twitter_channel()
    a, b = tweet(recent_id(300)), tweet(recent_id(200))
    responses.get(MAIN_MENTIONS, json=page([b, a]))
    first = channel_poll(channel_id=channel.pk)
    assert first.result is not None
    assert first.result.created == 2

    # Next poll: a new post, and an edit of b (new id, original first in its history).
    c = tweet(recent_id(100))
    edit_id = recent_id(50)
    b_edit = tweet(edit_id, "@GitLab my pipeline is stuck (edited)", edit_history_tweet_ids=[b["id"], edit_id])
    responses.replace(responses.GET, MAIN_MENTIONS, json=page([b_edit, c]))
    second = channel_poll(channel_id=channel.pk)
    assert request_params(responses.calls[-1].request)["since_id"] == b["id"]
    assert second.result is not None
    assert (second.result.received, second.result.created, second.result.duplicates) == (2, 1, 1)
    edited = Message.objects.get(channel=channel, external_id=b["id"])  # the edit updates b, not a new message
    assert (edited.body, edited.edited_at) == ("@GitLab my pipeline is stuck (edited)", snowflake_time(edit_id))

    # The same answer again (X re-delivers): nothing new.
    third = channel_poll(channel_id=channel.pk)
    assert third.result is not None
    assert (third.result.created, third.result.duplicates) == (0, 2)
    assert Message.objects.filter(channel=channel).count() == 3
    assert Ticket.objects.filter(channel=channel).count() == 3
    channel.refresh_from_db()
    # The edit's version is remembered, so a reply to it finds the message (stored under b's id).
    assert channel.cursor == {f"mentions:{MAIN_ID}": b_edit["id"], "edits": {edit_id: b["id"]}}


@responses.activate
def test_a_429_waits_until_the_reset_keeps_the_cursor_and_loses_nothing():
    mark = recent_id(3600)
    channel = twitter_channel(cursor={f"mentions:{MAIN_ID}": mark})
    reset = int(time.time()) + 900
    body = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
    responses.get(MAIN_MENTIONS, status=429, json=body, headers=limits(0, reset))

    outcome = channel_poll(channel_id=channel.pk)

    assert outcome.status == "transient_error"
    assert len(responses.calls) == 1  # no hammering
    channel.refresh_from_db()
    assert channel.next_poll_at >= datetime.fromtimestamp(reset, tz=UTC) - timedelta(seconds=2)
    assert channel.health == Channel.Health.BACKING_OFF
    assert "429" in channel.last_error and BEARER not in channel.last_error
    assert channel.cursor == {f"mentions:{MAIN_ID}": mark}

    a = tweet(recent_id(60))
    responses.replace(responses.GET, MAIN_MENTIONS, json=page([a]), headers=limits(449, reset + 900))
    assert channel_poll(channel_id=channel.pk).status == "ok"
    assert set(stored(channel)) == {a["id"]}


@responses.activate
def test_a_spent_window_mid_walk_stops_and_the_next_poll_carries_on():
    mark = recent_id(3600)
    channel = twitter_channel(cursor={f"mentions:{MAIN_ID}": mark})
    reset = int(time.time()) + 800
    p1 = [tweet(recent_id(60)), tweet(recent_id(70))]
    p2 = [tweet(recent_id(80))]
    responses.get(MAIN_MENTIONS, json=page(p2), match=[query(pagination_token="p-2")], headers=limits(10, reset + 900))
    responses.get(MAIN_MENTIONS, json=page(p1, next_token="p-2"), headers=limits(0, reset))

    assert channel_poll(channel_id=channel.pk).status == "ok"

    assert len(responses.calls) == 1
    channel.refresh_from_db()
    assert channel.health == Channel.Health.OK
    assert channel.next_poll_at >= datetime.fromtimestamp(reset, tz=UTC)  # not the 120 s interval
    assert channel.cursor == {
        f"mentions:{MAIN_ID}": mark,  # not moved: the walk is not finished
        "pending": {f"mentions:{MAIN_ID}": {"next_token": "p-2", "newest_id": p1[0]["id"], "since_id": mark}},
    }
    assert set(stored(channel)) == {t["id"] for t in p1}  # what was read is kept
    # What X said and what it bills are recorded on the channel.
    assert channel.platform_status["rate_limit"]["mentions"]["remaining"] == 0
    assert channel.usage["reads"] == 2

    assert channel_poll(channel_id=channel.pk).status == "ok"
    resumed = request_params(responses.calls[1].request)
    assert (resumed["pagination_token"], resumed["since_id"]) == ("p-2", mark)
    channel.refresh_from_db()
    assert channel.cursor == {f"mentions:{MAIN_ID}": p1[0]["id"]}
    assert set(stored(channel)) == {t["id"] for t in p1 + p2}


FAILURES = {
    "server error": {"status": 503, "json": {"title": "Service Unavailable"}},
    "timeout": {"body": requests.exceptions.ConnectTimeout("connect timed out")},
    "malformed json": {"status": 200, "body": '{"data": [{"id": "1", "text": "trunc'},
}


@responses.activate
@pytest.mark.parametrize("failing_url", [MAIN_MENTIONS, SEARCH_URL], ids=["first source", "last source"])
@pytest.mark.parametrize("failure", FAILURES.values(), ids=FAILURES.keys())
def test_a_failed_poll_keeps_the_cursor_and_the_next_one_stores_everything(failure, failing_url):
    mark = recent_id(3600)
    cursor = {f"mentions:{MAIN_ID}": mark, f"mentions:{STATUS_ID}": mark, f"search:{QUERY}": mark}
    channel = twitter_channel(CONFIG, cursor)
    good = {
        MAIN_MENTIONS: page([tweet(recent_id(60)), tweet(recent_id(61))]),
        STATUS_MENTIONS: page([tweet(recent_id(62), "@GitLabStatus is it down?")]),
        SEARCH_URL: page([tweet(recent_id(63), '"gitlab ci" yay', author=BOB)], users=[BOB]),
    }
    for url, body in good.items():
        if url == failing_url:
            responses.get(url, **failure)
        else:
            responses.get(url, json=body)

    outcome = channel_poll(channel_id=channel.pk)

    assert outcome.status == "transient_error"
    channel.refresh_from_db()
    # Each page is stored with its cursor: the sources read before the failure keep what they read.
    before = list(good)[: list(good).index(failing_url)]
    keys = {
        MAIN_MENTIONS: f"mentions:{MAIN_ID}",
        STATUS_MENTIONS: f"mentions:{STATUS_ID}",
        SEARCH_URL: f"search:{QUERY}",
    }
    assert channel.cursor == {**cursor, **{keys[url]: good[url]["data"][0]["id"] for url in before}}
    assert channel.consecutive_failures == 1 and channel.last_error
    assert set(stored(channel)) == {t["id"] for url in before for t in good[url]["data"]}

    responses.replace(responses.GET, failing_url, json=good[failing_url])
    assert channel_poll(channel_id=channel.pk).status == "ok"
    channel.refresh_from_db()
    assert set(stored(channel)) == {t["id"] for body in good.values() for t in body["data"]}
    assert channel.cursor == {
        f"mentions:{MAIN_ID}": good[MAIN_MENTIONS]["data"][0]["id"],
        f"mentions:{STATUS_ID}": good[STATUS_MENTIONS]["data"][0]["id"],
        f"search:{QUERY}": good[SEARCH_URL]["data"][0]["id"],
    }
    assert channel.consecutive_failures == 0 and channel.health == Channel.Health.OK


@responses.activate
def test_a_bad_bearer_token_marks_the_channel_failing_without_showing_it():
    channel = twitter_channel()
    responses.get(MAIN_MENTIONS, status=401, json={"title": "Unauthorized", "status": 401, "detail": "Unauthorized"})
    assert channel_poll(channel_id=channel.pk).status == "failing"
    channel.refresh_from_db()
    assert channel.health == Channel.Health.FAILING
    assert "bearer_token" in channel.last_error and BEARER not in channel.last_error


@responses.activate
def test_replies_in_the_same_conversation_join_the_first_tweets_ticket():
    channel = twitter_channel()
    root = tweet(recent_id(600), "@GitLab is CI down for anyone?")
    responses.get(MAIN_MENTIONS, json=page([root]))
    channel_poll(channel_id=channel.pk)
    ticket = Ticket.objects.get(channel=channel)

    # A direct reply, and a reply to a post we never saw (same conversation).
    reply = tweet(recent_id(300), "@GitLab same here", author=BOB, replied_to=root["id"], conversation_id=root["id"])
    deeper = tweet(recent_id(200), "@bob @GitLab fixed now", replied_to="1", conversation_id=root["id"])
    responses.replace(responses.GET, MAIN_MENTIONS, json=page([deeper, reply], users=[ALICE, BOB]))
    outcome = channel_poll(channel_id=channel.pk)

    assert outcome.result is not None
    assert (outcome.result.threaded, outcome.result.tickets_created) == (2, 0)
    assert Ticket.objects.filter(channel=channel).count() == 1
    assert list(ticket.messages.values_list("external_id", flat=True)) == [root["id"], reply["id"], deeper["id"]]
    assert Message.objects.get(external_id=reply["id"]).parent_external_id == root["id"]


@responses.activate
def test_a_post_from_one_of_our_handles_is_our_reply_and_sets_first_reply_at():
    channel = twitter_channel(CONFIG, {f"mentions:{MAIN_ID}": recent_id(7200), f"search:{QUERY}": recent_id(7200)})
    question = tweet(recent_id(3600), "@GitLab @GitLabStatus is gitlab.com down?")
    answer = tweet(
        recent_id(600),
        "@alice @GitLab we're on it: https://status.gitlab.com",
        author=STATUS_USER,
        replied_to=question["id"],
        conversation_id=question["id"],
    )
    responses.get(MAIN_MENTIONS, json=page([answer, question], users=[ALICE, STATUS_USER]))
    responses.get(STATUS_MENTIONS, json=page([question]))
    responses.get(SEARCH_URL, json=EMPTY)

    outcome = channel_poll(channel_id=channel.pk)

    # The question came from both timelines (one chunk each): it is stored once.
    assert outcome.result is not None
    assert (outcome.result.received, outcome.result.created, outcome.result.duplicates) == (3, 2, 1)
    assert (outcome.result.our_replies, outcome.result.tickets_created) == (1, 1)
    ticket = Ticket.objects.get(channel=channel)
    ours = Message.objects.get(external_id=answer["id"])
    assert ours.kind == Message.Kind.OUR_REPLY and ours.ticket_id == ticket.pk
    assert ticket.requester_handle == "alice"
    assert ticket.first_reply_at == snowflake_time(answer["id"])
    waited = snowflake_time(answer["id"]) - snowflake_time(question["id"])
    assert ticket.first_reply_seconds == int(waited.total_seconds()) and 2990 < ticket.first_reply_seconds < 3010


@responses.activate
def test_a_small_monthly_budget_slows_polling_instead_of_stopping_it():
    channel = twitter_channel(config={**ONE_HANDLE, "monthly_read_budget": 1000})
    month = timezone.now().strftime("%Y-%m")
    type(channel).objects.filter(pk=channel.pk).update(usage={"month": month, "reads": 900, "polls": 89})
    responses.get(MAIN_MENTIONS, json=page([tweet(recent_id(60, i)) for i in range(10)]))

    assert channel_poll(channel_id=channel.pk).status == "ok"

    channel.refresh_from_db()
    assert channel.usage == {"month": month, "reads": 910, "polls": 90}
    # 90 reads left at about 10 reads per poll: nine polls spread over what is left of the month.
    left = (month_end(timezone.now()) - timezone.now()).total_seconds()
    wait = (channel.next_poll_at - timezone.now()).total_seconds()
    assert wait > 120  # slower than the channel's own two minutes...
    assert abs(wait - left / (90 / (910 / 90))) < 60  # ...exactly enough to last the month


# --- fidelity: a reply to an edited post ---------------------------------------------------------
#
# No recorded payload of an edited post (an edit_history_tweet_ids with more than one id) was found in other
# projects' test suites: these posts are built from the documented shape (docs.x.com "Edit Posts":
# edit_history_tweet_ids lists the original first; expansions=referenced_tweets.id puts the replied-to version
# in includes.tweets with its own edit_history_tweet_ids), on the recorded docs sample's fields.


def edited_conversation():
    """@alice's question O is a reply in someone's conversation R (never stored); she edits it (N); bob
    answers the edited version N in the same conversation R."""
    root = recent_id(4000)
    original = tweet(recent_id(3600), "@GitLab runnrs are stuck", replied_to=root, conversation_id=root)
    edit_id = recent_id(3000)
    edited = {**original, "id": edit_id, "text": "@GitLab runners are stuck", "edit_history_tweet_ids": []}
    edited["edit_history_tweet_ids"] = [original["id"], edit_id]
    edited["created_at"] = tweet(edit_id)["created_at"]
    answer = tweet(recent_id(600), "@alice @GitLab same here", author=BOB, replied_to=edit_id, conversation_id=root)
    return original, edited, answer


@responses.activate
def test_x_reply_to_edited_post_threads():
    mark = recent_id(7200)
    channel = twitter_channel(cursor={f"mentions:{MAIN_ID}": mark})
    original, edited, answer = edited_conversation()

    # Poll 1: the question; poll 2: its edit (the same message, new text); poll 3: the answer to the edit,
    # without expansions: the cursor remembers which original the edited version belongs to.
    responses.get(MAIN_MENTIONS, json=page([original]))
    channel_poll(channel_id=channel.pk)
    responses.replace(responses.GET, MAIN_MENTIONS, json=page([edited]))
    assert ingested(channel_poll(channel_id=channel.pk)).edited == 1
    channel.refresh_from_db()
    assert channel.cursor["edits"] == {edited["id"]: original["id"]}
    responses.replace(responses.GET, MAIN_MENTIONS, json=page([answer], users=[BOB]))
    outcome = channel_poll(channel_id=channel.pk)

    assert outcome.result is not None
    assert (outcome.result.created, outcome.result.threaded, outcome.result.tickets_created) == (1, 1, 0)
    question = Message.objects.get(channel=channel, external_id=original["id"])
    reply = Message.objects.get(channel=channel, external_id=answer["id"])
    assert question.body == "@GitLab runners are stuck"
    assert reply.ticket_id == question.ticket_id
    assert reply.parent_external_id == original["id"]  # the stored (original) id, not the version it names
    assert Ticket.objects.filter(channel=channel).count() == 1


@responses.activate
def test_x_reply_to_edited_post_threads_through_the_expansion():
    """A channel that never saw the edit: the answer's expansion (includes.tweets) carries the edit history."""
    mark = recent_id(7200)
    channel = twitter_channel(cursor={f"mentions:{MAIN_ID}": mark})
    original, edited, answer = edited_conversation()
    responses.get(MAIN_MENTIONS, json=page([original]))
    channel_poll(channel_id=channel.pk)
    with_expansion = page([answer], users=[BOB])
    with_expansion["includes"]["tweets"] = [edited]
    responses.replace(responses.GET, MAIN_MENTIONS, json=with_expansion)

    outcome = channel_poll(channel_id=channel.pk)

    assert outcome.result is not None
    assert (outcome.result.created, outcome.result.threaded, outcome.result.tickets_created) == (1, 1, 0)
    question = Message.objects.get(channel=channel, external_id=original["id"])
    assert Message.objects.get(channel=channel, external_id=answer["id"]).ticket_id == question.ticket_id
    channel.refresh_from_db()
    assert channel.cursor["edits"] == {edited["id"]: original["id"]}
    assert Ticket.objects.filter(channel=channel).count() == 1
    # Without any history the parent is the version the answer names (what every reply got before).
    [alone] = TwitterAdapter().parse_payload(page([answer], users=[BOB]))
    assert (alone.parent_id, alone.related_ids) == (edited["id"], ())
    [mapped] = TwitterAdapter().parse_payload(with_expansion)
    assert (mapped.parent_id, mapped.related_ids) == (original["id"], (edited["id"],))


@responses.activate
def test_a_429_mid_walk_keeps_what_was_read_and_waits_for_the_reset():
    mark = recent_id(3600)
    channel = twitter_channel(CONFIG, {f"mentions:{MAIN_ID}": mark, f"mentions:{STATUS_ID}": mark})
    reset = int(time.time()) + 700
    p1 = [tweet(recent_id(60)), tweet(recent_id(70))]
    body = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
    responses.get(MAIN_MENTIONS, status=429, json=body, headers=limits(0, reset), match=[query(pagination_token="p-2")])
    responses.get(MAIN_MENTIONS, json=page(p1, next_token="p-2"), headers=limits(5, reset))
    s1 = tweet(recent_id(65), '"gitlab ci" rocks', author=BOB)
    responses.get(SEARCH_URL, json=page([s1], users=[BOB]), headers=limits(100, reset + 60))

    outcome = channel_poll(channel_id=channel.pk)

    assert outcome.result is not None
    assert outcome.status == "ok" and outcome.result.created == 3
    # The status handle shares the spent mentions window: not called; search has its own window.
    assert [request_url(c.request).split("?")[0] for c in responses.calls] == [MAIN_MENTIONS, MAIN_MENTIONS, SEARCH_URL]
    channel.refresh_from_db()
    assert channel.health == Channel.Health.OK and channel.consecutive_failures == 0
    assert channel.next_poll_at >= datetime.fromtimestamp(reset, tz=UTC) - timedelta(seconds=2)
    assert channel.cursor == {
        f"mentions:{MAIN_ID}": mark,
        f"mentions:{STATUS_ID}": mark,
        f"search:{QUERY}": s1["id"],
        "pending": {f"mentions:{MAIN_ID}": {"next_token": "p-2", "newest_id": p1[0]["id"], "since_id": mark}},
    }


@responses.activate
def test_a_removed_query_forgets_its_mark_and_its_parked_walk():
    mark = recent_id(3600)
    walk = {"next_token": "old", "newest_id": mark, "since_id": mark}
    cursor = {f"mentions:{MAIN_ID}": mark, "search:gone": mark, "pending": {"search:gone": walk}}
    channel = twitter_channel(ONE_HANDLE, cursor)
    responses.get(MAIN_MENTIONS, json=EMPTY)
    assert channel_poll(channel_id=channel.pk).status == "ok"
    channel.refresh_from_db()
    assert channel.cursor == {f"mentions:{MAIN_ID}": mark}
    assert channel.next_poll_at >= channel.last_polled_at + timedelta(seconds=100)  # no backlog left to hurry for


@responses.activate
def test_a_poison_post_is_quarantined_with_its_author_and_the_rest_of_its_page_stored():
    from channels.models import DeadLetter
    from intake.services.quarantine import dead_letter_retry

    mark = recent_id(3600)
    channel = twitter_channel(cursor={f"mentions:{MAIN_ID}": mark})
    good = tweet(recent_id(60))
    poison = tweet(recent_id(90), created_at="9999-12-31T23:59:59.000Z")  # a time no mention can have
    poison["id"] = "20"  # and a pre-Snowflake id, so there is no other time to go by
    responses.get(MAIN_MENTIONS, json=page([good, poison]))

    outcome = channel_poll(channel_id=channel.pk)

    assert outcome.result is not None
    assert (outcome.result.received, outcome.result.created, outcome.result.quarantined) == (2, 1, 1)
    assert set(stored(channel)) == {good["id"]}
    channel.refresh_from_db()
    assert channel.cursor == {f"mentions:{MAIN_ID}": good["id"]}  # the cursor moved past both
    dead = DeadLetter.objects.get(channel=channel)
    assert dead.external_id == "20" and "predates Snowflake" in dead.error
    assert json.loads(dead.payload)["author"]["username"] == "alice"  # kept with who wrote it
    # Retry re-reads the item with the adapter's parse_item: still no time, still quarantined.
    assert dead_letter_retry(dead)[0] is False
    # The same item with a usable time is read, author included.
    fixed = {**json.loads(dead.payload), "id": good["id"], "created_at": good["created_at"]}
    [mention] = TwitterAdapter().parse_item(fixed).mentions
    assert (mention.author_handle, mention.permalink) == ("alice", f"https://x.com/alice/status/{good['id']}")


def test_a_saved_reply_to_an_edited_post_threads_with_the_channels_edit_memory():
    """manage.py ingest_payload reads a saved page with the channel's cursor (parse_page_for_channel)."""
    original, edited, answer = edited_conversation()
    channel = twitter_channel(cursor={f"mentions:{MAIN_ID}": original["id"], "edits": {edited["id"]: original["id"]}})
    [mention] = TwitterAdapter().parse_page_for_channel(page([answer], users=[BOB]), channel=channel).mentions
    assert (mention.parent_id, mention.related_ids) == (original["id"], (edited["id"],))
