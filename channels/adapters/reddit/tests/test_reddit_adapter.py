import copy
import html
import json
import time
import uuid
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from responses import matchers

from channels.adapters import AuthError, ConfigError, PayloadError, PermanentError, RateLimited, TransientError
from channels.adapters.reddit import API_URL, AUTH_URL, RedditAdapter
from channels.http import build_session
from channels.tests.factories import ChannelFactory
from channels.tests.sent import request_url
from mentions.models import Message

FIXTURES = Path(__file__).parent / "fixtures"
adapter = RedditAdapter()

# Rate-limit headers as recorded (fixtures/reddit/_responses_meta.json, subreddit_comments_page1).
RATELIMIT = {"x-ratelimit-remaining": "599.0", "x-ratelimit-reset": "525", "x-ratelimit-used": "1"}


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


# --- builders in the recorded shapes, with chosen values ----------------------------------

_COMMENT = load("subreddit_comments_page1.json")["data"]["children"][0]["data"]
_POST = load("subreddit_new_submissions.json")["data"]["children"][1]["data"]  # a self post


def comment(id36, created, *, body="Is GitLab CI down?", author="alice", post="p1", parent=None, sub="gitlab", **extra):
    data = copy.deepcopy(_COMMENT)
    data.update(
        id=id36,
        name=f"t1_{id36}",
        created_utc=float(created),
        created=float(created),
        body=body,
        body_html=f'<div class="md"><p>{html.escape(body, quote=False)}</p>\n</div>',
        author=author,
        link_id=f"t3_{post}",
        parent_id=parent or f"t3_{post}",
        link_title=f"Post {post}",
        subreddit=sub,
        edited=False,
        permalink=f"/r/{sub}/comments/{post}/post_{post}/{id36}/",
    )
    data.update(extra)
    return {"kind": "t1", "data": data}


def post(id36, created, *, title="GitLab runner question", selftext="How do I register a runner?", author="bob",
         sub="gitlab", **extra):  # fmt: skip
    data = copy.deepcopy(_POST)
    data.update(
        id=id36,
        name=f"t3_{id36}",
        created_utc=float(created),
        created=float(created) + 28800,  # the legacy local-time field: never to be used
        title=title,
        selftext=selftext,
        selftext_html=f'<!-- SC_OFF --><div class="md"><p>{html.escape(selftext, quote=False)}</p></div><!-- SC_ON -->',
        author=author,
        subreddit=sub,
        is_self=True,
        edited=False,
        permalink=f"/r/{sub}/comments/{id36}/slug_{id36}/",
        url=f"https://www.reddit.com/r/{sub}/comments/{id36}/slug_{id36}/",
    )
    data.update(extra)
    return {"kind": "t3", "data": data}


def listing(things, *, after=None):
    return {
        "kind": "Listing",
        "data": {"after": after, "dist": len(things), "modhash": None, "children": things, "before": None},
    }


def page(path, things, *, after=None, from_=None, headers=None):
    """One listing page: the newest (no `after` sent) or the one below `from_`."""
    params = {"limit": "100", "raw_json": "1", **({"after": from_} if from_ else {})}
    return responses.get(
        API_URL + path,
        json=listing(things, after=after),
        headers=RATELIMIT if headers is None else headers,
        match=[matchers.query_param_matcher(params, strict_match=True)],
    )


def mock_token(token="tok-1", expires_in=86400):  # noqa: S107 (a fake access token)
    return responses.post(
        AUTH_URL, json={"access_token": token, "token_type": "bearer", "expires_in": expires_in, "scope": "*"}
    )


def mock_listing(path, things, *, after=None, headers=None, **query):
    match = [matchers.query_param_matcher(query, strict_match=False)] if query else []
    return responses.get(
        API_URL + path,
        json=listing(things, after=after),
        headers=RATELIMIT if headers is None else headers,
        match=match,
    )


_names = iter(range(10**6))


def new_app() -> str:
    return f"app-{uuid.uuid4().hex[:12]}"


def reddit_channel(*, credentials=None, our_accounts=(), cursor=None, **config):
    n = next(_names)
    channel = ChannelFactory(
        kind="reddit",
        name=f"Reddit {n}",
        slug=f"reddit-{n}",
        config=config or {"subreddits": ["gitlab"]},
        our_accounts=list(our_accounts),
        cursor=cursor or {},
    )
    # A client_id of its own: the token and the budget are cached per client in the shared Redis.
    channel.credentials = credentials or {"client_id": new_app(), "client_secret": "s"}
    channel.save()
    return channel


def token_calls():
    return [c for c in responses.calls if request_url(c.request).startswith(AUTH_URL)]


def api_calls():
    return [c for c in responses.calls if request_url(c.request).startswith(API_URL)]


def query(call):
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


@pytest.fixture
def fresh_minute():
    """The per-minute budget resets on the minute: keep a test inside one minute."""
    if time.time() % 60 > 55:
        time.sleep(61 - time.time() % 60)


# --- the recorded payloads ------------------------------------------------------------------

META = load("_responses_meta.json")

FIXTURE_COUNTS = [
    ("subreddit_comments_page1.json", 5, {"t1": 5}),
    ("subreddit_comments_page2_before.json", 5, {"t1": 5}),
    ("subreddit_comments_empty_before.json", 0, {}),
    ("subreddit_new_submissions.json", 4, {"t3": 4}),
    ("search_all.json", 3, {"t3": 3}),
    ("inbox_username_mentions.json", 3, {"t1": 3}),
    ("deleted_comment_api_info.json", 1, {"t1": 1}),
    ("removed_comment_api_info.json", 1, {"t1": 1}),
    ("comment_reply_post.json", 1, {"t1": 1}),
    ("comment_edit_post.json", 1, {"t1": 1}),
]


@pytest.mark.parametrize(("fixture", "count", "kinds"), FIXTURE_COUNTS)
def test_every_recorded_payload_parses_with_its_item_count(fixture, count, kinds):
    payload = load(fixture)
    mentions = adapter.parse_payload(payload)
    assert len(mentions) == count
    by_kind: dict[str, int] = {}
    for m in mentions:
        by_kind[m.external_id[:2]] = by_kind.get(m.external_id[:2], 0) + 1
        assert m.external_id == m.raw["data"]["name"]
        # Always created_utc, never the legacy `created`.
        assert m.created_at == datetime.fromtimestamp(m.raw["data"]["created_utc"], tz=UTC)
        assert m.permalink.startswith("https://www.reddit.com/")
        assert "replies" not in m.raw["data"]
    assert by_kind == kinds
    kept = META.get(fixture.removesuffix(".json"), {}).get("children_kept")
    if kept is not None:
        assert count == kept


@pytest.mark.parametrize("fixture", ["error_403.json", "_responses_meta.json"])
def test_payloads_that_are_not_listings_are_rejected_clearly(fixture):
    with pytest.raises(PayloadError, match=r"error response|expected a Reddit Listing"):
        adapter.parse_payload(load(fixture))


def test_recorded_comment_maps_every_field():
    first, *_ = adapter.parse_payload(load("subreddit_comments_page1.json"))
    assert first.external_id == "t1_k3yrfii"
    assert first.text == "Did it work?"
    assert first.author_handle == first.author_name == "Acceptable-Bread-566"
    assert first.author_url == "https://www.reddit.com/user/Acceptable-Bread-566"
    assert first.parent_id == "t1_k3u4rtt" and first.thread_id == "t3_agi5zf"
    assert first.created_at == datetime(2023, 10, 8, 8, 46, 8, tzinfo=UTC)
    assert first.permalink == (
        "https://www.reddit.com/r/%3CTEST_SUBREDDIT%3E/comments/agi5zf/%3CTEST_SUBREDDIT%3E/k3yrfii/"
    )
    assert first.deleted is False and first.edited_at is None


def test_recorded_comments_keep_emoji_and_markdown_as_given():
    by_id = {m.external_id: m for m in adapter.parse_payload(load("subreddit_comments_page1.json"))}
    assert "🥇" in by_id["t1_k3yiw5z"].text and "😈" in by_id["t1_k3yiw5z"].text
    assert by_id["t1_k3yczsn"].text.startswith("> Trading Long Term")  # markdown quote, raw


def test_recorded_posts_link_posts_carry_their_url_and_self_posts_their_text():
    link, selfpost, *_ = adapter.parse_payload(load("subreddit_new_submissions.json"))
    assert link.external_id == "t3_5jo13y" and link.title == "Farewell Rush - We will never forget your stream"
    assert link.text == "https://www.youtube.com/watch?v=w5aNSHEUfJE"
    assert selfpost.text.startswith("Don't lowball me")
    assert link.parent_id == link.thread_id == ""
    # created_utc 1482373050 = 02:17:30 UTC; the legacy `created` is 8 hours later.
    assert link.created_at == datetime(2016, 12, 22, 2, 17, 30, tzinfo=UTC)


def test_recorded_search_results_have_clean_permalinks_and_edit_times():
    first, second, third = adapter.parse_payload(load("search_all.json"))
    assert first.permalink == (
        "https://www.reddit.com/r/redditdev/comments/3gpbiu/prawoauth2util_problem_using_get_banned_raise/"
    )
    assert first.edited_at == datetime.fromtimestamp(1439447718, tz=UTC)
    assert second.edited_at is None
    assert "I don't want to use PRAW" in third.text and "&#39;" not in third.text


def test_recorded_deleted_comment_is_marked_deleted_without_an_author():
    [m] = adapter.parse_payload(load("deleted_comment_api_info.json"))
    assert m.deleted is True
    assert m.text == "[deleted]"  # as the platform gives it; the ingest keeps the stored text
    assert m.author_handle == "" and m.author_url == "" and m.author_name == "[deleted]"
    assert m.created_at == datetime(2016, 9, 14, 1, 17, 43, tzinfo=UTC)  # not `created` (8 h off)
    assert m.permalink == "https://www.reddit.com/comments/52o2fl/_/d7ltvl0/"  # built: /api/info had none


def test_recorded_removed_comment_fixture_is_in_fact_still_visible():
    # SOURCES.md says "body [removed]", but the recorded body is the comment's text: PRAW's
    # test refreshed a comment that was still up. So it is not deleted; see the hand-made case.
    [m] = adapter.parse_payload(load("removed_comment_api_info.json"))
    assert m.text.startswith("For me the issue") and m.deleted is False
    assert m.parent_id == "t1_dm9ldf0" and m.thread_id == "t3_6wmniq"


def test_recorded_inbox_mentions_thread_through_their_context():
    first, *_ = adapter.parse_payload(load("inbox_username_mentions.json"))
    assert first.external_id == "t1_ekftbox"
    assert first.parent_id == "t3_bb24k7" and first.thread_id == "t3_bb24k7"  # from `context`: no link_id
    assert first.permalink == (
        "https://www.reddit.com/r/RemovedByBotter/comments/bb24k7/just_a_normal_girl_going_for_her_10th_class_exam/ekftbox/"
    )
    assert first.title == "Just a normal girl going for her 10th class exam in India"


def test_recorded_reply_and_edit_answers_parse():
    [reply] = adapter.parse_payload(load("comment_reply_post.json"))
    assert reply.external_id == "t1_d1680wu" and reply.parent_id == "t1_d1616q2" and reply.edited_at is None
    [edit] = adapter.parse_payload(load("comment_edit_post.json"))
    assert edit.text == "New text"
    assert edit.edited_at == datetime(2016, 3, 20, 3, 27, 43, tzinfo=UTC)  # 1458444463.0


def test_an_api_comment_answer_with_errors_is_refused_with_them():
    payload = {"json": {"errors": [["RATELIMIT", "you are doing that too much", "ratelimit"]], "data": {}}}
    with pytest.raises(PayloadError, match="RATELIMIT"):
        adapter.parse_payload(payload)


@pytest.mark.django_db
@pytest.mark.parametrize(("fixture", "count", "kinds"), FIXTURE_COUNTS)
def test_ingest_payload_command_stores_each_recorded_listing_once(fixture, count, kinds):
    channel = reddit_channel()

    def run():
        out = StringIO()
        call_command("ingest_payload", "--channel", channel.slug, str(FIXTURES / fixture), stdout=out)
        return json.loads(out.getvalue())

    first, second = run(), run()
    assert first["received"] == count
    assert first["created"] == count - first["duplicates"]
    assert second["created"] == 0 and second["duplicates"] == count
    assert Message.objects.filter(channel=channel).count() == first["created"]
    # The two comment pages hold the same five comments: nothing is stored twice.
    if fixture.startswith("subreddit_comments_page"):
        assert first["created"] == 5


@pytest.mark.django_db
def test_ingest_payload_command_refuses_an_error_body():
    channel = reddit_channel()
    with pytest.raises(CommandError, match="not a valid Reddit payload"):
        call_command("ingest_payload", "--channel", channel.slug, str(FIXTURES / "error_403.json"), stdout=StringIO())


# --- hand-made edge cases -------------------------------------------------------------------


def test_missing_optional_fields_give_empty_values():
    bare_comment = {"kind": "t1", "data": {"id": "abc", "created_utc": 1700000000, "body": "hi"}}
    bare_post = {"kind": "t3", "data": {"name": "t3_xyz", "created_utc": 1700000001.5, "title": "T"}}
    c, p = adapter.parse_payload(listing([bare_comment, bare_post]))
    assert c.external_id == "t1_abc"  # fullname from kind + id when `name` is missing
    assert (c.author_handle, c.author_url, c.parent_id, c.thread_id, c.title) == ("", "", "", "", "")
    assert c.permalink == "" and c.edited_at is None and c.deleted is False
    assert p.text == "" and p.title == "T" and p.permalink == "https://www.reddit.com/comments/xyz/"


def test_an_item_without_created_utc_is_refused():
    with pytest.raises(PayloadError, match="created_utc"):
        adapter.parse_payload(listing([{"kind": "t1", "data": {"name": "t1_a", "created": 1700000000, "body": "x"}}]))


def test_unicode_emoji_and_names_survive():
    [m] = adapter.parse_payload(
        listing([comment("u1", 1700000000, body="Grüße 🦊 GitLab — ça marche", author="Ærø_dev")])
    )
    assert m.text == "Grüße 🦊 GitLab — ça marche"
    assert m.author_handle == "Ærø_dev"
    assert m.author_url == "https://www.reddit.com/user/%C3%86r%C3%B8_dev"


def test_raw_json_text_is_kept_exactly_even_when_it_looks_like_an_entity():
    # With raw_json=1 (what fetch asks for) a literal "&amp;" typed by the author stays.
    [m] = adapter.parse_payload(listing([comment("e1", 1700000000, body="Tom &amp; Jerry <3 & a < b")]))
    assert m.text == "Tom &amp; Jerry <3 & a < b"


def test_a_payload_saved_without_raw_json_is_unescaped_once():
    escaped = comment("e2", 1700000000, body="a &lt;b&gt; &amp;amp; c", link_title="Q&amp;A")
    escaped["data"]["body_html"] = "&lt;div class=&quot;md&quot;&gt;&lt;p&gt;a &amp;lt;b&amp;gt;&lt;/p&gt;&lt;/div&gt;"
    [m] = adapter.parse_payload(listing([escaped]))
    assert m.text == "a <b> &amp; c"
    assert m.title == "Q&A"


def test_deleted_removed_and_orphaned_items():
    deleted = comment("d1", 1700000000, body="[deleted]", author="[deleted]")
    removed = comment("d2", 1700000001, body="[removed]", author="alice")
    orphan = comment("d3", 1700000002, body="still here", author="[deleted]")  # account gone, text kept
    modpost = post(
        "d4", 1700000003, selftext="", is_self=False, url="https://example.com", removed_by_category="moderator"
    )
    held = post("d5", 1700000004, removed_by_category="automod_filtered")
    d1, d2, d3, d4, d5 = adapter.parse_payload(listing([deleted, removed, orphan, modpost, held]))
    assert (d1.deleted, d2.deleted, d3.deleted, d4.deleted, d5.deleted) == (True, True, False, True, False)
    assert d1.author_handle == "" and d1.author_url == ""
    assert d2.author_handle == "alice" and d2.text == "[removed]"
    assert d3.author_handle == "" and d3.text == "still here"


def test_edited_is_false_or_an_epoch_float():
    things = [
        comment("x1", 1700000000, edited=1700000500.25),
        comment("x2", 1700000000, edited=False),
        comment("x3", 1700000000, edited=True),  # very old items: edited, time unknown
    ]
    x1, x2, x3 = adapter.parse_payload(listing(things))
    assert x1.edited_at == datetime.fromtimestamp(1700000500.25, tz=UTC)
    assert x2.edited_at is None and x3.edited_at is None


def test_a_comment_page_with_nested_replies_is_flattened():
    root = post("p9", 1700000000)
    child = comment("c1", 1700000100, post="p9")
    grandchild = comment("c2", 1700000200, post="p9", parent="t1_c1")
    child["data"]["replies"] = listing([grandchild, {"kind": "more", "data": {"count": 3, "children": ["a", "b"]}}])
    mentions = adapter.parse_payload([listing([root]), listing([child])])
    assert [m.external_id for m in mentions] == ["t3_p9", "t1_c1", "t1_c2"]
    assert mentions[2].parent_id == "t1_c1" and mentions[2].thread_id == "t3_p9"


def test_a_link_post_with_text_keeps_both():
    [m] = adapter.parse_payload(
        listing([post("l1", 1700000000, is_self=False, selftext="see", url="https://gitlab.com")])
    )
    assert m.text == "see\n\nhttps://gitlab.com"


# --- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ([], "JSON object"),
        ({}, "at least one keyword"),
        ({"keywords": [], "subreddits": []}, "at least one keyword"),
        ({"keywords": "gitlab"}, '"keywords" must be a list'),
        ({"keywords": ["gitlab", ""]}, "non-empty string"),
        ({"keywords": ["x" * 513]}, "512"),
        ({"subreddits": "gitlab"}, '"subreddits" must be a list'),
        ({"subreddits": ["r/gitlab"]}, 'without "r/"'),
        ({"subreddits": ["/r/gitlab"]}, 'without "r/"'),
        ({"subreddits": ["git lab"]}, "not a subreddit name"),
        ({"subreddits": ["_gitlab"]}, "not a subreddit name"),
        ({"subreddits": ["g" * 22]}, "not a subreddit name"),
        ({"subreddits": ["gitlab+devops"]}, "not a subreddit name"),
        ({"subreddits": ["all"]}, "feed of all of Reddit"),
        ({"keywords": ["gitlab"], "colour": "red"}, r"Unknown Reddit setting\(s\): colour"),
        ({"keywords": ["gitlab"], "include_comments": "yes"}, "true or false"),
        ({"keywords": ["gitlab"], "overlap_seconds": -1}, '"overlap_seconds" must be a whole number'),
        ({"keywords": ["gitlab"], "backfill_hours": True}, '"backfill_hours"'),
        ({"keywords": ["gitlab"], "requests_per_minute": 101}, "from 1 to 100"),
        ({"keywords": ["gitlab"], "requests_per_minute": 1.5}, '"requests_per_minute"'),
    ],
)
def test_bad_config_is_refused_with_a_specific_message(config, message):
    with pytest.raises(ConfigError, match=message):
        adapter.validate_config(config)


def test_config_is_cleaned():
    assert adapter.validate_config({"keywords": [" gitlab ", "GitLab"], "subreddits": ["gitlab", "GitLab", "de"]}) == {
        "keywords": ["gitlab"],
        "subreddits": ["gitlab", "de"],
    }
    assert adapter.validate_config({"subreddits": ["gitlab"]}) == {"subreddits": ["gitlab"]}
    full = {
        "keywords": ["gitlab"],
        "subreddits": ["gitlab"],
        "include_comments": False,
        "overlap_seconds": 600,
        "backfill_hours": 24,
        "requests_per_minute": 90,
        "max_requests_per_poll": 30,
    }
    assert adapter.validate_config(full) == full


@pytest.mark.django_db
def test_a_bad_config_is_refused_when_the_channel_is_saved():
    with pytest.raises(ValidationError, match="r/"):
        ChannelFactory(kind="reddit", name="R", slug="r", config={"subreddits": ["r/gitlab"]})


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize(
    ("credentials", "message"),
    [
        ({}, "client_id and client_secret"),
        ({"client_id": "id"}, "client_id and client_secret"),
        ({"client_id": "id", "client_secret": "sekrit", "username": "bot"}, "username and password go together"),
    ],
)
def test_missing_credentials_are_a_config_error_before_any_request(credentials, message):
    channel = reddit_channel()
    channel.credentials = credentials
    channel.save()
    with pytest.raises(ConfigError, match=message) as info:
        adapter.fetch(channel=channel, session=build_session())
    assert "sekrit" not in str(info.value)
    assert len(responses.calls) == 0


# --- OAuth ------------------------------------------------------------------------------------


@pytest.mark.django_db
@responses.activate
def test_the_token_is_requested_once_and_every_call_is_authorised_and_raw():
    channel = reddit_channel(subreddits=["gitlab"], keywords=["gitlab"])
    mock_token()
    for path in ("/r/gitlab/new", "/r/gitlab/comments", "/search"):
        mock_listing(path, [])

    adapter.fetch(channel=channel, session=build_session())
    adapter.fetch(channel=channel, session=build_session())

    [token_call] = token_calls()
    assert token_call.request.body == "grant_type=client_credentials"
    assert token_call.request.headers["Authorization"].startswith("Basic ")  # client_id:client_secret
    assert len(api_calls()) == 6
    for call in api_calls():
        assert call.request.headers["Authorization"] == "bearer tok-1"
        ua = call.request.headers["User-Agent"]
        assert ua.startswith(settings.DESK_USER_AGENT) and f"reddit-channel:{channel.slug}" in ua
        params = query(call)
        assert params["raw_json"] == "1" and params["limit"] == "100"
        assert "before" not in params
    search = query(api_calls()[2])
    assert search == {"q": "gitlab", "sort": "new", "type": "link", "t": "all", "limit": "100", "raw_json": "1"}


@pytest.mark.django_db
@responses.activate
def test_the_token_is_refreshed_a_minute_before_it_expires():
    channel = reddit_channel(subreddits=["gitlab"], include_comments=False)
    mock_token(expires_in=61)  # usable for 61 s, so refreshed after 1 s
    mock_listing("/r/gitlab/new", [])

    adapter.fetch(channel=channel, session=build_session())
    adapter.fetch(channel=channel, session=build_session())
    assert len(token_calls()) == 1
    time.sleep(1.2)
    adapter.fetch(channel=channel, session=build_session())
    assert len(token_calls()) == 2
    assert len(api_calls()) == 3


@pytest.mark.django_db
@responses.activate
def test_the_password_grant_is_used_for_a_script_app_and_cached_per_user():
    app = new_app()
    creds = {"client_id": app, "client_secret": "s", "username": "gitlab_bot", "password": "pw-sekrit"}
    channel = reddit_channel(credentials=creds, subreddits=["gitlab"], include_comments=False)
    app_only = reddit_channel(
        credentials={"client_id": app, "client_secret": "s"}, subreddits=["gitlab"], include_comments=False
    )
    mock_token()
    mock_listing("/r/gitlab/new", [])

    adapter.fetch(channel=channel, session=build_session())
    adapter.fetch(channel=app_only, session=build_session())

    first, second = token_calls()
    assert parse_qs(first.request.body) == {
        "grant_type": ["password"],
        "username": ["gitlab_bot"],
        "password": ["pw-sekrit"],
    }
    assert second.request.body == "grant_type=client_credentials"  # another user: another token
    assert api_calls()[0].request.headers["User-Agent"].endswith("(by /u/gitlab_bot)")


@pytest.mark.django_db
@responses.activate
def test_a_401_drops_the_token_and_retries_once_with_a_new_one():
    channel = reddit_channel(subreddits=["gitlab"], include_comments=False)
    mock_token("old")
    mock_token("new")
    responses.get(
        API_URL + "/r/gitlab/new", status=401, match=[matchers.header_matcher({"Authorization": "bearer old"})]
    )
    responses.get(
        API_URL + "/r/gitlab/new",
        json=listing([post("p1", time.time() - 60)]),
        match=[matchers.header_matcher({"Authorization": "bearer new"})],
    )

    result = adapter.fetch(channel=channel, session=build_session())
    assert [m.external_id for m in result.mentions] == ["t3_p1"]
    assert len(token_calls()) == 2 and len(api_calls()) == 2

    adapter.fetch(channel=channel, session=build_session())  # the new token was cached
    assert len(token_calls()) == 2
    assert api_calls()[-1].request.headers["Authorization"] == "bearer new"


@pytest.mark.django_db
@responses.activate
def test_a_second_401_is_an_auth_error():
    channel = reddit_channel(subreddits=["gitlab"], include_comments=False)
    mock_token()
    responses.get(API_URL + "/r/gitlab/new", status=401)
    with pytest.raises(AuthError, match="fresh access token"):
        adapter.fetch(channel=channel, session=build_session())
    assert len(token_calls()) == 2 and len(api_calls()) == 2


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize(
    ("status", "body", "password", "message"),
    [
        (401, {"message": "Unauthorized", "error": 401}, None, "client_id/client_secret"),
        (200, {"error": "invalid_grant"}, "pw-sekrit", "u/gitlab_bot.*invalid_grant"),  # Reddit's wrong password
        (400, {"error": "invalid_grant"}, "pw-sekrit", "u/gitlab_bot.*invalid_grant"),
        (200, {"error": "invalid_grant"}, None, "app-only sign-in"),
        (400, {"error": "unsupported_grant_type"}, None, "unsupported_grant_type"),
    ],
)
def test_token_refusals_are_auth_errors_that_never_echo_secrets(status, body, password, message):
    creds = {"client_id": f"{new_app()}-sekrit", "client_secret": "secret-sekrit"}
    if password:
        creds.update(username="gitlab_bot", password=password)
    channel = reddit_channel(credentials=creds, subreddits=["gitlab"])
    responses.post(AUTH_URL, status=status, json=body)
    with pytest.raises(AuthError, match=message) as info:
        adapter.fetch(channel=channel, session=build_session())
    assert "sekrit" not in str(info.value)
    assert api_calls() == []


# --- request budget and Reddit's rate-limit headers ------------------------------------------------


@pytest.mark.django_db
@responses.activate
def test_the_per_minute_budget_is_shared_by_channels_using_the_same_app(fresh_minute):
    shared = {"client_id": new_app(), "client_secret": "s"}
    first = reddit_channel(credentials=shared, subreddits=["gitlab"], include_comments=False, requests_per_minute=3)
    second = reddit_channel(credentials=shared, subreddits=["devops"], include_comments=False, requests_per_minute=3)
    other_app = reddit_channel(subreddits=["devops"], include_comments=False)
    mock_token()
    mock_listing("/r/gitlab/new", [])
    mock_listing("/r/devops/new", [])

    adapter.fetch(channel=first, session=build_session())
    adapter.fetch(channel=second, session=build_session())
    adapter.fetch(channel=first, session=build_session())
    sent = len(responses.calls)
    with pytest.raises(RateLimited, match="3 requests per minute") as info:
        adapter.fetch(channel=second, session=build_session())
    assert len(responses.calls) == sent  # refused before anything was sent
    assert info.value.retry_after is not None
    assert 0 < info.value.retry_after <= 60

    adapter.fetch(channel=other_app, session=build_session())  # another app has its own budget
    assert len(api_calls()) == 4


@pytest.mark.django_db
@responses.activate
def test_running_out_of_budget_mid_poll_returns_the_finished_streams(fresh_minute):
    now = time.time()
    channel = reddit_channel(subreddits=["gitlab"], requests_per_minute=1)
    mock_token()
    mock_listing("/r/gitlab/new", [post("p1", now - 60)])
    mock_listing("/r/gitlab/comments", [comment("c1", now - 30)])

    result = adapter.fetch(channel=channel, session=build_session())

    assert [m.external_id for m in result.mentions] == ["t3_p1"]
    assert len(api_calls()) == 1
    assert set(result.cursor["streams"]) == {"r/gitlab/new"}  # the comments stream keeps its cursor
    assert result.not_before is not None
    assert 0 < (result.not_before - datetime.now(tz=UTC)).total_seconds() <= 60
    assert result.platform_status["budget_per_minute"] == 1


@pytest.mark.django_db
@responses.activate
def test_reddits_rate_limit_headers_are_reported_and_obeyed():
    now = time.time()
    shared = {"client_id": new_app(), "client_secret": "s"}
    channel = reddit_channel(credentials=shared, subreddits=["gitlab"])
    other = reddit_channel(credentials=shared, subreddits=["devops"], include_comments=False)
    mock_token()
    exhausted = {"x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "120", "x-ratelimit-used": "600"}
    mock_listing("/r/gitlab/new", [post("p1", now - 60)], headers=exhausted)
    mock_listing("/r/gitlab/comments", [comment("c1", now - 30)])

    result = adapter.fetch(channel=channel, session=build_session())

    assert [m.external_id for m in result.mentions] == ["t3_p1"]
    assert len(api_calls()) == 1  # nothing more was sent once Reddit said none were left
    assert result.not_before is not None
    assert 110 < (result.not_before - datetime.now(tz=UTC)).total_seconds() <= 120
    status = result.platform_status
    assert status["ratelimit_remaining"] == 0.0 and status["ratelimit_used"] == 600.0
    assert status["ratelimit_reset_seconds"] == 120.0 and status["ratelimit_reset_at"]
    # Another channel of the same app waits as well, without sending anything.
    with pytest.raises(RateLimited) as info:
        adapter.fetch(channel=other, session=build_session())
    assert info.value.retry_after is not None
    assert 110 < info.value.retry_after <= 120
    assert len(api_calls()) == 1


@pytest.mark.django_db
@responses.activate
def test_plenty_of_rate_limit_left_sets_no_wait():
    channel = reddit_channel(subreddits=["gitlab"], include_comments=False)
    mock_token()
    mock_listing("/r/gitlab/new", [])
    result = adapter.fetch(channel=channel, session=build_session())
    assert result.not_before is None
    assert result.platform_status["ratelimit_remaining"] == 599.0
    assert result.platform_status["ratelimit_reset_seconds"] == 525.0


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize(
    ("headers", "retry_after"),
    [({"x-ratelimit-reset": "300", "x-ratelimit-remaining": "0.0"}, 300), ({"Retry-After": "42"}, 42)],
)
def test_a_429_is_rate_limited_until_the_reset(headers, retry_after):
    channel = reddit_channel(subreddits=["gitlab"])
    mock_token()
    responses.get(API_URL + "/r/gitlab/new", status=429, headers=headers, body="")
    with pytest.raises(RateLimited) as info:
        adapter.fetch(channel=channel, session=build_session())
    assert info.value.retry_after == retry_after


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize(
    ("mock", "error", "message"),
    [
        ({"status": 503, "body": "<html>busy</html>"}, TransientError, "HTTP 503"),
        ({"body": requests.exceptions.ConnectTimeout("slow")}, TransientError, "timed out"),
        ({"status": 200, "body": "<html>not json"}, PayloadError, "not JSON"),
        ({"status": 200, "json": {"kind": "t5", "data": {}}}, PayloadError, "expected a Listing"),
        (
            {"status": 403, "json": {"reason": "private", "message": "Forbidden", "error": 403}},
            PermanentError,
            "private",
        ),
        ({"status": 404, "json": {"reason": "banned", "message": "Not Found", "error": 404}}, PermanentError, "banned"),
        (
            {"status": 302, "headers": {"Location": "https://oauth.reddit.com/subreddits/search.json?q=gitlab"}},
            PermanentError,
            "no such subreddit",
        ),
    ],
)
def test_http_failures_map_to_what_the_poller_should_do(mock, error, message):
    channel = reddit_channel(subreddits=["gitlab"])
    mock_token()
    responses.get(API_URL + "/r/gitlab/new", **mock)
    with pytest.raises(error, match=message):
        adapter.fetch(channel=channel, session=build_session())


# --- cursor and paging ------------------------------------------------------------------------------


@pytest.mark.django_db
@responses.activate
def test_paging_stops_at_a_page_holding_an_older_item_even_out_of_order():
    now = int(time.time())
    channel = reddit_channel(subreddits=["gitlab"], include_comments=False)
    mock_token()
    # Out of time order: the old item sits between two new ones.
    mock_listing(
        "/r/gitlab/new", [post("n1", now - 10), post("old", now - 3 * 86400), post("n2", now - 5)], after="t3_n2"
    )

    result = adapter.fetch(channel=channel, session=build_session())

    assert [m.external_id for m in result.mentions] == ["t3_n1", "t3_n2"]
    assert len(api_calls()) == 1
    assert result.cursor["streams"]["r/gitlab/new"]["created_utc"] == now - 5
    assert set(result.cursor["seen"]) == {"t3_n1", "t3_n2"}


@pytest.mark.django_db
@responses.activate
def test_duplicates_across_pages_and_streams_are_handed_over_once():
    now = int(time.time())
    channel = reddit_channel(subreddits=["gitlab"], keywords=["gitlab"], include_comments=False)
    mock_token()
    page("/r/gitlab/new", [post("p3", now - 10), post("p2", now - 20)], after="t3_p2")
    # Page 2 repeats p2 (new posts pushed it down) and ends the listing.
    page("/r/gitlab/new", [post("p2", now - 20), post("p1", now - 30)], after=None, from_="t3_p2")
    mock_listing("/search", [post("p3", now - 10)])  # the same post, found by the search

    result = adapter.fetch(channel=channel, session=build_session())

    assert [m.external_id for m in result.mentions] == ["t3_p1", "t3_p2", "t3_p3"]
    assert [query(c).get("after") for c in api_calls() if "/r/gitlab/new" in c.request.url] == [None, "t3_p2"]


@pytest.mark.django_db
@responses.activate
def test_a_second_fetch_hands_over_only_new_or_changed_items():
    now = int(time.time())
    channel = reddit_channel(subreddits=["gitlab"], include_comments=False)
    mock_token()
    mock_listing("/r/gitlab/new", [post("p2", now - 20), post("p1", now - 30)])
    first = adapter.fetch(channel=channel, session=build_session())
    channel.cursor = first.cursor

    responses.replace(
        responses.GET,
        API_URL + "/r/gitlab/new",
        json=listing(
            [
                post("p3", now - 5),
                post("p2", now - 20, selftext="Edited: solved", edited=float(now - 2)),
                post("p1", now - 30),
            ]
        ),
        headers=RATELIMIT,
    )
    second = adapter.fetch(channel=channel, session=build_session())
    assert [m.external_id for m in second.mentions] == ["t3_p2", "t3_p3"]
    edited = second.mentions[0]
    assert edited.text == "Edited: solved" and edited.edited_at == datetime.fromtimestamp(now - 2, tz=UTC)

    channel.cursor = second.cursor
    third = adapter.fetch(channel=channel, session=build_session())  # same listing again
    assert third.mentions == []
    assert third.cursor["streams"]["r/gitlab/new"]["created_utc"] == now - 5


@pytest.mark.django_db
@responses.activate
def test_a_walk_cut_short_by_the_request_cap_resumes_on_the_next_poll():
    now = int(time.time())
    channel = reddit_channel(subreddits=["gitlab"], include_comments=False, max_requests_per_poll=1)
    mock_token()
    page("/r/gitlab/new", [post("p4", now - 10), post("p3", now - 20)], after="t3_p3")

    first = adapter.fetch(channel=channel, session=build_session())
    assert [m.external_id for m in first.mentions] == ["t3_p3", "t3_p4"]
    state = first.cursor["streams"]["r/gitlab/new"]
    assert state["resume"]["after"] == "t3_p3"
    assert state["resume"]["floor"] == pytest.approx(now - 86400, abs=5)

    responses.reset()  # the token stays cached
    channel.cursor = first.cursor
    channel.config = {**channel.config, "max_requests_per_poll": 5}
    page("/r/gitlab/new", [post("p5", now - 5), post("p4", now - 10)], after="t3_p4")
    page("/r/gitlab/new", [post("p2", now - 30), post("p1", now - 2 * 86400)], after="t3_p1", from_="t3_p3")

    second = adapter.fetch(channel=channel, session=build_session())
    assert [m.external_id for m in second.mentions] == ["t3_p2", "t3_p5"]
    assert "resume" not in second.cursor["streams"]["r/gitlab/new"]
    # Newest first (stopped by the seen p4), then the backlog below p3: never `before`.
    assert [query(c).get("after") for c in responses.calls] == [None, "t3_p3"]


@pytest.mark.django_db
@responses.activate
def test_the_first_poll_reads_back_only_backfill_hours():
    now = int(time.time())
    channel = reddit_channel(subreddits=["gitlab"], include_comments=False, backfill_hours=1)
    mock_token()
    mock_listing("/r/gitlab/new", [post("new", now - 1800), post("old", now - 7200)])
    result = adapter.fetch(channel=channel, session=build_session())
    assert [m.external_id for m in result.mentions] == ["t3_new"]


@pytest.mark.django_db
@responses.activate
def test_a_malformed_item_is_skipped_and_the_rest_handed_over(caplog):
    now = int(time.time())
    channel = reddit_channel(subreddits=["gitlab"], include_comments=False)
    mock_token()
    broken = {"kind": "t3", "data": {"name": "t3_broken", "title": "no time"}}
    mock_listing("/r/gitlab/new", [post("ok", now - 10), broken])
    result = adapter.fetch(channel=channel, session=build_session())
    assert [m.external_id for m in result.mentions] == ["t3_ok"]
    assert "t3_broken" in caplog.text


# --- test_connection ----------------------------------------------------------------------------------


@pytest.mark.django_db
@responses.activate
def test_connection_with_a_script_app_names_the_account_and_the_rate_limit():
    creds = {"client_id": new_app(), "client_secret": "s", "username": "gitlab_bot", "password": "pw-sekrit"}
    channel = reddit_channel(credentials=creds, subreddits=["gitlab"])
    mock_token()
    responses.get(
        API_URL + "/api/v1/me", json={"name": "gitlab_bot", "link_karma": 12, "comment_karma": 34}, headers=RATELIMIT
    )
    summary = adapter.test_connection(channel=channel, session=build_session())
    assert summary.startswith("Signed in to Reddit as u/gitlab_bot")
    assert "12 post karma" in summary and "599 requests left" in summary and "525 s" in summary
    assert "sekrit" not in summary
    assert query(api_calls()[0]) == {"raw_json": "1"}


@pytest.mark.django_db
@responses.activate
def test_connection_with_app_only_access_reads_the_first_subreddit():
    channel = reddit_channel(subreddits=["gitlab", "devops"])
    mock_token()
    responses.get(
        API_URL + "/r/gitlab/about",
        json={"kind": "t5", "data": {"display_name": "gitlab", "subscribers": 51234, "subreddit_type": "public"}},
    )
    summary = adapter.test_connection(channel=channel, session=build_session())
    assert "r/gitlab is public with 51234 subscribers" in summary
    assert "no rate-limit figures" in summary


@pytest.mark.django_db
@responses.activate
def test_connection_with_keywords_only_runs_a_search():
    channel = reddit_channel(keywords=["gitlab"])
    mock_token()
    mock_listing("/search", [post("p1", 1700000000, title="GitLab 17 is out")], q="gitlab", limit="1")
    summary = adapter.test_connection(channel=channel, session=build_session())
    assert "searching posts for 'gitlab' works (newest: 'GitLab 17 is out')" in summary
