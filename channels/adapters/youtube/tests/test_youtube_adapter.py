"""The YouTube adapter at the HTTP boundary (`responses`): its config, the walk of a channel's threads (the window's
edge, the pages, the replies asked for only when a thread has more), a followed video whose comments were turned off,
the API key kept out of every message and log line, the reply (``comments.insert``: the request's body, Google's
refusals in words, the account's token never shown) and the Google sign-in. Shapes: the recorded Data API answers
in fixtures/ (SOURCES.md: sns-sdks/python-youtube's ``commentThreads.list``, ``comments.list``, ``search.list`` and
``comments.insert`` answers and its 403 error body), copied with only ids, times, authors, texts or reasons changed;
the error reasons are those developers.google.com/youtube/v3/docs/errors documents."""

import json
import logging
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from channels.adapters.base import ConfigError, ReplyError, ReplyTarget
from channels.adapters.youtube import YoutubeAdapter
from channels.adapters.youtube.client import CHANNELS_URL, COMMENTS_URL, THREADS_URL
from channels.adapters.youtube.oauth import SCOPE, GoogleOAuth
from channels.adapters.youtube.quota import next_reset, pacific_day
from channels.adapters.youtube.tests import shapes
from channels.adapters.youtube.tests.shapes import ASKER, KEY, OURS, TEAM
from channels.http import build_session
from channels.models import Account

adapter = YoutubeAdapter()
TOKEN = "ya29.a0AfB_test-access-token-0123456789"


def chunks(channel):
    return list(adapter.fetch_chunks(channel=channel, session=build_session()))


def ids(results):
    return [m.external_id for r in results for m in r.mentions]


@pytest.mark.parametrize(
    ("config", "said"),
    [
        ({}, 'Give "channel_ids" or "keywords"'),
        ({"channel_ids": ["gitlab"]}, 'Each of "channel_ids" is a channel id'),
        ({"channel_ids": [TEAM], "daily_quota": 5}, "daily_quota"),
        ({"channel_ids": [TEAM], "videos": []}, "videos"),
    ],
)
def test_a_config_that_reads_nothing_or_is_wrong_is_refused_in_words(config, said):
    with pytest.raises(ConfigError, match=said):
        adapter.validate_config(config)


def test_a_valid_config_reads_back_as_written_with_its_lists_cleaned():
    assert adapter.validate_config({"channel_ids": [f" {TEAM}", TEAM], "keywords": ["GitLab  CI", "gitlab ci"]}) == {
        "channel_ids": [TEAM],
        "keywords": ["GitLab CI"],
    }


@responses.activate
def test_a_walk_stops_at_the_window_edge_and_asks_nothing_with_the_key_in_its_address():
    now = time.time()
    shapes.add_threads(
        shapes.page([shapes.thread("UgyNew", now - 60), shapes.thread("UgyOld", now - 4 * 86_400)], next_token="NEXT"),
        channel_id=TEAM,
    )

    results = chunks(shapes.unsaved({"channel_ids": [TEAM]}))

    assert ids(results) == ["UgyNew"]  # older than follow_days (3): the walk ends there, no second page
    assert len(responses.calls) == 1
    call = responses.calls[0].request
    address = str(call.url)  # a recorded request's address: always a str here
    assert call.headers["X-Goog-Api-Key"] == KEY and KEY not in address
    asked = parse_qs(urlsplit(address).query)
    assert asked["part"] == ["snippet,replies"] and asked["order"] == ["time"] and asked["maxResults"] == ["100"]


@responses.activate
def test_a_walk_reads_at_most_its_pages_and_the_next_poll_hands_over_only_what_is_new():
    now = time.time()
    pages = {
        "": shapes.page([shapes.thread("Ugy3", now - 30)], next_token="P2"),
        "P2": shapes.page([shapes.thread("Ugy2", now - 60)], next_token="P3"),
        "P3": shapes.page([shapes.thread("Ugy1", now - 90)]),
    }

    def answer(request):
        token = parse_qs(urlsplit(request.url).query).get("pageToken", [""])[0]
        return 200, {}, json.dumps(pages[token])

    responses.add_callback(responses.GET, THREADS_URL, callback=answer)
    channel = shapes.unsaved({"channel_ids": [TEAM], "max_pages_per_stream": 2})

    first = chunks(channel)
    channel.cursor = first[-1].cursor
    pages[""] = shapes.page([shapes.thread("Ugy4", now - 10), shapes.thread("Ugy3", now - 30)], next_token="P2")
    second = chunks(channel)

    assert ids(first) == ["Ugy3", "Ugy2"]  # two pages a poll, from the newest (docs/platforms/youtube.md: the bound)
    assert ids(second) == ["Ugy4"]
    assert len(responses.calls) == 4


@responses.activate
def test_a_threads_replies_are_asked_for_only_when_it_has_more_than_it_carries_and_than_were_read():
    now = time.time()
    top = "UgyAsked"
    carried = [shapes.reply(f"R{n}", top, now - 50 + n) for n in range(5)]
    shapes.add_threads(shapes.page([shapes.thread(top, now - 60, replies=carried, total=6)]), channel_id=TEAM)
    shapes.add_replies(top, [*carried, shapes.reply("R5", top, now - 10)])
    channel = shapes.unsaved({"channel_ids": [TEAM]})

    first = chunks(channel)
    channel.cursor = first[-1].cursor
    second = chunks(channel)

    assert ids(first) == [top, *(f"{top}.R{n}" for n in range(6))]
    assert all(m.parent_id == m.thread_id == top for m in first[0].mentions[1:])
    assert ids(second) == []
    asked = [c for c in responses.calls if str(c.request.url).startswith(COMMENTS_URL)]
    assert len(asked) == 1  # the second poll: six counted, six read


@responses.activate
def test_a_followed_video_whose_comments_were_turned_off_is_followed_no_more():
    until = int(time.time()) + 86_400
    body = shapes.google_error(
        403, "commentsDisabled", "The video identified by the videoId parameter has disabled comments."
    )
    shapes.add_threads(body, video_id="abcDEF12345", status=403)
    channel = shapes.unsaved(
        {"keywords": ["gitlab"]}, {"videos": {"abcDEF12345": {"keyword": "gitlab", "until": until}}}
    )
    channel.cursor["searched"] = {"gitlab": int(time.time())}

    results = chunks(channel)

    assert results[-1].cursor["videos"] == {}
    assert ids(results) == []


@responses.activate
def test_a_refused_key_is_an_error_in_words_that_never_quotes_the_key(caplog):
    body = shapes.google_error(400, "keyInvalid", f"API key not valid. Please pass a valid API key. ({KEY})")
    shapes.add_threads(body, channel_id=TEAM, status=400)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(Exception) as raised:
        chunks(shapes.unsaved({"channel_ids": [TEAM]}))

    assert "HTTP 400" in str(raised.value) and "API key not valid" in str(raised.value)
    assert KEY not in str(raised.value) and KEY not in caplog.text


@responses.activate
def test_test_connection_makes_one_call_and_none_once_the_days_units_are_spent():
    shapes.add_threads(shapes.page([shapes.thread("UgyOne", time.time() - 60)]), channel_id=TEAM)
    channel = shapes.unsaved({"channel_ids": [TEAM], "daily_quota": 100})

    said = adapter.test_connection(channel=channel, session=build_session())
    channel.cursor = {"quota": {"day": pacific_day(datetime.now(tz=UTC)), "spent": 100}}
    spent = adapter.test_connection(channel=channel, session=build_session())

    assert said == f"YouTube answered: 1 item(s) for channel {TEAM}."
    assert spent.startswith("YouTube was not asked: YouTube: the day's quota budget is spent (100 of 100)")
    assert len(responses.calls) == 1


def test_the_quota_day_is_the_pacific_day_and_resets_at_its_midnight():
    moment = datetime(2026, 11, 28, 7, 30, tzinfo=UTC)  # 23:30 on the 27th in Los Angeles

    assert pacific_day(moment) == "2026-11-27"
    assert next_reset(moment) == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    assert next_reset(moment + timedelta(hours=1)) == datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


# --- replying ------------------------------------------------------------------------------------------------


def _account(channel):
    account = Account(
        channel=channel, username=OURS, status=Account.Status.CONNECTED, reply_mode=Account.ReplyMode.DESK
    )
    account.tokens = {"access_token": TOKEN, "refresh_token": "1//refresh"}
    account.save()
    return account


def _target(mention):
    return ReplyTarget(
        external_id=mention.external_id, thread_id=mention.thread_id, parent_id=mention.parent_id,
        permalink=mention.permalink, raw=mention.raw,
    )  # fmt: skip


def _send(channel, mention, text="Thanks: cache:key:files keeps it per lock file."):
    return adapter.post_reply(
        channel=channel, account=_account(channel), session=build_session(), target=_target(mention), text=text
    )


def _reply_of_the_thread():
    top = "Ugy_CAftKrIUCyPr9GR4AaABAg"
    thread = shapes.thread(top, time.time() - 60, replies=[shapes.reply("R1", top, time.time() - 30, author=ASKER)])
    return adapter.parse_page(thread).mentions


@pytest.mark.django_db
@responses.activate
def test_a_reply_answers_the_top_level_comment_as_the_connected_account():
    channel = shapes.youtube_channel()
    responses.post(COMMENTS_URL, json=shapes.load("comment_insert.json"))
    _top, their_reply = _reply_of_the_thread()

    sent = _send(channel, their_reply)  # answering a reply answers its thread

    request = responses.calls[0].request
    assert json.loads(request.body or "") == {
        "snippet": {
            "parentId": "Ugy_CAftKrIUCyPr9GR4AaABAg",
            "textOriginal": "Thanks: cache:key:files keeps it per lock file.",
        }
    }
    assert parse_qs(urlsplit(str(request.url)).query) == {"part": ["snippet"]}
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent.external_id == "Ugy_CAftKrIUCyPr9GR4AaABAg.9iPXEClD9lW9iPXLqKy_Pt"
    assert sent.permalink == f"https://www.youtube.com/watch?v={shapes.VIDEO}&lc={sent.external_id}"
    assert sent.created_at == datetime(2022, 11, 14, 10, 23, 2, tzinfo=UTC)


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize(
    ("status", "reason", "said"),
    [
        (403, "commentsDisabled", "comments are turned off on this video"),
        (403, "forbidden", "YouTube does not let this account comment there"),
        (400, "processingFailure", "YouTube could not process the reply (processingFailure)"),
        (404, "commentNotFound", "the comment you are answering was deleted"),
        (403, "quotaExceeded", "used up: try again after midnight Pacific time"),
    ],
)
def test_a_refused_reply_says_why_in_words_and_never_shows_the_token(status, reason, said):
    channel = shapes.youtube_channel()
    responses.post(COMMENTS_URL, status=status, json=shapes.google_error(status, reason, f"{reason} for {TOKEN}"))
    top, _reply = _reply_of_the_thread()

    with pytest.raises(ReplyError) as refused:
        _send(channel, top)

    assert said in str(refused.value) and "Nothing was posted" in str(refused.value)
    assert TOKEN not in str(refused.value)


def test_a_reply_longer_than_youtubes_limit_is_refused_before_any_call():
    top, _reply = _reply_of_the_thread()

    with pytest.raises(ReplyError, match="1 to 10,000 characters"):
        adapter.post_reply(
            channel=shapes.unsaved({}),
            account=Account(),
            session=build_session(),
            target=_target(top),
            text="x" * 10_001,
        )


# --- signing in ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_connecting_sends_the_admin_to_google_for_the_comment_scope_with_a_refresh_token():
    begun = GoogleOAuth().begin(channel=shapes.youtube_channel(), redirect_uri="https://desk.example/cb", state="s1")

    query = parse_qs(urlsplit(begun.url).query)
    assert begun.url.startswith("https://accounts.google.com/o/oauth2/v2/auth?")
    assert query["scope"] == [SCOPE] and query["access_type"] == ["offline"] and query["prompt"] == ["consent"]
    assert query["code_challenge_method"] == ["S256"] and "code_verifier" in begun.secret


@pytest.mark.django_db
@responses.activate
def test_the_connected_account_is_named_by_its_youtube_channel():
    channel = shapes.youtube_channel()
    responses.post(
        "https://oauth2.googleapis.com/token", json={"access_token": TOKEN, "expires_in": 3599, "refresh_token": "1//r"}
    )
    responses.get(CHANNELS_URL, json={"items": [{"id": TEAM, "snippet": {"title": "GitLab", "customUrl": "@gitlab"}}]})

    grant = GoogleOAuth().complete(
        channel=channel, session=build_session(), params={"code": "4/0Ab"}, redirect_uri="https://desk.example/cb",
        secret={"code_verifier": "v" * 50},
    )  # fmt: skip

    assert (grant.username, grant.user_id, grant.refresh_token) == ("gitlab", TEAM, "1//r")
    assert responses.calls[1].request.headers["Authorization"] == f"Bearer {TOKEN}"
