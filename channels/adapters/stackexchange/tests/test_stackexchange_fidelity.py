"""Stack Exchange fidelity cases of issue 11, each a named test:

(a) timeline events are never stored as posts; (b) a comment on an answer gets the answer as parent and joins its
ticket; (c) hostile numbers (quota, backoff, ids, times) never raise; (d) the app key never reaches a log or an
error message. (e), the backlog, is in test_stackexchange_backlog.py."""

import copy
import json
import logging
import re
import time

import pytest
import requests
import responses

from channels.adapters.stackexchange import StackExchangeAdapter, timeline_posts
from channels.adapters.stackexchange.tests import test_stackexchange_adapter as shapes
from channels.http import build_session
from channels.models import Channel
from channels.tests.harness import poll
from intake.services.quarantine import mentions_store
from mentions.models import Message

adapter = StackExchangeAdapter()
TIMELINE = shapes.load("question_timelines_comments_stackongo.json")
POSTS_URL = re.compile(re.escape(shapes.API_ROOT) + r"/posts/[0-9;]+(?:\?|$)")


# --- (a) timeline events --------------------------------------------------------------------------------------


def _event(kind, **extra):
    """A recorded timeline event (Stack-on-Go) as another event type: the shape is the same for every type."""
    item = copy.deepcopy(TIMELINE["items"][0])
    item.update(timeline_type=kind, **extra)
    if kind != "comment":
        item.pop("comment_id")
    return item


@pytest.mark.parametrize(
    ("kind", "extra", "named"),
    [
        ("question", {"post_id": 9087138}, {"questions": [9087138]}),
        ("answer", {}, {"answers": [9087152]}),
        ("comment", {}, {"comments": [11413013]}),
        ("vote_aggregate", {"up_vote_count": 1, "down_vote_count": 0}, {}),
        ("revision", {"revision_guid": "3D2A9E2B-7A4C-4E32-8F0B-1C2D3E4F5A6B"}, {}),
        ("accepted_answer", {}, {}),
        ("unaccepted_answer", {}, {}),
        ("post_state_changed", {}, {}),
    ],
)
def test_timeline_events_are_never_stored_as_posts(kind, extra, named):
    event = _event(kind, **extra)
    parsed = adapter.parse_page({"items": [event]})
    assert (parsed.mentions, parsed.rejected) == ([], [])  # not a mention, not a poison item either
    assert timeline_posts({"items": [event]}) == {"questions": [], "answers": [], "comments": [], **named}


@pytest.mark.django_db
def test_a_timeline_page_stores_only_real_posts_with_their_own_author_and_time():
    t = 1_700_000_000
    real = shapes.question(9087138, t, title="How do I bind?")
    page = {"items": [*TIMELINE["items"], _event("vote_aggregate", up_vote_count=3), real]}
    channel = shapes.stackexchange_channel()
    parsed = adapter.parse_page(page)
    result = mentions_store(channel=channel, mentions=parsed.mentions, rejected=parsed.rejected)
    assert (result.received, result.created, result.quarantined) == (1, 1, 0)
    [message] = Message.objects.filter(channel=channel)
    assert message.external_id == "q9087138" and message.author_handle == "2327697"  # the question's owner
    assert message.platform_created_at.timestamp() == t  # not an event's time
    # A user timeline ("answered", "commented" with the comment's text as `detail`) is events too.
    user_events = shapes.load("user_timelines_stackongo.json")["items"]
    parsed = adapter.parse_page({"items": [*user_events, real]})
    assert [m.external_id for m in parsed.mentions] == ["q9087138"] and parsed.rejected == []


# --- (b) comments on answers ------------------------------------------------------------------------------------


def test_a_comment_on_an_answer_gets_the_answer_as_parent_from_post_type():
    item = shapes.comment(
        30, 20, 1_700_000_000, post_type="answer", link="https://stackoverflow.com/questions/10/x/20#comment30_20"
    )
    [m] = adapter.parse_payload({"items": [item]})
    assert (m.parent_id, m.thread_id, m.related_ids) == ("a20", "q10", ())


@pytest.mark.parametrize(
    ("link", "parent", "thread"),
    [
        ("https://stackoverflow.com/questions/10/some-title/20#comment30_20", "a20", "q10"),
        ("https://stackoverflow.com/questions/20/some-title#comment30_20", "q20", "q20"),
    ],
)
def test_a_comment_link_tells_an_answer_from_a_question(link, parent, thread):
    [m] = adapter.parse_payload({"items": [shapes.comment(30, 20, 1_700_000_000, link=link)]})
    assert (m.parent_id, m.thread_id, m.related_ids) == (parent, thread, ())


@pytest.mark.django_db
def test_a_comment_of_unknown_post_type_still_joins_the_answers_ticket():
    """The recorded comments carry no post_type and no link: `q<post>` is the guess, `a<post>` a related id."""
    t = 1_700_000_000
    channel = shapes.stackexchange_channel()
    [stored_answer] = adapter.parse_payload({"items": [shapes.answer(20, 10, t)]})
    mentions_store(channel=channel, mentions=[stored_answer])  # its question is not stored: its own ticket
    recorded = shapes.load("question_comments.json")["items"][0]
    mentions = adapter.parse_payload({"items": [{**recorded, "post_id": 20, "creation_date": t + 60}]})
    result = mentions_store(channel=channel, mentions=mentions)
    assert (result.created, result.tickets_created, result.threaded) == (1, 0, 1)
    by_id = {m.external_id: m for m in Message.objects.filter(channel=channel)}
    assert by_id["c18990742"].ticket_id == by_id["a20"].ticket_id


@pytest.mark.django_db
def test_ingest_payload_resolves_a_comment_on_a_watched_answer_through_the_channel():
    t = int(time.time()) - 600
    channel = shapes.stackexchange_channel(
        cursor={"version": 1, "watch": {"questions": [[10, t]], "answers": [[20, 10, t]]}}
    )
    recorded = shapes.load("question_comments.json")["items"][0]
    [m] = adapter.parse_page_for_channel({"items": [{**recorded, "post_id": 20}]}, channel=channel).mentions
    assert (m.parent_id, m.thread_id, m.related_ids) == ("a20", "q10", ())
    assert m.permalink == "https://stackoverflow.com/posts/comments/18990742"


@pytest.mark.django_db
@responses.activate
def test_a_comment_on_an_answer_that_left_the_watch_list_is_resolved_through_posts():
    now = int(time.time())
    t = now - 3600
    channel = shapes.stackexchange_channel()
    [stored_answer] = adapter.parse_payload({"items": [shapes.answer(20, 10, t + 60)]})
    mentions_store(channel=channel, mentions=[stored_answer])  # the answer's own ticket (its question is not ours)
    # A comments walk left open over [10, 20]; answer 20 has left the watch list since.
    walk = {"ids": [10, 20], "start": t - 300, "chunk": 0, "from": t - 300, "page": 1, "newest": None}
    Channel.objects.filter(pk=channel.pk).update(
        cursor={
            "version": 1,
            "tags": {"gitlab": {"since": t, "seen": {"q10": t}}},
            "watch": {"questions": [[10, t]], "answers": []},
            "answers": {"since": now - 60, "seen": {}},
            "comments": {"since": t, "seen": {}, "walk": walk},
        }
    )
    shapes.add_questions([])
    shapes.add_answers([])
    shapes.add_comments([shapes.comment(30, 20, t + 120), shapes.comment(31, 10, t + 130)])  # withbody: no post_type
    responses.get(
        POSTS_URL,
        json=shapes.wrapper(
            [
                {
                    "post_id": 20,
                    "post_type": "answer",
                    "creation_date": t + 60,
                    "link": "https://stackoverflow.com/questions/10/x/20#20",
                }
            ]
        ),
    )

    outcome = poll(channel)

    assert outcome.result is not None
    assert outcome.status == "ok" and outcome.result.created == 2
    assert [c.request.url.split("?")[0] for c in shapes.calls_to(POSTS_URL)] == [shapes.API_ROOT + "/posts/20"]
    by_id = {m.external_id: m for m in Message.objects.filter(channel=channel)}
    assert (by_id["c30"].parent_external_id, by_id["c30"].thread_external_id) == ("a20", "q10")
    assert by_id["c30"].ticket_id == by_id["a20"].ticket_id
    assert by_id["c31"].parent_external_id == "q10"
    assert channel.cursor["comments"].get("walk") is None


# --- (c) numbers --------------------------------------------------------------------------------------------------

HOSTILE_NUMBERS = [
    "12",
    "NaN",
    float("nan"),
    float("inf"),
    -float("inf"),
    2**80,
    -5,
    0,
    "9" * 5000,
    "1e999",
    None,
    [],
    {},
    True,
    "²",
    1e308,
    -(2**63),
]


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize("value", HOSTILE_NUMBERS, ids=lambda v: repr(v)[:20])
def test_hostile_numbers_in_quota_backoff_ids_and_times_never_raise(value):
    now = int(time.time())
    # Unsaved: a cursor holding NaN could not be stored, but an adapter must read whatever it is given.
    channel = Channel(slug="numbers", kind="stackexchange", config={"site": "stackoverflow", "tags": ["gitlab"]})
    channel.cursor = {
        "version": 1,
        "tags": {"gitlab": {"since": value, "seen": {"q99": value}, "resume": value, "page": value}},
        "watch": {"questions": [[value, value]]},
        "comments": {"since": value, "walk": {"ids": [value], "start": value, "chunk": value}},
        "backoff": {"/x": value},
    }
    items = [
        shapes.question(1, now - 60),
        shapes.question(value, now - 50),
        shapes.question(3, value),
        {**shapes.question(4, now - 40), "last_edit_date": value, "owner": {"user_id": value, "display_name": value}},
    ]
    responses.get(
        shapes.QUESTIONS_URL,
        json=json.loads(
            json.dumps(shapes.wrapper(items, quota_remaining=value, quota_max=value, backoff=value, has_more=value))
        ),
    )
    shapes.add_answers([], quota_remaining=value)
    shapes.add_comments([], quota_remaining=value)

    result = adapter.fetch(channel=channel, session=build_session())

    assert "q1" in {m.external_id for m in result.mentions} and "q4" in {m.external_id for m in result.mentions}
    json.dumps(result.cursor, allow_nan=False)
    json.dumps(result.platform_status, allow_nan=False)
    for name in ("quota_remaining", "quota_max"):
        assert name not in result.platform_status or isinstance(result.platform_status[name], int)
    if result.not_before is not None:
        assert (result.not_before.timestamp() - time.time()) <= 86400 + 5  # a backoff is capped at a day


@pytest.mark.django_db
@responses.activate
def test_a_backoff_sent_as_a_string_is_honoured_and_a_negative_one_ignored():
    now = int(time.time())
    channel = shapes.stackexchange_channel()
    shapes.add_questions([shapes.question(1, now - 60)], backoff="60")
    shapes.add_answers([], backoff=-30)
    shapes.add_comments([])
    result = adapter.fetch(channel=channel, session=build_session())
    assert list(result.cursor["backoff"]) == ["/questions"]
    assert result.not_before is not None
    assert 50 < (result.not_before.timestamp() - time.time()) <= 60


# --- (d) the app key --------------------------------------------------------------------------------------------

KEY = "Sk3y*Tr4Ck(("


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize(
    "failure",
    [
        {"body": requests.exceptions.ConnectionError(f"Max retries: /2.3/questions?site=stackoverflow&key={KEY}")},
        {"body": requests.exceptions.ReadTimeout(f"read timed out: ?key={KEY}&access_token=tok")},
        {
            "status": 400,
            "json": {"error_id": 400, "error_name": "bad_parameter", "error_message": f"key {KEY} is invalid"},
        },
        {
            "status": 400,
            "json": {"error_id": 502, "error_name": "throttle_violation", "error_message": f"{KEY} 60 seconds"},
        },
        {"status": 502, "body": f"<html>Bad gateway for /2.3/questions?key={KEY.replace('(', '%28')}</html>"},
        {"status": 200, "body": f"not json: key={KEY.replace('(', '%28')}"},
    ],
)
def test_the_app_key_never_reaches_logs_or_error_messages(failure, caplog):
    caplog.set_level(logging.DEBUG)
    channel = shapes.stackexchange_channel()
    channel.credentials = {"key": KEY}
    channel.save()
    responses.get(shapes.QUESTIONS_URL, **failure)

    outcome = poll(channel)

    assert outcome.status in ("failing", "transient_error")
    assert shapes.calls_to(shapes.QUESTIONS_URL)[0].request.url.endswith("key=Sk3y%2ATr4Ck%28%28")  # it was sent
    shown = " ".join(
        [outcome.error or "", channel.last_error, caplog.text, str(channel.platform_status), json.dumps(channel.cursor)]
    )
    for secret in (KEY, "Sk3y%2ATr4Ck", "Sk3y*Tr4Ck%28%28", "Sk3y", "access_token=tok"):
        assert secret not in shown, secret


@pytest.mark.django_db
@responses.activate
def test_the_app_key_is_not_logged_by_a_successful_poll(caplog):
    caplog.set_level(logging.DEBUG)
    now = int(time.time())
    channel = shapes.stackexchange_channel()
    channel.credentials = {"key": KEY}
    channel.save()
    shapes.add_questions([shapes.question(1, now - 60)], backoff=5)
    shapes.add_answers([])
    shapes.add_comments([])
    assert poll(channel).status == "ok"
    assert KEY not in caplog.text and "key=" not in caplog.text
    assert len(shapes.calls_to(shapes.ANSWERS_URL)) == len(shapes.calls_to(shapes.COMMENTS_URL)) == 1
