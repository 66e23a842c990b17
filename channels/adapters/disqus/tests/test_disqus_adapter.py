import copy
import itertools
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses

from channels.adapters import AuthError, ConfigError, PayloadError, PermanentError, RateLimited, TransientError
from channels.adapters.disqus import API_ROOT, RATE_LIMITED_WAIT, DisqusAdapter
from channels.http import build_session
from channels.tests.factories import ChannelFactory
from channels.tests.sent import request_url

adapter = DisqusAdapter()

FIXTURES = Path(__file__).parent / "fixtures"
LIST_URL = f"{API_ROOT}/forums/listPosts.json"
DETAILS_URL = f"{API_ROOT}/forums/details.json"
CONFIG = {"forum": "gitlab"}
KEY = "sekrit-key"
T = 1_700_000_000  # a time inside the range a mention can have


def load(name):
    return json.loads((FIXTURES / name).read_text())


# Hand-made posts start from recorded ones, so they keep the recorded field set.
_MEMBER_POST = load("threads_listPosts.json")["response"][1]  # a registered Disqus user (twitter-72943267)
_GUEST_POST = load("posts_list.json")["response"][0]  # a guest: no username
_THREAD = load("threads_details.json")["response"]


def iso(epoch):
    """createdAt as Disqus writes it: UTC, no zone."""
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")


def user(username="jdoe", name="Jane Doe"):
    author = copy.deepcopy(_MEMBER_POST["author"])
    author.update(username=username, name=name, profileUrl=f"https://disqus.com/by/{username}/")
    return author


def guest(name="Guest"):
    author = copy.deepcopy(_GUEST_POST["author"])
    author["name"] = name
    return author


def thread(tid="297457168", *, title="Sydney", link="http://www.yvanrodic.com/posts/4522/sydney"):
    data = copy.deepcopy(_THREAD)
    data.update(id=tid, title=title, link=link)
    return data


def post(pid, created, *, parent=None, message="Does GitLab CI support this?", author=None, article=None, **kw):
    """A post as forums/listPosts returns it with related=thread (its article expanded)."""
    item = copy.deepcopy(_MEMBER_POST)
    item.update(
        id=str(pid),
        createdAt=iso(created),
        parent=parent,
        message=message,
        raw_message=kw.pop("raw_message", message),
        author=author if author is not None else user(),
        thread=article or thread(),
        **kw,
    )
    return item


def envelope(posts, *, next_cursor=None):
    return {
        "cursor": {
            "prev": None,
            "hasNext": next_cursor is not None,
            "next": next_cursor or "1304739587938416:0:0",
            "hasPrev": False,
            "total": None,
            "id": "1304739587938416:0:0",
            "more": next_cursor is not None,
        },
        "code": 0,
        "response": posts,
    }


def cursor_is(expected):
    """Matches a request by its `cursor=` parameter (None: the first page, sent without one)."""

    def match(request):
        got = dict(parse_qsl(urlsplit(request.url).query)).get("cursor")
        return got == expected, f"cursor {got!r} != {expected!r}"

    return [match]


def add_page(posts, *, cursor=None, next_cursor=None, headers=None):
    responses.get(LIST_URL, json=envelope(posts, next_cursor=next_cursor), match=cursor_is(cursor), headers=headers)


def params_of(call):
    return dict(parse_qsl(urlsplit(call.request.url).query))


_names = itertools.count(1)


def disqus_channel(**kw):
    n = next(_names)
    kw.setdefault("name", f"Disqus blog {n}")
    kw.setdefault("slug", f"disqus-blog-{n}")
    kw.setdefault("config", dict(CONFIG))
    kw.setdefault("our_accounts", ["gitlab"])
    channel = ChannelFactory(kind="disqus", **kw)
    channel.credentials = {"api_key": KEY}
    channel.save()
    return channel


def keys_anywhere(value):
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_anywhere(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_anywhere(v)}
    return set()


# --- recorded payloads -------------------------------------------------------------------


class Recorded(NamedTuple):
    """What a recorded post payload holds (posts, replies, members' posts) and what storing it makes (tickets, posts
    joining another's ticket: test_disqus_poll)."""

    posts: int
    with_parent: int
    members: int
    tickets: int
    threaded: int


RECORDED_POSTS = {
    # Both replies answer 196091929, which is not in the file: each opens its own ticket.
    "posts_list.json": Recorded(posts=4, with_parent=2, members=0, tickets=4, threaded=0),
    # 199088808 answers 199054391 in the same file: it joins that ticket.
    "threads_listPosts.json": Recorded(posts=2, with_parent=1, members=1, tickets=1, threaded=1),
    "users_listPosts.json": Recorded(posts=1, with_parent=0, members=1, tickets=1, threaded=0),
    "posts_details.json": Recorded(posts=1, with_parent=1, members=0, tickets=1, threaded=0),
}


@pytest.mark.parametrize("fixture", RECORDED_POSTS)
def test_every_recorded_post_payload_parses_with_its_item_count(fixture):
    count, with_parent, members, _, _ = RECORDED_POSTS[fixture]
    payload = load(fixture)
    mentions = adapter.parse_payload(payload)
    recorded = payload["response"] if isinstance(payload["response"], list) else [payload["response"]]
    assert len(mentions) == count == len(recorded)
    assert [m.external_id for m in mentions] == [p["id"] for p in recorded]
    assert sum(1 for m in mentions if m.parent_id) == with_parent
    assert sum(1 for m in mentions if m.author_handle) == members
    for m in mentions:
        assert m.created_at.tzinfo is UTC
        assert m.author_name and m.text
        assert m.thread_id == ""
        assert m.title == m.permalink == ""  # recorded without related=thread: the article is only an id
        assert not m.deleted
        assert "email" not in keys_anywhere(m.raw) and "ipAddress" not in keys_anywhere(m.raw)
        assert m.raw["thread"] == next(p["thread"] for p in recorded if p["id"] == m.external_id)


def test_recorded_thread_posts_map_every_field():
    reply, top = adapter.parse_payload(load("threads_listPosts.json"))
    assert top.external_id == "199054391"
    assert (top.author_handle, top.author_name) == ("twitter-72943267", "Diego Maya Medina")
    assert top.author_url == "http://disqus.com/twitter-72943267/"
    assert top.created_at == datetime(2011, 5, 7, 3, 39, 47, tzinfo=UTC)  # no zone in the payload: UTC
    assert top.text == "Always beautiful and fun pictures"
    assert top.parent_id == ""
    # The reply's parent is an integer in the payload; ids are strings.
    assert load("threads_listPosts.json")["response"][0]["parent"] == 199054391
    assert (reply.external_id, reply.parent_id) == ("199088808", "199054391")
    assert (reply.author_handle, reply.author_name) == ("", "cat")  # a guest
    assert reply.author_url == "http://disqus.com/guest/86a6a9e72914d50f4557111a85e1628d/"
    assert "emailHash" not in reply.raw["author"]  # a hash of an e-mail address is personal data too
    assert "email" not in reply.raw["author"] and "ipAddress" not in reply.raw


def test_recorded_html_message_becomes_plain_text():
    [first, joyce, *_] = adapter.parse_payload(load("posts_list.json"))
    assert first.text == "love the old bum guy with the long hair and the flute!"
    assert joyce.text.startswith("Joyce Y\nAs a Chinese, I do think")
    assert '"icon" of China.' in joyce.text


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (load("forums_listThreads.json"), "is a Disqus thread"),
        (load("threads_details.json"), "is a Disqus thread"),
        (load("error_code2_missing_argument.json"), r"Disqus API error response \(code 2: Missing required argument"),
        ({"code": 5, "response": "Invalid API key"}, r"error response \(code 5: Invalid API key\)"),
        ("just text", "expected a saved Disqus API response with posts"),
        ({"code": 0, "response": "forum gone"}, '"response" must be a list of posts or one post'),
        (
            {"code": 0, "response": [{"id": "1", "name": "GitLab", "url": "https://about.gitlab.com"}]},
            "not a Disqus post",
        ),
        ({"code": 0, "response": ["1"]}, "not a Disqus post"),
    ],
)
def test_payloads_without_posts_are_rejected_clearly(payload, message):
    with pytest.raises(PayloadError, match=message):
        adapter.parse_payload(payload)


def test_an_unreadable_post_is_rejected_alone_and_the_rest_of_the_page_kept():
    page = envelope(
        [
            {"id": "1", "message": "hi", "createdAt": "yesterday"},
            {"id": "", "message": "hi", "createdAt": "2024-01-01T00:00:00"},
            "1",
            {"id": "5", "message": "hi", "createdAt": "0001-01-01T00:00:00"},
            post(2, T),
        ]
    )
    parsed = adapter.parse_page(page)
    assert [m.external_id for m in parsed.mentions] == ["2"]
    assert [(r.external_id, r.error.split(":")[0]) for r in parsed.rejected] == [
        ("1", "PayloadError"),
        ("", "PayloadError"),
        ("", "PayloadError"),
        ("5", "PayloadError"),
    ]
    assert "bad createdAt 'yesterday'" in parsed.rejected[0].error
    assert "usable id" in parsed.rejected[1].error and "not a JSON object" in parsed.rejected[2].error
    assert parsed.rejected[0].raw == {"id": "1", "message": "hi", "createdAt": "yesterday"}
    # A dead letter's item is read again on its own (`parse_item`): still rejected, the good one parses.
    assert adapter.parse_item(post(2, T)).mentions[0].external_id == "2"
    assert adapter.parse_item(parsed.rejected[0].raw).rejected


def test_a_list_of_pages_and_bare_posts_parse():
    t = 1_700_000_000
    pages = [envelope([post(1, t)]), envelope([post(2, t + 1, parent=1)])]
    assert [(m.external_id, m.parent_id) for m in adapter.parse_payload(pages)] == [("1", ""), ("2", "1")]
    assert [m.external_id for m in adapter.parse_payload([post(3, t), post(4, t)])] == ["3", "4"]
    assert adapter.parse_payload(post(5, t))[0].external_id == "5"


# --- hand-made edge cases ----------------------------------------------------------------


def test_related_thread_gives_the_article_title_and_the_comment_permalink():
    [m] = adapter.parse_payload(envelope([post(199054391, 1_700_000_000)]))
    assert m.title == "Sydney"
    assert m.permalink == "http://www.yvanrodic.com/posts/4522/sydney#comment-199054391"
    assert m.thread_id == ""
    assert m.raw["thread"]["id"] == "297457168"  # the article stays in raw


def test_guest_authors_have_no_handle_even_when_they_sign_with_our_name():
    impostor = guest("gitlab")
    impostor["username"] = "gitlab"  # cannot happen for a real guest; a guest is never one of our accounts
    [signed, plain] = adapter.parse_payload(envelope([post(1, T, author=impostor), post(2, T, author=guest("Ann"))]))
    assert (signed.author_handle, signed.author_name) == ("", "gitlab")
    assert (plain.author_handle, plain.author_name) == ("", "Ann")
    assert plain.author_url.startswith("http://disqus.com/guest/")


def test_missing_optional_fields_give_empty_values():
    [m] = adapter.parse_payload(
        {"code": 0, "response": [{"id": 77, "createdAt": "2024-02-29T23:59:59", "message": ""}]}
    )
    assert m.external_id == "77"
    assert m.created_at == datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC)
    assert (m.text, m.title, m.permalink, m.parent_id, m.thread_id) == ("", "", "", "", "")
    assert (m.author_handle, m.author_name, m.author_url) == ("", "", "")
    assert m.deleted is False and m.edited_at is None


def test_unicode_emoji_and_html_entities_are_plain_text():
    item = post(
        9,
        1_700_000_000,
        message='<p>Ça marche pas 😭 &mdash; voir <a href="https://docs.gitlab.com/ee/ci/" rel="nofollow">la doc</a>'
        " &amp; &lt;T&gt;</p><p>Merci&nbsp;!</p>\x00",
        author=user("jörg", "Jörg &amp; 😀"),
        article=thread(title="C&#39;est &quot;cass&#233;&quot; &amp; GitLab 🚀"),
    )
    [m] = adapter.parse_payload(envelope([item]))
    assert m.text == "Ça marche pas 😭 — voir la doc (https://docs.gitlab.com/ee/ci/) & <T>\n\nMerci\xa0!"
    assert m.title == 'C\'est "cassé" & GitLab 🚀'
    assert m.author_handle == "jörg"
    assert m.author_name == "Jörg &amp; 😀"  # names are not HTML: kept as written


def test_raw_message_is_used_when_the_html_message_is_absent():
    item = post(10, 1_700_000_000, raw_message="plain <b>as typed</b>")
    del item["message"]
    [m] = adapter.parse_payload(envelope([item]))
    assert m.text == "plain <b>as typed</b>"


def test_a_deleted_post_is_handed_over_as_deleted():
    [m] = adapter.parse_payload(envelope([post(11, 1_700_000_000, message="", raw_message="", isDeleted=True)]))
    assert m.deleted is True


def test_spam_and_unapproved_posts_are_skipped():
    posts = [post(1, T, isSpam=True), post(2, T, isApproved=False), post(3, T), post(4, T, isSpam=False)]
    assert [m.external_id for m in adapter.parse_payload(envelope(posts))] == ["3", "4"]


def test_email_and_ip_address_are_never_kept_even_nested():
    item = post(12, 1_700_000_000)
    item["author"]["email"] = "jane@example.com"
    item["ipAddress"] = "203.0.113.7"
    item["thread"]["author"] = {"email": "owner@example.com", "ipAddress": "203.0.113.8", "name": "Owner"}
    item["media"] = [{"ipAddress": "203.0.113.9", "url": "https://example.com/a.png"}]
    [m] = adapter.parse_payload(envelope([item]))
    dumped = json.dumps(m.raw)
    assert "example.com/a.png" in dumped and "Owner" in dumped
    assert "@example.com" not in dumped and "203.0.113" not in dumped
    assert {"email", "ipAddress"}.isdisjoint(keys_anywhere(m.raw))
    assert item["ipAddress"] == "203.0.113.7"  # the caller's payload is not modified


@pytest.mark.parametrize(
    ("parent", "expected"),
    [(199054391, "199054391"), ("199054391", "199054391"), (None, ""), (True, ""), ("abc", ""), (13, "")],
)
def test_parent_integer_or_id_string(parent, expected):
    [m] = adapter.parse_payload(envelope([post(13, 1_700_000_000, parent=parent)]))
    assert m.parent_id == expected  # a post is never its own parent


@pytest.mark.parametrize(
    ("created", "expected"),
    [
        ("2011-05-07T04:43:30", datetime(2011, 5, 7, 4, 43, 30, tzinfo=UTC)),
        ("2024-01-01T12:00:00+02:00", datetime(2024, 1, 1, 10, 0, tzinfo=UTC)),
        ("2024-01-01T12:00:00Z", datetime(2024, 1, 1, 12, 0, tzinfo=UTC)),
    ],
)
def test_created_at_is_utc(created, expected):
    item = post(14, 0)
    item["createdAt"] = created
    [m] = adapter.parse_payload(envelope([item]))
    assert m.created_at == expected and m.created_at.utcoffset() == timedelta(0)


def test_unsafe_links_are_never_urls():
    author = user()
    author["profileUrl"] = "javascript:alert(1)"
    [m] = adapter.parse_payload(envelope([post(15, T, author=author, article=thread(link="javascript:alert(2)"))]))
    assert m.author_url == "" and m.permalink == ""


# --- config ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("gitlab", "JSON object"),
        ({}, '"forum" is required'),
        ({"forum": " "}, '"forum" is required'),
        ({"forum": 7}, '"forum" is required'),
        ({"forum": "https://gitlab.disqus.com/"}, 'not a Disqus shortname.*Did you mean "gitlab"'),
        ({"forum": "about.gitlab.com/blog"}, "not a URL"),
        ({"forum": "git lab"}, "not a Disqus shortname"),
        ({**CONFIG, "site": "x"}, r"Unknown Disqus setting\(s\): site"),
        ({**CONFIG, "api_key": "x"}, r"Unknown Disqus setting\(s\): api_key"),
        ({**CONFIG, "overlap_seconds": -1}, '"overlap_seconds" must be a whole number from 0 to 86400'),
        ({**CONFIG, "backfill_hours": "24"}, '"backfill_hours" must be a whole number'),
        ({**CONFIG, "max_requests_per_poll": 0}, '"max_requests_per_poll" must be a whole number from 1'),
        ({**CONFIG, "max_requests_per_poll": True}, '"max_requests_per_poll" must be a whole number'),
    ],
)
def test_bad_config_is_refused_with_a_specific_message(config, message):
    with pytest.raises(ConfigError, match=message):
        adapter.validate_config(config)


def test_good_config_is_normalised():
    assert adapter.validate_config({"forum": " GitLab "}) == {"forum": "gitlab"}
    full = {"forum": "gitlab-docs", "overlap_seconds": 0, "backfill_hours": 48, "max_requests_per_poll": 5}
    assert adapter.validate_config(full) == full


@pytest.mark.django_db
def test_a_bad_config_is_refused_on_save():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="not a Disqus shortname"):
        ChannelFactory(kind="disqus", name="Docs", slug="docs", config={"forum": "docs.gitlab.com"})


# --- fetch ---------------------------------------------------------------------------------


@pytest.mark.django_db
@responses.activate
def test_fetch_sends_the_documented_query_and_maps_the_page():
    now = int(time.time())
    channel = disqus_channel()
    reset = now + 1800
    add_page(
        [post(1, now - 120), post(2, now - 60, parent=1, author=guest("Ann"))],
        headers={"X-Ratelimit-Limit": "1000", "X-Ratelimit-Remaining": "998", "X-Ratelimit-Reset": str(reset)},
    )

    result = adapter.fetch(channel=channel, session=build_session())

    sent = params_of(responses.calls[0])
    assert abs(int(sent.pop("since")) - (now - 24 * 3600)) <= 1
    assert sent == {"forum": "gitlab", "api_key": KEY, "limit": "100", "order": "asc", "related": "thread"}
    assert request_url(responses.calls[0].request).startswith(LIST_URL + "?")
    first, reply = result.mentions
    assert (first.external_id, first.title, first.text) == ("1", "Sydney", "Does GitLab CI support this?")
    assert first.permalink == "http://www.yvanrodic.com/posts/4522/sydney#comment-1"
    assert (reply.parent_id, reply.author_handle, reply.author_name) == ("1", "", "Ann")
    assert result.requests_made == 1 and result.reads == 2
    assert result.cursor["since"] == now - 60
    assert set(result.cursor["seen"]) == {"1", "2"}
    assert result.cursor["seen"]["2"][0] == now - 60
    assert result.platform_status["ratelimit_limit"] == 1000
    assert result.platform_status["ratelimit_remaining"] == 998
    assert result.platform_status["ratelimit_reset_at"] == datetime.fromtimestamp(reset, tz=UTC).isoformat()
    assert result.not_before is None


@pytest.mark.django_db
@responses.activate
def test_pages_are_followed_with_cursor_next_and_duplicates_and_disorder_are_handled():
    now = int(time.time())
    channel = disqus_channel()
    # The same post on both pages (a post arriving between the calls shifts them), times out of order.
    add_page([post(3, now - 10), post(1, now - 50)], next_cursor="1304739587938416:1:0")
    add_page([post(1, now - 50), post(2, now - 40)], cursor="1304739587938416:1:0")

    first, second = adapter.fetch_chunks(channel=channel, session=build_session())

    # Each page is a chunk, oldest first within it; the post read on page 1 is not handed over again.
    assert [m.external_id for m in first.mentions] == ["1", "3"]
    assert [m.external_id for m in second.mentions] == ["2"]
    assert [params_of(c).get("cursor") for c in responses.calls] == [None, "1304739587938416:1:0"]
    assert params_of(responses.calls[1])["since"] == params_of(responses.calls[0])["since"]
    since = int(params_of(responses.calls[0])["since"])
    assert first.cursor["walk"] == {"since": since, "next": "1304739587938416:1:0"}
    assert first.more is True and second.more is False and "walk" not in second.cursor
    assert second.cursor["since"] == now - 10
    assert (first.requests_made, second.requests_made, first.reads, second.reads) == (1, 1, 2, 2)


@pytest.mark.django_db
@responses.activate
def test_the_overlap_is_reread_and_what_was_handed_over_is_dropped():
    t = int(time.time()) - 3600
    channel = disqus_channel()
    add_page([post(10, t)])
    first = adapter.fetch(channel=channel, session=build_session())
    assert [m.external_id for m in first.mentions] == ["10"]

    # Post 11 reached the API late but has the same second as post 10, which we already have.
    responses.reset()
    add_page([post(10, t), post(11, t)])
    channel.cursor = first.cursor
    second = adapter.fetch(channel=channel, session=build_session())

    assert params_of(responses.calls[0])["since"] == str(t - 600)
    assert [m.external_id for m in second.mentions] == ["11"]
    assert second.cursor["since"] == t
    assert set(second.cursor["seen"]) == {"10", "11"}


@pytest.mark.django_db
@responses.activate
def test_a_post_edited_or_deleted_inside_the_overlap_is_handed_over_again():
    t = int(time.time()) - 300
    channel = disqus_channel()
    add_page([post(20, t, message="first"), post(21, t + 1, message="spam-ish")])
    first = adapter.fetch(channel=channel, session=build_session())
    channel.cursor = first.cursor

    responses.reset()
    add_page([post(20, t, message="first, edited"), post(21, t + 1, message="", raw_message="", isDeleted=True)])
    second = adapter.fetch(channel=channel, session=build_session())

    edited, deleted = second.mentions
    assert (edited.external_id, edited.text, edited.deleted) == ("20", "first, edited", False)
    assert edited.edited_at is not None and abs((edited.edited_at - datetime.now(UTC)).total_seconds()) < 60
    assert (deleted.external_id, deleted.deleted, deleted.edited_at) == ("21", True, None)


@pytest.mark.django_db
@responses.activate
def test_spam_unapproved_and_unusable_posts_are_skipped_or_rejected_but_read_over():
    now = int(time.time())
    channel = disqus_channel()
    broken = post(4, now - 30)
    broken["createdAt"] = "not a time"
    add_page([post(1, now - 40), post(2, now - 20, isSpam=True), broken, post(3, now - 10, isApproved=False)])

    result = adapter.fetch(channel=channel, session=build_session())

    assert [m.external_id for m in result.mentions] == ["1"]
    assert [r.external_id for r in result.rejected] == ["4"]  # kept as a dead letter with its payload
    assert "bad createdAt 'not a time'" in result.rejected[0].error
    assert result.cursor["since"] == now - 10  # read over: nothing older is asked for again
    # Spam and unapproved posts are not remembered: approved later inside the overlap, they are handed over.
    assert set(result.cursor["seen"]) == {"1", "4"} and result.cursor["seen"]["4"][1].startswith("!")

    # The overlap reads the page again: the broken post is not rejected a second time.
    channel.cursor = result.cursor
    again = adapter.fetch(channel=channel, session=build_session())
    assert again.mentions == [] and again.rejected == []


@pytest.mark.django_db
@responses.activate
def test_a_post_from_the_future_does_not_carry_the_cursor_past_now():
    now = int(time.time())
    channel = disqus_channel()
    add_page([post(1, now - 60), post(2, now + 86400)])
    result = adapter.fetch(channel=channel, session=build_session())
    assert [m.external_id for m in result.mentions] == ["1", "2"]
    assert now - 1 <= result.cursor["since"] <= now + 1
    assert set(result.cursor["seen"]) == {"1", "2"}


@pytest.mark.django_db
@responses.activate
def test_the_request_budget_stops_the_walk_and_the_cursor_moves_only_over_what_was_read():
    now = int(time.time())
    channel = disqus_channel(config={**CONFIG, "max_requests_per_poll": 1})
    add_page([post(1, now - 50), post(2, now - 40)], next_cursor="c2")

    result = adapter.fetch(channel=channel, session=build_session())

    assert len(responses.calls) == 1
    assert [m.external_id for m in result.mentions] == ["1", "2"]
    assert result.cursor["since"] == now - 40  # ascending: the unread page 2 is all newer
    assert result.cursor["walk"]["next"] == "c2" and result.more is True  # the next poll (soon) reads it


@pytest.mark.django_db
@responses.activate
def test_an_empty_first_poll_keeps_the_backfill_window():
    now = int(time.time())
    channel = disqus_channel(config={**CONFIG, "backfill_hours": 2, "overlap_seconds": 60})
    add_page([])
    result = adapter.fetch(channel=channel, session=build_session())
    assert result.mentions == []
    assert abs(result.cursor["since"] - (now - 7200 + 60)) <= 1
    assert result.cursor["seen"] == {}


@pytest.mark.django_db
@responses.activate
def test_a_rate_limit_on_a_later_page_keeps_the_pages_read_and_asks_to_wait():
    now = int(time.time())
    channel = disqus_channel()
    add_page([post(1, now - 50)], next_cursor="c2")
    responses.get(LIST_URL, json={"code": 13, "response": "You have exceeded the rate limit for this resource."})

    result = adapter.fetch(channel=channel, session=build_session())

    assert [m.external_id for m in result.mentions] == ["1"]
    assert result.cursor["since"] == now - 50
    assert result.not_before is not None
    wait = (result.not_before - datetime.now(UTC)).total_seconds()
    assert RATE_LIMITED_WAIT - 5 < wait <= RATE_LIMITED_WAIT


@pytest.mark.django_db
@responses.activate
def test_no_requests_left_stops_every_channel_on_the_key_until_the_reset():
    now = int(time.time())
    blog = disqus_channel()
    docs = disqus_channel(config={"forum": "gitlab-docs"})
    add_page([post(1, now - 50)], headers={"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": str(now + 600)})

    result = adapter.fetch(channel=blog, session=build_session())

    assert [m.external_id for m in result.mentions] == ["1"]
    assert result.not_before == datetime.fromtimestamp(now + 600, tz=UTC)
    assert result.platform_status["ratelimit_remaining"] == 0
    with pytest.raises(RateLimited, match="no requests left for this API key") as info:
        adapter.fetch(channel=docs, session=build_session())
    assert info.value.retry_after is not None
    assert 590 < info.value.retry_after <= 600
    assert len(responses.calls) == 1


@pytest.mark.django_db
@responses.activate
def test_a_reset_given_in_seconds_is_read_as_seconds_from_now():
    channel = disqus_channel()
    add_page([], headers={"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "120"})
    result = adapter.fetch(channel=channel, session=build_session())
    assert result.not_before is not None
    assert 110 < (result.not_before - datetime.now(UTC)).total_seconds() <= 120


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (400, load("error_code2_missing_argument.json"), ConfigError, "error 2: Missing required argument: 'user'"),
        (400, {"code": 2, "response": "Invalid argument, 'forum': Unable to find forum"}, ConfigError, "shortname"),
        (400, {"code": 2, "response": "Invalid argument, 'api_key'"}, AuthError, "public API key was refused"),
        (400, {"code": 5, "response": "Invalid API key"}, AuthError, "error 5: Invalid API key"),
        (403, {"code": 12, "response": "This application does not have enough privileges"}, AuthError, "error 12"),
        (400, {"code": 8, "response": "A requested object was not found"}, ConfigError, "error 8"),
        (200, {"code": 13, "response": "You have exceeded the rate limit for this resource."}, RateLimited, "13"),
        (429, {"code": 14, "response": "You have exceeded the rate limit for your account."}, RateLimited, "14"),
        (500, {"code": 15, "response": "There was an error processing your request"}, TransientError, "error 15"),
        (400, {"code": 16, "response": "Your request timed out"}, TransientError, "error 16"),
        (400, {"code": 1, "response": "Endpoint not valid"}, PermanentError, "error 1: Endpoint not valid"),
        (400, {"code": 99, "response": "Something new"}, PermanentError, "error 99"),
        (500, None, TransientError, "HTTP 500"),
        (503, None, TransientError, "HTTP 503"),
        (429, None, RateLimited, "HTTP 429"),
        (403, None, AuthError, "HTTP 403"),
        (404, None, PermanentError, "HTTP 404"),
    ],
)
def test_api_errors_map_to_what_the_poller_should_do(status, body, error, message):
    channel = disqus_channel()
    kwargs = {"json": body} if body is not None else {"body": "<html>Service Unavailable</html>"}
    responses.get(LIST_URL, status=status, **kwargs)

    with pytest.raises(error, match=message) as info:
        adapter.fetch(channel=channel, session=build_session())

    assert KEY not in str(info.value)
    if error is ConfigError or error is PermanentError:
        assert not isinstance(info.value, AuthError)
    if error is PermanentError:
        assert not isinstance(info.value, ConfigError)


@pytest.mark.django_db
@responses.activate
def test_a_rate_limit_error_waits_until_the_reset_header():
    channel = disqus_channel()
    reset = int(time.time()) + 900
    responses.get(
        LIST_URL,
        json={"code": 13, "response": "You have exceeded the rate limit for this resource."},
        headers={"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": str(reset)},
    )
    with pytest.raises(RateLimited) as info:
        adapter.fetch(channel=channel, session=build_session())
    assert info.value.retry_after is not None
    assert 890 < info.value.retry_after <= 900


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"body": requests.exceptions.ConnectTimeout(f"timed out: ...api_key={KEY}")}, TransientError, "timed out"),
        ({"body": requests.exceptions.ConnectionError(f"refused ...api_key={KEY}")}, TransientError, "network error"),
        ({"body": "{not json"}, PayloadError, "not JSON"),
        ({"body": f"<html>api_key={KEY}</html>"}, PayloadError, "not JSON"),
        ({"json": {"posts": []}}, PayloadError, "not a Disqus API envelope"),
        ({"json": [1, 2]}, PayloadError, "not a Disqus API envelope"),
        ({"json": {"code": 0, "response": {"id": "1"}}}, PayloadError, "not a list of posts"),
        ({"body": b"not gzip at all", "headers": {"Content-Encoding": "gzip"}}, PayloadError, "could not be decoded"),
    ],
)
def test_network_and_body_failures(kwargs, error, message):
    channel = disqus_channel()
    responses.get(LIST_URL, **kwargs)
    with pytest.raises(error, match=message) as info:
        adapter.fetch(channel=channel, session=build_session())
    assert KEY not in str(info.value)
    # The requests exception (its message holds the URL, with the key) is not chained either.
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__


@pytest.mark.django_db
@pytest.mark.parametrize("credentials", [{}, {"api_key": ""}, {"api_key": 123}, {"key": "x"}])
def test_a_missing_api_key_is_a_config_error(credentials):
    channel = disqus_channel()
    channel.credentials = credentials
    channel.save()
    with pytest.raises(ConfigError, match=r'needs the public key .*\{"api_key": "…"\}'):
        adapter.fetch(channel=channel, session=build_session())


# --- test_connection -----------------------------------------------------------------------


@pytest.mark.django_db
@responses.activate
def test_connection_names_the_forum():
    channel = disqus_channel()
    responses.get(
        DETAILS_URL,
        json={"code": 0, "response": {"id": "gitlab", "name": "GitLab", "url": "https://about.gitlab.com/blog/"}},
    )
    assert (
        adapter.test_connection(channel=channel, session=build_session())
        == "Disqus answered: forum GitLab (https://about.gitlab.com/blog/)"
    )
    assert params_of(responses.calls[0]) == {"forum": "gitlab", "api_key": KEY}
    assert len(responses.calls) == 1


@pytest.mark.django_db
@responses.activate
def test_connection_reports_the_rate_limit_when_disqus_sends_it():
    channel = disqus_channel()
    responses.get(
        DETAILS_URL,
        json={"code": 0, "response": {"id": "gitlab", "name": "GitLab", "url": "https://about.gitlab.com/blog/"}},
        headers={"X-Ratelimit-Limit": "1000", "X-Ratelimit-Remaining": "997"},
    )
    summary = adapter.test_connection(channel=channel, session=build_session())
    assert summary == "Disqus answered: forum GitLab (https://about.gitlab.com/blog/); rate limit: 997 of 1000 left"


@pytest.mark.django_db
@responses.activate
def test_connection_with_a_refused_key_is_an_auth_error_without_the_key():
    channel = disqus_channel()
    responses.get(DETAILS_URL, status=400, json={"code": 5, "response": "Invalid API key"})
    with pytest.raises(AuthError, match="Invalid API key") as info:
        adapter.test_connection(channel=channel, session=build_session())
    assert KEY not in str(info.value)
