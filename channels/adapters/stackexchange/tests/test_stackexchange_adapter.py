import copy
import gzip
import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses
from django.core.cache import cache
from django.core.management import CommandError
from responses import matchers

from channels.adapters import AuthError, ConfigError, PayloadError, PermanentError, RateLimited, TransientError
from channels.adapters.stackexchange import (
    API_ROOT,
    QUESTIONS,
    StackExchangeAdapter,
    backoff_cache_key,
    site_domain,
)
from channels.http import build_session
from channels.tests.factories import ChannelFactory
from channels.tests.harness import ingest_payload, ingest_payload_twice
from channels.tests.sent import request_url
from mentions.models import Message

adapter = StackExchangeAdapter()

FIXTURES = Path(__file__).parent / "fixtures"
QUESTIONS_URL = API_ROOT + "/questions"
ANSWERS_URL = re.compile(re.escape(API_ROOT) + r"/questions/[0-9;]+/answers")
COMMENTS_URL = re.compile(re.escape(API_ROOT) + r"/posts/[0-9;]+/comments")
INFO_URL = API_ROOT + "/info"
CONFIG = {"site": "stackoverflow", "tags": ["gitlab"]}


def load(name):
    return json.loads((FIXTURES / name).read_text())


# Hand-made items start from recorded ones, so they keep the recorded field set.
_QUESTION = load("questions_by_ids.json")["items"][0]
_ANSWER = load("questions_ids_answers.json")["items"][0]
_COMMENT = load("question_comments.json")["items"][0]


def owner(user_id=2327697, name="Aaron"):
    data = copy.deepcopy(_QUESTION["owner"])
    data.update(user_id=user_id, display_name=name, link=f"https://stackoverflow.com/users/{user_id}/x")
    return data


def question(
    qid, created, *, title="Runner fails with exit code 1", body="<p>My <code>.gitlab-ci.yml</code></p>", **kw
):
    item = copy.deepcopy(_QUESTION)
    item.pop("last_edit_date")
    item.update(
        question_id=qid,
        creation_date=created,
        last_activity_date=created,
        title=title,
        body=body,
        tags=["gitlab"],
        link=f"https://stackoverflow.com/questions/{qid}/some-title",
        owner=owner(),
    )
    item.update(kw)
    return item


def answer(aid, qid, created, *, body="<p>Use <code>rules:</code></p>", **kw):
    item = copy.deepcopy(_ANSWER)
    item.update(answer_id=aid, question_id=qid, creation_date=created, body=body, owner=kw.pop("owner", owner()), **kw)
    return item


def comment(cid, post_id, created, *, body="Which runner version?", **kw):
    item = copy.deepcopy(_COMMENT)
    item.update(comment_id=cid, post_id=post_id, creation_date=created, body=body, owner=kw.pop("owner", owner()), **kw)
    return item


def wrapper(items, *, has_more=False, quota_remaining=9876, quota_max=10000, **extra):
    return {
        "items": items,
        "has_more": has_more,
        "quota_max": quota_max,
        "quota_remaining": quota_remaining,
        **extra,
    }


def gzipped(payload):
    """A body as the API sends it: always compressed."""
    return {"body": gzip.compress(json.dumps(payload).encode()), "headers": {"Content-Encoding": "gzip"}}


def query(**params):
    return [matchers.query_param_matcher({k: str(v) for k, v in params.items()}, strict_match=False)]


def add_questions(items, *, tag="gitlab", page=1, **kw):
    responses.get(QUESTIONS_URL, json=wrapper(items, **kw), match=query(tagged=tag, page=page))


def add_answers(items, **kw):
    responses.get(ANSWERS_URL, json=wrapper(items, **kw))


def add_comments(items, **kw):
    responses.get(COMMENTS_URL, json=wrapper(items, **kw))


def calls_to(url):
    if isinstance(url, re.Pattern):
        return [c for c in responses.calls if url.match(c.request.url)]
    return [c for c in responses.calls if request_url(c.request).split("?")[0] == url]


def _pairs(url):
    return parse_qsl(urlsplit(url).query)


def stackexchange_channel(**kw):
    kw.setdefault("config", dict(CONFIG))
    kw.setdefault("our_accounts", ["4242"])
    return ChannelFactory(kind="stackexchange", **kw)


# --- recorded payloads -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "count", "prefix"),
    [
        ("questions_list_default_filter.json", 5, "q"),
        ("questions_by_ids.json", 1, "q"),
        ("questions_ids_answers.json", 3, "a"),
        ("questions_ids_answers_anonymous_quota300.json", 1, "a"),
        ("question_comments.json", 2, "c"),
        ("users_ids_mentioned_comments.json", 4, "c"),
    ],
)
def test_every_recorded_post_payload_parses_with_its_item_count(fixture, count, prefix):
    mentions = adapter.parse_payload(load(fixture))
    assert len(mentions) == count == len(load(fixture)["items"])
    assert all(m.external_id.startswith(prefix) for m in mentions)
    assert len({m.external_id for m in mentions}) == count
    for m in mentions:
        assert m.created_at.tzinfo is UTC
        assert m.author_handle.isdigit() and m.author_name
        assert m.permalink.startswith(("http://stackoverflow.com/", "https://stackoverflow.com/"))


def test_recorded_question_maps_every_field():
    [m] = adapter.parse_payload(load("questions_by_ids.json"))
    assert m.external_id == "q19294359"
    assert m.title == "Get a key from a javascript array when array has only 1 element"
    assert m.text == ""  # recorded with the default filter: no body
    assert m.permalink.endswith("/questions/19294359/get-a-key-from-a-javascript-array-when-array-has-only-1-element")
    assert (m.author_handle, m.author_name) == ("2327697", "Aaron")
    assert m.author_url == "http://stackoverflow.com/users/2327697/aaron"
    assert m.created_at == datetime(2013, 10, 10, 11, 19, 3, tzinfo=UTC)
    assert m.edited_at == datetime(2013, 10, 13, 12, 49, 30, tzinfo=UTC)
    assert m.parent_id == m.thread_id == ""
    assert m.raw["accepted_answer_id"] == 19294401


def test_recorded_answers_thread_under_their_questions_with_short_permalinks():
    mentions = adapter.parse_payload(load("questions_ids_answers.json"))
    assert [(m.external_id, m.parent_id, m.thread_id) for m in mentions] == [
        ("a19405900", "q19401289", "q19401289"),
        ("a19401432", "q19401289", "q19401289"),
        ("a16176338", "q16067043", "q16067043"),
    ]
    # No `link` in the recorded answers: the domain comes from the owner's profile link.
    assert mentions[0].permalink == "https://stackoverflow.com/a/19405900"
    assert mentions[0].edited_at is None


def test_recorded_comments_hang_off_their_post():
    mentions = adapter.parse_payload(load("question_comments.json"))
    assert [(m.external_id, m.parent_id, m.thread_id) for m in mentions] == [
        ("c18990742", "q13804832", "q13804832"),
        ("c18990542", "q13804832", "q13804832"),
    ]
    assert mentions[0].permalink == "https://stackoverflow.com/posts/comments/18990742"
    assert mentions[0].text == ""  # default filter: comments have no body either


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (load("users_associated_wrapper.json"), "not a question, answer or comment"),
        (load("error_400_no_method.json"), r"API error response \(error 404 no_method"),
        (load("_responses_meta.json"), 'No "items" list'),
        ("just text", "JSON object"),
        ({"items": {"question_id": 1}}, '"items" must be a list'),
    ],
)
def test_payloads_without_posts_are_rejected_clearly(payload, message):
    with pytest.raises(PayloadError, match=message):
        adapter.parse_payload(payload)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"question_id": 1, "title": "no date"}, "no creation_date"),
        ({"question_id": "x", "creation_date": 1_700_000_000}, "no usable question_id"),
        ({"question_id": 1, "creation_date": "soon"}, "bad creation_date"),
        ({"question_id": 1, "creation_date": 1}, "bad creation_date"),  # 1970: before any Stack Exchange post
    ],
)
def test_an_unreadable_item_is_rejected_alone_with_a_clear_reason(item, message):
    good = question(5, 1_700_000_000)
    parsed = adapter.parse_page({"items": [item, good]})
    assert [m.external_id for m in parsed.mentions] == ["q5"]
    [rejected] = parsed.rejected
    assert message in rejected.error and rejected.raw == item


def test_a_list_of_pages_and_posts_items_parse():
    t = 1_700_000_000
    posts = {
        "items": [
            {
                "post_id": 11,
                "post_type": "question",
                "creation_date": t,
                "title": "Q &amp; A",
                "link": "https://superuser.com/questions/11/q-a",
            },
            {
                "post_id": 12,
                "post_type": "answer",
                "creation_date": t + 1,
                "link": "https://superuser.com/questions/11/q-a/12#12",
            },
        ]
    }
    mentions = adapter.parse_payload([posts, {"items": [comment(13, 12, t + 2, post_type="answer")]}])
    assert [(m.external_id, m.parent_id, m.thread_id) for m in mentions] == [
        ("q11", "", ""),
        ("a12", "q11", "q11"),
        ("c13", "a12", ""),
    ]
    assert mentions[0].title == "Q & A"
    assert mentions[1].permalink == "https://superuser.com/questions/11/q-a/12#12"
    assert adapter.parse_payload([question(5, t)])[0].external_id == "q5"  # a bare list of items


# --- hand-made edge cases ----------------------------------------------------------------


def test_missing_optional_fields_give_empty_values():
    t = 1_700_000_000
    q = {"question_id": 1, "creation_date": t}
    a = {"answer_id": 2, "question_id": 1, "creation_date": t}
    c = {"comment_id": 3, "post_id": 2, "creation_date": t}
    mq, ma, mc = adapter.parse_payload({"items": [q, a, c]})
    for m in (mq, ma, mc):
        assert (m.author_handle, m.author_name, m.author_url) == ("", "", "")
        assert m.text == "" and m.edited_at is None
        assert m.permalink == ""  # no link, no owner link, no site: nothing to guess from
    assert mq.title == ""
    assert (ma.parent_id, mc.parent_id) == ("q1", "q2")


def test_unicode_emoji_and_html_entities_are_plain_text():
    t = 1_700_000_000
    item = question(
        7,
        t,
        title="C&#39;est &quot;cass&#233;&quot; &amp; &lt;T&gt; in GitLab 🚀",
        body="<p>Ça marche pas 😭 &mdash; voir <a href='https://docs.gitlab.com/ee/ci/'>la doc</a></p>\x00",
        owner=owner(99, "J&#246;rg &amp; Co &#128512;"),
        last_edit_date=t + 60,
    )
    [m] = adapter.parse_payload({"items": [item]})
    assert m.title == 'C\'est "cassé" & <T> in GitLab 🚀'
    assert m.text == "Ça marche pas 😭 — voir la doc (https://docs.gitlab.com/ee/ci/)"
    assert m.author_name == "Jörg & Co 😀"
    assert m.edited_at == datetime.fromtimestamp(t + 60, tz=UTC)


def test_a_deleted_author_has_no_handle_but_keeps_the_name():
    item = answer(5, 4, 1_700_000_000, owner={"user_type": "does_not_exist", "display_name": "user&#39;123"})
    [m] = adapter.parse_payload({"items": [item]})
    assert (m.author_handle, m.author_name, m.author_url) == ("", "user'123", "")
    assert m.permalink == ""  # neither a link nor a profile to take the domain from


def test_a_javascript_link_is_never_a_permalink():
    item = question(8, 1_700_000_000, link="javascript:alert(1)", owner=owner(1))
    [m] = adapter.parse_payload({"items": [item]})
    assert m.permalink == "https://stackoverflow.com/q/8"


# --- config ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("stackoverflow", "JSON object"),
        ({"tags": ["gitlab"]}, '"site" is required'),
        ({"site": "https://stackoverflow.com", "tags": ["gitlab"]}, "not a Stack Exchange api_site_parameter"),
        ({"site": "stack overflow", "tags": ["gitlab"]}, "lowercase letters, digits, dots and dashes"),
        ({"site": "stackoverflow"}, '"tags" must be a non-empty list'),
        ({"site": "stackoverflow", "tags": []}, '"tags" must be a non-empty list'),
        ({"site": "stackoverflow", "tags": "gitlab"}, '"tags" must be a non-empty list'),
        ({"site": "stackoverflow", "tags": ["gitlab", ""]}, "non-empty string"),
        ({"site": "stackoverflow", "tags": ["gitlab;gitlab-ci"]}, "not a single Stack Exchange tag"),
        ({"site": "stackoverflow", "tags": ["gitlab ci"]}, "no spaces"),
        ({**CONFIG, "keywords": ["x"]}, r"Unknown Stack Exchange setting\(s\): keywords"),
        ({**CONFIG, "pagesize": 101}, '"pagesize" must be a whole number from 1 to 100'),
        ({**CONFIG, "pagesize": "50"}, '"pagesize" must be a whole number'),
        ({**CONFIG, "watch_days": -1}, '"watch_days" must be a whole number from 0'),
        ({**CONFIG, "max_requests_per_poll": True}, '"max_requests_per_poll" must be a whole number'),
        ({**CONFIG, "tags": ["a", "b", "c"], "max_requests_per_poll": 2}, "at least the number of tags"),
    ],
)
def test_bad_config_is_refused_with_a_specific_message(config, message):
    with pytest.raises(ConfigError, match=message):
        adapter.validate_config(config)


def test_good_config_is_normalised():
    cleaned = adapter.validate_config(
        {"site": " StackOverflow ", "tags": [" GitLab", "gitlab-ci", "gitlab"], "watch_days": 3, "pagesize": 50}
    )
    assert cleaned == {"site": "stackoverflow", "tags": ["gitlab", "gitlab-ci"], "watch_days": 3, "pagesize": 50}
    assert adapter.validate_config({"site": "ru.stackoverflow", "tags": ["гитлаб", "c#", ".net"]})["tags"] == [
        "гитлаб",
        "c#",
        ".net",
    ]


@pytest.mark.parametrize(
    ("site", "domain"),
    [
        ("stackoverflow", "stackoverflow.com"),
        ("serverfault", "serverfault.com"),
        ("meta", "meta.stackexchange.com"),
        ("meta.stackoverflow", "meta.stackoverflow.com"),
        ("pt.stackoverflow", "pt.stackoverflow.com"),
        ("meta.pt.stackoverflow", "pt.meta.stackoverflow.com"),
        ("devops", "devops.stackexchange.com"),
        ("meta.devops", "devops.meta.stackexchange.com"),
        ("mathoverflow.net", "mathoverflow.net"),
    ],
)
def test_site_domain(site, domain):
    assert site_domain(site) == domain


# --- fetch ---------------------------------------------------------------------------------


@pytest.mark.django_db
@responses.activate
def test_fetch_sends_the_documented_query_and_decodes_a_gzip_body():
    now = int(time.time())
    channel = stackexchange_channel()
    channel.credentials = {"key": "app-key-123"}
    channel.save()
    responses.get(QUESTIONS_URL, **gzipped(wrapper([question(1, now - 60)], quota_remaining=9870)))
    add_answers([], quota_remaining=9869)
    add_comments([], quota_remaining=9868)

    result = adapter.fetch(channel=channel, session=build_session())

    [m] = result.mentions
    assert (m.external_id, m.title, m.text) == ("q1", "Runner fails with exit code 1", "My .gitlab-ci.yml")
    first = responses.calls[0]
    assert isinstance(first.response, requests.Response)
    assert first.response.headers["Content-Encoding"] == "gzip"
    assert first.request.headers["Accept-Encoding"] == "gzip, deflate"
    sent = dict(_pairs(first.request.url))
    # The adapter reads the clock a moment after the test did: the second may have ticked over.
    assert abs(int(sent.pop("fromdate")) - (now - 24 * 3600)) <= 1
    assert sent == {
        "tagged": "gitlab",
        "sort": "creation",
        "order": "asc",
        "filter": "withbody",
        "pagesize": "100",
        "page": "1",
        "site": "stackoverflow",
        "key": "app-key-123",
    }
    assert calls_to(ANSWERS_URL)[0].request.url.startswith(API_ROOT + "/questions/1/answers?")
    assert calls_to(COMMENTS_URL)[0].request.url.startswith(API_ROOT + "/posts/1/comments?")
    assert result.requests_made == 3 and result.reads == 1
    assert result.platform_status["quota_remaining"] == 9868
    assert result.platform_status["quota_max"] == 10000
    assert result.not_before is None
    assert result.cursor["tags"]["gitlab"] == {"since": now - 60, "seen": {"q1": now - 60}}
    assert result.cursor["watch"]["questions"] == [[1, now - 60]]


@pytest.mark.django_db
@responses.activate
def test_each_tag_is_queried_on_its_own_and_a_question_in_both_comes_once():
    now = int(time.time())
    channel = stackexchange_channel(config={"site": "stackoverflow", "tags": ["gitlab", "gitlab-ci"]})
    add_questions([question(1, now - 30), question(2, now - 20)], tag="gitlab")
    add_questions([question(2, now - 20), question(3, now - 10)], tag="gitlab-ci")
    add_answers([])
    add_comments([])

    result = adapter.fetch(channel=channel, session=build_session())

    assert sorted(m.external_id for m in result.mentions) == ["q1", "q2", "q3"]
    assert [dict(_pairs(c.request.url))["tagged"] for c in calls_to(QUESTIONS_URL)] == ["gitlab", "gitlab-ci"]
    assert calls_to(ANSWERS_URL)[0].request.url.startswith(API_ROOT + "/questions/1;2;3/answers?")
    assert result.cursor["tags"]["gitlab"]["since"] == now - 20
    assert result.cursor["tags"]["gitlab-ci"]["since"] == now - 10


@pytest.mark.django_db
@responses.activate
def test_pages_are_followed_and_duplicates_and_disorder_are_handled():
    now = int(time.time())
    channel = stackexchange_channel(config={**CONFIG, "pagesize": 2})
    # The same question on both pages (a question arriving between the calls shifts pages), and
    # creation times out of order.
    add_questions([question(3, now - 10), question(1, now - 50)], page=1, has_more=True)
    add_questions([question(1, now - 50), question(2, now - 40)], page=2)
    add_answers([])
    add_comments([])

    result = adapter.fetch(channel=channel, session=build_session())

    assert sorted(m.external_id for m in result.mentions) == ["q1", "q2", "q3"]
    assert [dict(_pairs(c.request.url))["page"] for c in calls_to(QUESTIONS_URL)] == ["1", "2"]
    assert result.cursor["tags"]["gitlab"]["since"] == now - 10
    assert [q for q, _t in result.cursor["watch"]["questions"]] == [3, 2, 1]  # newest first


@pytest.mark.django_db
@responses.activate
def test_the_overlap_is_reread_and_what_was_handed_over_is_dropped():
    t = int(time.time()) - 600
    channel = stackexchange_channel(
        cursor={
            "version": 1,
            "tags": {"gitlab": {"since": t, "seen": {"q10": t}}},
            "watch": {"questions": [[10, t]], "answers": []},
            "answers": {"since": t, "seen": {}},
            "comments": {"since": t, "seen": {}},
        }
    )
    # q11 was indexed late but shares the second of q10, which we already have.
    responses.get(QUESTIONS_URL, json=wrapper([question(10, t), question(11, t)]), match=query(fromdate=t - 300))
    add_answers([])
    add_comments([])

    result = adapter.fetch(channel=channel, session=build_session())

    assert [m.external_id for m in result.mentions] == ["q11"]
    assert result.cursor["tags"]["gitlab"] == {"since": t, "seen": {"q10": t, "q11": t}}


@pytest.mark.django_db
@responses.activate
def test_watched_questions_yield_answers_and_comments_on_both_posts():
    now = int(time.time())
    t = now - 3600
    channel = stackexchange_channel(
        cursor={
            "version": 1,
            "tags": {"gitlab": {"since": t, "seen": {"q10": t}}},
            "watch": {"questions": [[10, t]], "answers": [[20, 10, t + 60]]},
            "answers": {"since": t + 60, "seen": {"a20": t + 60}},
            "comments": {"since": t, "seen": {}},
        }
    )
    add_questions([question(10, t)])
    add_answers([answer(20, 10, t + 60), answer(21, 10, t + 120)])
    add_comments([comment(30, 10, t + 130), comment(31, 21, t + 140), comment(32, 20, t + 150, post_type="answer")])

    result = adapter.fetch(channel=channel, session=build_session())

    got = {m.external_id: (m.parent_id, m.thread_id) for m in result.mentions}
    assert got == {
        "a21": ("q10", "q10"),
        "c30": ("q10", "q10"),
        "c31": ("a21", "q10"),  # the new answer's comments are read in the same poll
        "c32": ("a20", "q10"),
    }
    answers_call = calls_to(ANSWERS_URL)[0].request.url
    assert answers_call.startswith(API_ROOT + "/questions/10/answers?")
    assert dict(_pairs(answers_call))["fromdate"] == str(t + 60 - 300)
    comments_call = calls_to(COMMENTS_URL)[0].request.url
    assert comments_call.startswith(API_ROOT + "/posts/10;20;21/comments?")
    assert dict(_pairs(comments_call))["fromdate"] == str(t - 300)
    assert result.cursor["watch"]["answers"] == [[21, 10, t + 120], [20, 10, t + 60]]
    assert result.cursor["answers"]["since"] == t + 120
    assert result.cursor["comments"] == {
        "since": t + 150,
        "seen": {"c30": t + 130, "c31": t + 140, "c32": t + 150},
    }
    assert [m.permalink for m in result.mentions if m.external_id in ("a21", "c31")] == [
        "https://stackoverflow.com/a/21",
        "https://stackoverflow.com/posts/comments/31",
    ]


@pytest.mark.django_db
@responses.activate
def test_a_question_found_late_has_its_earlier_answers_read():
    now = int(time.time())
    old_q = now - 7200
    channel = stackexchange_channel(
        cursor={
            "version": 1,
            "tags": {"gitlab": {"since": now - 100, "seen": {}}},
            "watch": {"questions": [[10, now - 500]], "answers": []},
            "answers": {"since": now - 100, "seen": {}},
            "comments": {"since": now - 100, "seen": {}},
        }
    )
    # Question 11 appears only now (e.g. the index lagged), created long before the answers cursor.
    add_questions([question(11, old_q)])
    add_answers([answer(21, 11, old_q + 60)])
    add_comments([])

    result = adapter.fetch(channel=channel, session=build_session())

    assert sorted(m.external_id for m in result.mentions) == ["a21", "q11"]
    assert dict(_pairs(calls_to(ANSWERS_URL)[0].request.url))["fromdate"] == str(old_q - 300)
    assert dict(_pairs(calls_to(COMMENTS_URL)[0].request.url))["fromdate"] == str(old_q - 300)
    # The stream was complete: its cursor goes back up to where it was.
    assert result.cursor["answers"]["since"] == now - 100


@pytest.mark.django_db
@responses.activate
def test_the_watch_list_forgets_questions_after_watch_days():
    now = int(time.time())
    channel = stackexchange_channel(
        config={**CONFIG, "watch_days": 1},
        cursor={
            "version": 1,
            "tags": {"gitlab": {"since": now - 60, "seen": {}}},
            "watch": {"questions": [[1, now - 2 * 86400], [2, now - 3600]], "answers": [[5, 1, now - 86400 - 60]]},
            "answers": {"since": now - 60, "seen": {}},
            "comments": {"since": now - 60, "seen": {}},
        },
    )
    add_questions([])
    add_answers([])
    add_comments([])

    result = adapter.fetch(channel=channel, session=build_session())

    assert result.cursor["watch"] == {"questions": [[2, now - 3600]], "answers": []}
    assert calls_to(ANSWERS_URL)[0].request.url.startswith(API_ROOT + "/questions/2/answers?")


@pytest.mark.django_db
@responses.activate
def test_a_backoff_is_honoured_on_the_next_poll():
    now = int(time.time())
    channel = stackexchange_channel()
    add_questions([question(1, now - 60)], backoff=120)
    add_answers([])
    add_comments([])

    first = adapter.fetch(channel=channel, session=build_session())

    assert [m.external_id for m in first.mentions] == ["q1"]
    assert first.not_before is not None
    assert 110 < (first.not_before - datetime.now(UTC)).total_seconds() <= 120
    assert "/questions" in first.platform_status["backoff_until"]
    assert now + 115 < first.cursor["backoff"]["/questions"] < time.time() + 121

    channel.cursor = first.cursor
    cache.clear()  # Redis flushed, or the key evicted: the channel's cursor still remembers
    second = adapter.fetch(channel=channel, session=build_session())

    # /questions is not called while under backoff; the other methods still are.
    assert len(calls_to(QUESTIONS_URL)) == 1
    assert len(calls_to(ANSWERS_URL)) == len(calls_to(COMMENTS_URL)) == 2
    assert len(responses.calls) == 5
    assert second.cursor["tags"] == first.cursor["tags"]  # the skipped stream keeps its place
    assert second.not_before is not None and second.requests_made == 2
    assert second.cursor["backoff"] == first.cursor["backoff"]


@pytest.mark.django_db
@responses.activate
def test_a_backoff_is_shared_through_the_cache_with_every_channel_on_the_site():
    now = int(time.time())
    first_channel = stackexchange_channel()
    other_channel = stackexchange_channel(config={"site": "stackoverflow", "tags": ["gitlab-runner"]})
    elsewhere = stackexchange_channel(config={"site": "serverfault", "tags": ["gitlab"]})
    add_questions([question(1, now - 60)], backoff=120)
    add_questions([question(2, now - 60)], tag="gitlab-runner")
    add_answers([])
    add_comments([])

    adapter.fetch(channel=first_channel, session=build_session())
    until = cache.get(backoff_cache_key("stackoverflow", QUESTIONS))
    assert now + 115 < until < time.time() + 121

    skipped = adapter.fetch(channel=other_channel, session=build_session())  # a fresh cursor: only the cache knows
    assert skipped.mentions == [] and skipped.requests_made == 0
    adapter.fetch(channel=elsewhere, session=build_session())  # another site is not held back
    assert [dict(_pairs(c.request.url))["site"] for c in calls_to(QUESTIONS_URL)] == ["stackoverflow", "serverfault"]


@pytest.mark.django_db
@responses.activate
def test_a_backoff_on_answers_keeps_their_cursor_and_skips_only_that_method():
    now = int(time.time())
    t = now - 3600
    channel = stackexchange_channel(
        cursor={
            "version": 1,
            "tags": {"gitlab": {"since": t, "seen": {}}},
            "watch": {"questions": [[10, t]], "answers": []},
            "answers": {"since": t, "seen": {}},
            "comments": {"since": t, "seen": {}},
        }
    )
    cache.set(backoff_cache_key("stackoverflow", "/questions/{ids}/answers"), time.time() + 60, timeout=61)
    add_questions([])
    add_comments([comment(30, 10, t + 10)])

    result = adapter.fetch(channel=channel, session=build_session())

    assert calls_to(ANSWERS_URL) == []
    assert [m.external_id for m in result.mentions] == ["c30"]
    assert result.cursor["answers"] == {"since": t, "seen": {}}
    assert result.cursor["comments"]["since"] == t + 10


@pytest.mark.django_db
@responses.activate
def test_the_request_budget_stops_the_walk_and_the_cursor_moves_only_over_what_was_read():
    now = int(time.time())
    channel = stackexchange_channel(config={**CONFIG, "pagesize": 2, "max_requests_per_poll": 1})
    add_questions([question(1, now - 50), question(2, now - 40)], page=1, has_more=True)

    result = adapter.fetch(channel=channel, session=build_session())

    assert len(responses.calls) == 1
    assert sorted(m.external_id for m in result.mentions) == ["q1", "q2"]
    assert result.cursor["tags"]["gitlab"]["since"] == now - 40  # ascending: page 2 is all newer
    # Follow-ups were not read: their cursor starts at the questions' creation next time.
    assert result.cursor["answers"] == {"since": now - 50, "seen": {}}
    assert result.cursor["comments"] == {"since": now - 50, "seen": {}}


@pytest.mark.django_db
@responses.activate
def test_an_unusable_item_is_skipped_and_the_rest_delivered():
    now = int(time.time())
    channel = stackexchange_channel()
    add_questions([{"question_id": 1, "title": "no creation date"}, "not an object", question(2, now - 30)])
    add_answers([])
    add_comments([])
    result = adapter.fetch(channel=channel, session=build_session())
    assert [m.external_id for m in result.mentions] == ["q2"]


def _throttle(seconds):
    return {
        "error_id": 502,
        "error_name": "throttle_violation",
        "error_message": f"too many requests from this IP, more requests available in {seconds} seconds",
    }


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (400, _throttle(900), RateLimited, "throttle_violation"),
        (400, {"error_id": 403, "error_name": "access_denied", "error_message": "no"}, AuthError, "app key"),
        (400, {"error_id": 400, "error_name": "bad_parameter", "error_message": "key"}, AuthError, "refused"),
        (
            400,
            {"error_id": 400, "error_name": "bad_parameter", "error_message": "No site found for name `stackoverflw`"},
            ConfigError,
            "No site found for name `stackoverflw`",
        ),
        (400, load("error_400_no_method.json"), PermanentError, "no method found with this name"),
        (500, None, TransientError, "HTTP 500"),
        (
            503,
            {"error_id": 503, "error_name": "temporarily_unavailable", "error_message": "down"},
            TransientError,
            "temporarily_unavailable",
        ),
        (429, None, RateLimited, "HTTP 429"),
        (403, None, AuthError, "HTTP 403"),
    ],
)
def test_api_errors_map_to_what_the_poller_should_do(status, body, error, message):
    channel = stackexchange_channel()
    channel.credentials = {"key": "sekrit-key"}
    channel.save()
    kwargs = {"json": body} if body is not None else {"body": "<html>Service Unavailable</html>"}
    responses.get(QUESTIONS_URL, status=status, **kwargs)

    with pytest.raises(error, match=message) as info:
        adapter.fetch(channel=channel, session=build_session())

    assert "sekrit" not in str(info.value)
    if body and body.get("error_name") == "throttle_violation":
        assert info.value.retry_after == 900
    if error is ConfigError:
        assert not isinstance(info.value, AuthError)


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"body": requests.exceptions.ConnectTimeout("timed out: ...key=sekrit-key")}, TransientError, "timed out"),
        ({"body": requests.exceptions.ConnectionError("refused ...key=sekrit-key")}, TransientError, "network error"),
        ({"body": "{not json"}, PayloadError, "not JSON"),
        ({"json": {"quota_max": 1}}, PayloadError, '"items" list'),
        ({"body": b"not gzip at all", "headers": {"Content-Encoding": "gzip"}}, PayloadError, "could not be decoded"),
    ],
)
def test_network_and_body_failures(kwargs, error, message):
    channel = stackexchange_channel()
    channel.credentials = {"key": "sekrit-key"}
    channel.save()
    responses.get(QUESTIONS_URL, **kwargs)
    with pytest.raises(error, match=message) as info:
        adapter.fetch(channel=channel, session=build_session())
    assert "sekrit" not in str(info.value)
    # The requests exception (its message holds the URL, with the key) is not chained either.
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__


@pytest.mark.django_db
@responses.activate
def test_connection_reports_the_quota():
    channel = stackexchange_channel()
    responses.get(
        INFO_URL,
        **gzipped(wrapper([{"total_questions": 23_456_789, "api_revision": "2024.1"}], quota_remaining=9876)),
        match=query(site="stackoverflow"),
    )
    summary = adapter.test_connection(channel=channel, session=build_session())
    assert summary == "stackoverflow answered: quota 9,876 of 10,000 left; 23,456,789 questions on the site."


@pytest.mark.django_db
@responses.activate
def test_connection_under_backoff_does_not_call_and_says_how_long():
    channel = stackexchange_channel()
    cache.set(backoff_cache_key("stackoverflow", "/info"), time.time() + 30, timeout=31)
    with pytest.raises(RateLimited) as info:
        adapter.test_connection(channel=channel, session=build_session())
    assert info.value.retry_after is not None
    assert 25 < info.value.retry_after <= 30
    assert len(responses.calls) == 0


# --- saved payloads through `manage.py ingest_payload` -------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fixture", "count", "tickets"),
    [
        ("questions_list_default_filter.json", 5, 5),
        ("questions_by_ids.json", 1, 1),
        # Their questions are not stored: each answer or comment opens its own ticket.
        ("questions_ids_answers.json", 3, 3),
        ("questions_ids_answers_anonymous_quota300.json", 1, 1),
        ("question_comments.json", 2, 2),
        ("users_ids_mentioned_comments.json", 4, 4),
    ],
)
def test_every_recorded_post_payload_ingests_once(fixture, count, tickets):
    channel = stackexchange_channel(name="SO demo", slug="so-demo", cursor={"version": 1, "tags": {}})
    first, second = ingest_payload_twice(channel, FIXTURES / fixture)
    assert (first["received"], first["created"], first["tickets_created"]) == (count, count, tickets)
    assert (second["created"], second["duplicates"]) == (0, count)
    assert Message.objects.filter(channel=channel).count() == count
    channel.refresh_from_db()
    assert channel.cursor == {"version": 1, "tags": {}}


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", ["users_associated_wrapper.json", "error_400_no_method.json"])
def test_non_post_payloads_are_refused_by_ingest_payload(fixture):
    channel = stackexchange_channel(name="SO demo", slug="so-demo")
    with pytest.raises(CommandError, match="not a valid Stack Overflow / Stack Exchange payload"):
        ingest_payload("--channel", "so-demo", str(FIXTURES / fixture))
    assert Message.objects.filter(channel=channel).count() == 0
