import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import responses
from django.conf import settings
from responses import matchers

from channels.adapters import AuthError, ConfigError, PayloadError, PermanentError, RateLimited, TransientError
from channels.adapters.discourse import (
    SEARCH_EXCERPT_NOTE,
    DiscourseAdapter,
    cooked_to_text,
    is_deleted,
    is_staff_post,
)
from channels.http import build_session
from channels.tests.factories import ChannelFactory
from channels.tests.sent import request_url

adapter = DiscourseAdapter()

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://forum.example.com"
LATEST_URL = BASE + "/posts.json"
SEARCH_URL = BASE + "/search.json"
BASIC_INFO_URL = BASE + "/site/basic-info.json"
ABOUT_URL = BASE + "/about.json"
CONFIG = {"base_url": BASE}
START = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)


def load(name):
    return json.loads((FIXTURES / name).read_text())


# Hand-made posts start from a recorded one (a regular member's reply), so they keep the recorded field set.
_POST = load("posts_latest_real.json")["latest_posts"][1]


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def post(pid, *, topic=7, number=1, cooked=None, username="someone", **kw):
    """A /posts.json entry; created `pid` minutes after START unless given, so ids and times agree."""
    item = copy.deepcopy(_POST)
    item.pop("reply_to_user", None)
    created = kw.pop("created_at", iso(START + timedelta(minutes=pid)))
    item.update(
        id=pid,
        topic_id=topic,
        post_number=number,
        created_at=created,
        updated_at=created,
        cooked=cooked if cooked is not None else f"<p>Runner fails with exit code {pid}</p>",
        raw=f"Runner fails with exit code {pid}",
        username=username,
        name=username.title(),
        avatar_template="/letter_avatar_proxy/v4/letter/s/8797f3/{size}.png",
        topic_slug=f"topic-{topic}",
        topic_title=f"Topic {topic}",
        post_url=f"/t/topic-{topic}/{topic}/{number}",
        reply_to_post_number=None,
        version=1,
        post_type=1,
        staff=False,
        admin=False,
        moderator=False,
    )
    item.update(kw)
    return item


def latest_page(posts):
    return {"latest_posts": posts}


def add_latest(posts, *, before=None, **kw):
    params = {"before": str(before)} if before is not None else {}
    responses.get(LATEST_URL, json=latest_page(posts), match=[matchers.query_param_matcher(params)], **kw)


def serve_forum(post_ids, *, page_size=50, posts=None):
    """/posts.json as Discourse serves it: the `page_size` newest visible posts, or those below `before`."""
    visible = sorted(post_ids, reverse=True)
    made = posts or {}

    def answer(request):
        before = request.params.get("before")
        below = [i for i in visible if before is None or i < int(before)]
        page = [made.get(i) or post(i, topic=7 + i % 3, number=i) for i in below[:page_size]]
        return 200, {}, json.dumps(latest_page(page))

    responses.add_callback(responses.GET, LATEST_URL, callback=answer)


def add_search(posts, *, page=1, more=False, q="gitlab order:latest", topics=None):
    body = {
        "posts": posts,
        "topics": topics if topics is not None else [{"id": 7, "title": "Topic 7", "slug": "topic-7"}],
        "users": [],
        "categories": [],
        "grouped_search_result": {"post_ids": [p["id"] for p in posts], "more_full_page_results": more or None},
    }
    responses.get(SEARCH_URL, json=body, match=[matchers.query_param_matcher({"q": q, "page": str(page)})])


def search_post(pid, *, topic=7, number=1, blurb=None, **kw):
    """A /search.json entry as current Discourse sends it: a blurb, no cooked, no version or staff flags."""
    created = kw.pop("created_at", iso(START + timedelta(minutes=pid)))
    item = {
        "id": pid,
        "name": "Some One",
        "username": "someone",
        "avatar_template": "/letter_avatar_proxy/v4/letter/s/8797f3/{size}.png",
        "created_at": created,
        "like_count": 0,
        "blurb": blurb if blurb is not None else f"We moved from Jenkins to GitLab CI in week {pid}...",
        "post_number": number,
        "topic_id": topic,
    }
    item.update(kw)
    return item


def discourse_channel(**kw):
    kw.setdefault("config", dict(CONFIG))
    kw.setdefault("our_accounts", ["gitlab-team"])
    return ChannelFactory(kind="discourse", **kw)


def fetch(channel):
    return adapter.fetch(channel=channel, session=build_session())


def ids(mentions):
    return [m.external_id for m in mentions]


# --- recorded payloads -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "count", "topics"),
    [
        ("posts_latest_real.json", 5, {"topic:2148", "topic:2144", "topic:2132"}),
        ("topic_2144_posts_page1_real.json", 8, {"topic:2144"}),
        ("topic_2108_view_at_post_452_real.json", 3, {"topic:2108"}),
        ("posts_before_devinstance.json", 3, {"topic:11", "topic:7", "topic:2"}),
        ("post_single_devinstance.json", 1, {"topic:8"}),
        ("search_devinstance.json", 1, {"topic:13"}),
    ],
)
def test_every_recorded_payload_parses_with_its_post_count(fixture, count, topics):
    mentions = adapter.parse_payload(load(fixture))
    assert len(mentions) == count
    assert len(set(ids(mentions))) == count and all(m.external_id.isdigit() for m in mentions)
    assert {m.thread_id for m in mentions} == topics
    for m in mentions:
        assert m.created_at.tzinfo is UTC
        assert m.author_handle and m.text
        assert m.deleted is False
    # Oldest first: replies come after what they reply to.
    assert [int(i) for i in ids(mentions)] == sorted(int(i) for i in ids(mentions))


def test_recorded_latest_post_maps_every_field():
    mentions = adapter.parse_payload(load("posts_latest_real.json"), base_url="https://discuss.criticalfallibilism.com")
    m = mentions[-1]
    assert m.external_id == "20218"
    assert m.title == "People Being Bad at Logic"
    assert (m.author_handle, m.author_name) == ("Elliot", "")
    assert m.author_url == "https://discuss.criticalfallibilism.com/u/Elliot"
    assert m.permalink == "https://discuss.criticalfallibilism.com/t/people-being-bad-at-logic/2148/1"
    assert m.created_at == datetime(2026, 1, 21, 23, 29, 42, 524000, tzinfo=UTC)
    # version 3: edited after the grace period; updated_at is the best edit time Discourse gives.
    assert m.edited_at == datetime(2026, 1, 21, 23, 43, 9, 90000, tzinfo=UTC)
    assert (m.thread_id, m.parent_id, m.related_ids) == ("topic:2148", "", ())
    assert m.raw["version"] == 3 and m.raw["staff"] is True
    assert m.text.startswith("I was talking with someone about people not being very good at math")
    # The PDF link preview (a onebox aside) is just its URL, not its header, title and file size.
    pdf = "https://faculty.econ.ucdavis.edu/faculty/nehring/teaching/econ106/readings/Extensional%20Versus%20Intuitive.pdf"
    assert f"Here is the original paper for the Linda problem:\n\n{pdf}\n\nThey even tried" in m.text
    assert "1556.12 KB" not in m.text
    assert "X&Y can be more likely than X&!Y" in m.text  # &amp; unescaped
    assert "“Linda is 31 years old" in m.text


def test_recorded_replies_in_one_page_thread_through_each_other():
    by_id = {m.external_id: m for m in adapter.parse_payload(load("posts_latest_real.json"))}
    # 20216 replies to post number 29 of topic 2144, which is 20215 on the same page.
    assert (by_id["20216"].parent_id, by_id["20216"].related_ids) == ("20215", ())
    # 20217 replies to number 28, not in the payload: no parent, but it still joins its topic.
    assert (by_id["20217"].parent_id, by_id["20217"].related_ids) == ("", ("20216", "20215"))
    assert by_id["20217"].edited_at is None  # updated_at moved, version 1: a grace-period edit, not reported


def test_without_base_url_the_forum_is_read_from_the_avatar_template():
    [m, *_] = adapter.parse_payload(load("topic_2144_posts_page1_real.json"))
    assert m.permalink == "https://discuss.criticalfallibilism.com/t/kpop-demon-hunters/2144/1"
    assert m.author_url == "https://discuss.criticalfallibilism.com/u/Elliot"
    # A dev instance ("localhost") or letter avatars only: nothing to go on, so no links rather than wrong ones.
    for name in ("post_single_devinstance.json", "posts_before_devinstance.json", "search_devinstance.json"):
        for m in adapter.parse_payload(load(name)):
            assert (m.permalink, m.author_url) == ("", "")


def test_recorded_topic_page_threads_every_reply_and_renders_quotes():
    mentions = adapter.parse_payload(load("topic_2144_posts_page1_real.json"))
    by_number = {m.raw["post_number"]: m for m in mentions}
    assert sorted(by_number) == [1, 2, 3, 4, 5, 6, 8, 9]  # number 7 is missing in the original
    assert by_number[1].related_ids == ()
    assert by_number[2].related_ids == ("20089",)
    assert by_number[5].related_ids == ("20110", "20104", "20102", "20089")
    assert (by_number[8].parent_id, by_number[8].related_ids[0]) == ("20110", "20119")  # replies to number 4
    assert by_number[9].parent_id == "20127"
    assert by_number[9].edited_at == datetime(2026, 1, 13, 17, 5, 30, 328000, tzinfo=UTC)  # version 2
    assert all(m.title == "" for m in mentions)  # /t/{id}/posts.json carries no title
    # Quote asides: "<user> wrote:" and "> " lines, without the avatar and quote controls.
    text = by_number[2].text
    assert text.startswith("Elliot wrote:\n> I find it interesting that people love this theme while not doing it")
    assert " Or a mix.\n\n~yeah idk how people process this message." in text
    assert text.count("Elliot wrote:") == 4
    assert "user_avatar" not in text and "Elliot:" not in text


def test_recorded_topic_view_uses_its_title_and_post_stream():
    payload = load("topic_2108_view_at_post_452_real.json")
    first_post_id = str(payload["post_stream"]["stream"][0])
    m450, m451, m452 = adapter.parse_payload(payload, base_url="https://discuss.criticalfallibilism.com")
    assert m450.title == "Comments on The Boyfriend's Introduction to Feminism"
    assert m450.permalink.endswith("/t/comments-on-the-boyfriends-introduction-to-feminism/2108/450")
    # Replies to posts outside the payload: the stream gives the ids before it, ending with the first post.
    assert m450.parent_id == ""
    assert m450.related_ids[-1] == first_post_id == "18843"
    assert len(m450.related_ids) == 6
    assert (m451.parent_id, m452.parent_id) == ("20165", "20166")
    assert m452.related_ids[0] == "20165"


@pytest.mark.django_db
def test_parse_page_for_channel_uses_the_channels_forum_address():
    channel = discourse_channel(config={"base_url": "https://discuss.criticalfallibilism.com"})
    payload = load("topic_2108_view_at_post_452_real.json")
    # Letter avatars only: parse_payload alone cannot tell which forum this is.
    assert [m.permalink for m in adapter.parse_payload(payload)] == ["", "", ""]
    m450, _m451, m452 = adapter.parse_page_for_channel(payload, channel=channel).mentions
    assert m450.permalink == (
        "https://discuss.criticalfallibilism.com/t/comments-on-the-boyfriends-introduction-to-feminism/2108/450"
    )
    assert m452.author_url == "https://discuss.criticalfallibilism.com/u/anonymous45"


def test_recorded_search_result_and_a_current_one_with_only_a_blurb():
    [old] = adapter.parse_payload(load("search_devinstance.json"))
    assert old.title == "2a6aa74e-e341-5e3c-1eaa-78c6331f305f"
    assert old.text.startswith("ecf65fcd-1e16-7c4c-4244-a467b46c610becf65fcd")  # 2016: the whole cooked post
    assert SEARCH_EXCERPT_NOTE not in old.text

    current = load("search_devinstance.json")
    del current["posts"][0]["cooked"]  # SearchPostSerializer#include_cooked? is false since
    [m] = adapter.parse_payload(current, base_url=BASE)
    blurb = current["posts"][0]["blurb"]
    assert m.text == f"{blurb}\n\n{SEARCH_EXCERPT_NOTE}"
    assert m.permalink == f"{BASE}/t/2a6aa74e-e341-5e3c-1eaa-78c6331f305f/13/1"
    assert m.edited_at is None


def test_a_list_of_pages_a_post_wrapper_and_bare_posts_parse_once_each():
    payload = [
        latest_page([post(3), post(2)]),
        {"post": post(4)},
        post(2),  # the same post again (a page boundary repeated)
        [post(1)],
    ]
    assert ids(adapter.parse_payload(payload, base_url=BASE)) == ["1", "2", "3", "4"]
    assert ids(adapter.parse_payload(load("post_single_devinstance.json"))) == ["11"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            {"errors": ["The requested URL or resource could not be found."], "error_type": "not_found"},
            "error response",
        ),
        ({"title": "GitLab Forum", "description": "x"}, r"expected a Discourse response with posts.*keys description"),
        ("just text", "got str"),
        ({"latest_posts": {"id": 1}}, '"latest_posts" must be a list'),
        ({"post_stream": []}, '"post_stream" must be an object'),
        ({"posts": {"id": 1}, "topics": []}, 'no "posts" list'),
    ],
)
def test_payloads_without_posts_are_rejected_clearly(payload, message):
    with pytest.raises(PayloadError, match=message):
        adapter.parse_payload(payload)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("x", "not a post object"),
        ({"id": "x", "created_at": "2026-01-01T00:00:00Z"}, "usable id"),
        ({"id": 1, "topic_id": 2, "created_at": "soon"}, "no usable created_at"),
    ],
)
def test_a_post_that_cannot_be_read_is_rejected_alone(entry, message):
    parsed = adapter.parse_page({"latest_posts": [post(5), entry]})
    assert ids(parsed.mentions) == ["5"]
    [rejected] = parsed.rejected
    assert message in rejected.error and rejected.raw == entry


# --- hand-made edge cases ------------------------------------------------------------------------


def test_missing_optional_fields_give_empty_values():
    minimal = {"id": 5, "topic_id": 3, "created_at": "2026-01-20T10:00:00Z"}
    raw_only = {"id": 6, "post_number": 2, "created_at": "2026-01-20T10:01:00+01:00", "raw": "**hi** there"}
    m5, m6 = adapter.parse_payload([minimal, raw_only], base_url=BASE)
    assert (m5.text, m5.title, m5.author_handle, m5.author_name, m5.author_url) == ("", "", "", "", "")
    assert m5.permalink == f"{BASE}/p/5"  # no post_url and no post number: the short link
    assert (m5.thread_id, m5.parent_id, m5.edited_at, m5.deleted) == ("topic:3", "", None, False)
    assert m6.text == "**hi** there"  # no cooked: the markdown
    assert m6.created_at == datetime(2026, 1, 20, 9, 1, tzinfo=UTC)  # an offset becomes UTC
    assert m6.thread_id == ""


def test_unicode_emoji_entities_quotes_and_asides_in_cooked():
    cooked = (
        "<p>Ça marche pas 😭 &mdash; <code>&lt;T&gt;</code> &amp; &quot;x&quot; &#39;y&#39;&hellip; "
        '<img src="/images/emoji/twitter/tada.png?v=12" title=":tada:" class="emoji" alt=":tada:" loading="lazy"></p>\n'
        '<aside class="quote no-group" data-username="bob" data-post="2" data-topic="7">\n'
        '<div class="title">\n<div class="quote-controls"></div>\n'
        '<img alt="" width="24" height="24" src="/user_avatar/forum.example.com/bob/48/1_2.png" class="avatar">'
        " bob:</div>\n"
        "<blockquote>\n"
        '<aside class="quote no-group" data-username="alice" data-post="1" data-topic="7">\n'
        '<div class="title"><div class="quote-controls"></div> alice:</div>\n'
        "<blockquote><p>Is it down?</p></blockquote></aside>\n"
        "<p>Works for me</p>\n</blockquote>\n</aside>\n"
        '<p>Hi <a class="mention" href="/u/bob">@bob</a>, see <a href="/t/runner-setup/12/3">the setup post</a> and '
        '<a href="https://docs.gitlab.com/runner/">https://docs.gitlab.com/runner/</a>.</p>\n'
        '<div class="lightbox-wrapper"><a class="lightbox" href="/uploads/default/original/1X/abc.png" '
        'title="screenshot.png"><img src="/uploads/default/optimized/1X/abc_2_690x388.png" alt="screenshot" '
        'width="690" height="388"><div class="meta"><svg class="fa d-icon"><use href="#far-image"></use></svg>'
        '<span class="filename">screenshot.png</span><span class="informations">1920x1080 120 KB</span>'
        "</div></a></div>\n"
        '<aside class="onebox allowlistedgeneric" data-onebox-src="https://about.gitlab.com/releases/">'
        '<header class="source"><a href="https://about.gitlab.com/releases/">about.gitlab.com</a></header>'
        '<article class="onebox-body"><h3>GitLab releases</h3><p>Every month on the third Thursday.</p></article>'
        '</aside>\n<p>Thanks! <script>alert(1)</script><a href="javascript:alert(1)">click</a> '
        '<a href="#footnote-1">[1]</a></p>'
    )
    assert cooked_to_text(cooked, BASE) == (
        "Ça marche pas 😭 — <T> & \"x\" 'y'… :tada:\n\n"
        "bob wrote:\n"
        "> alice wrote:\n"
        "> > Is it down?\n"
        ">\n"
        "> Works for me\n\n"
        "Hi @bob, see the setup post (https://forum.example.com/t/runner-setup/12/3) and "
        "https://docs.gitlab.com/runner/.\n\n"
        "[image: screenshot] (https://forum.example.com/uploads/default/original/1X/abc.png)\n\n"
        "https://about.gitlab.com/releases/\n\n"
        "Thanks! click [1]"
    )


def test_relative_links_are_made_absolute_against_the_forum_and_its_subfolder():
    base = "https://example.com/forum"
    cooked = (
        '<p><a href="/forum/t/x/12/3">same forum</a> <a href="//cdn.example.net/f.pdf">cdn</a> '
        '<a href="relative/page">rel</a> <a href="mailto:help@example.com">write to us</a></p>'
    )
    item = post(9, cooked=cooked, post_url="/forum/t/topic-7/7/1", username="Zoë")
    other = post(10, number=2, post_url="/t/topic-7/7/2")  # a post_url without the subfolder
    m9, m10 = adapter.parse_payload([item, other], base_url=base)
    assert m9.text == (
        "same forum (https://example.com/forum/t/x/12/3) cdn (https://cdn.example.net/f.pdf) "
        "rel (https://example.com/relative/page) write to us (mailto:help@example.com)"
    )
    assert m9.permalink == "https://example.com/forum/t/topic-7/7/1"
    assert m10.permalink == "https://example.com/forum/t/topic-7/7/2"
    assert m9.author_url == "https://example.com/forum/u/Zo%C3%AB"
    # Unknown forum: relative links cannot be resolved, so they are dropped and their text kept.
    assert cooked_to_text('<p><a href="/t/x/12">the post</a></p>') == "the post"


@pytest.mark.parametrize(
    ("fields", "deleted"),
    [
        ({}, False),
        ({"deleted_at": "2026-01-21T10:00:00.000Z"}, True),
        ({"user_deleted": True, "cooked": "<p>(post deleted by author)</p>"}, True),
        ({"hidden": True, "cooked": ""}, True),
    ],
)
def test_deleted_and_hidden_posts_are_marked(fields, deleted):
    [m] = adapter.parse_payload(latest_page([post(3, **fields)]), base_url=BASE)
    assert m.deleted is deleted
    assert is_deleted(m.raw) is deleted


def test_whispers_small_actions_and_moderator_actions_are_skipped():
    posts = [
        post(1),
        post(2, number=2, post_type=2),  # moderator action
        post(3, number=3, post_type=3, action_code="closed.enabled", cooked=""),  # small action
        post(4, number=4, post_type=4),  # whisper
        post(5, number=5, post_type=None),
        post(6, number=6, post_type=1, action_code="user_left"),
    ]
    assert ids(adapter.parse_payload(latest_page(posts), base_url=BASE)) == ["1", "5"]


def test_staff_posts_are_recognised():
    assert not is_staff_post(post(1))
    assert is_staff_post(post(1, staff=True))
    assert is_staff_post(post(1, moderator=True))
    assert is_staff_post(post(1, admin=True))
    assert not is_staff_post({"id": 1})


# --- config ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("https://forum.gitlab.com", "JSON object"),
        ({}, '"base_url" is required'),
        ({"base_url": ""}, '"base_url" is required'),
        ({"base_url": "http://forum.gitlab.com"}, "must start with https://"),
        ({"base_url": "forum.gitlab.com"}, "must start with https://"),
        ({"base_url": "https://"}, "no host name"),
        ({"base_url": "https://forum.gitlab.com:99999"}, "invalid port"),
        ({"base_url": "https://me:pw@forum.gitlab.com"}, "user name or password"),
        ({"base_url": "https://forum.gitlab.com/?lang=en"}, r"\?query or #fragment"),
        ({"base_url": "https://forum.gitlab.com/latest"}, "not a page of it"),
        ({"base_url": "https://forum.gitlab.com/t/some-topic/123"}, "not a page of it"),
        ({"base_url": "https://forum.gitlab.com/posts.json"}, "not a page of it"),
        ({"base_url": "https://example.com/community/forum"}, "not a page of it"),
        ({**CONFIG, "keywords": ["gitlab"]}, r"Unknown Discourse setting\(s\): keywords"),
        ({**CONFIG, "mode": "new"}, '"mode" must be "latest"'),
        ({**CONFIG, "mode": "search"}, 'needs a "query"'),
        ({**CONFIG, "mode": "search", "query": "  "}, 'needs a "query"'),
        ({**CONFIG, "mode": "search", "query": "gitlab order:latest"}, "Leave order:, after: and before: out"),
        ({**CONFIG, "mode": "search", "query": "gitlab After:2026-01-01"}, "Leave order:"),
        ({**CONFIG, "mode": "search", "query": "x" * 201}, "longer than 200"),
        ({**CONFIG, "query": "gitlab"}, '"query" is only used with "mode": "search"'),
        ({**CONFIG, "max_requests_per_poll": 0}, '"max_requests_per_poll" must be a whole number from 1 to 200'),
        ({**CONFIG, "max_requests_per_poll": "20"}, '"max_requests_per_poll" must be a whole number'),
        ({**CONFIG, "backfill_posts": True}, '"backfill_posts" must be a whole number'),
        ({**CONFIG, "backfill_posts": -1}, '"backfill_posts" must be a whole number from 0 to 5000'),
        ({**CONFIG, "backfill_posts": 101, "max_requests_per_poll": 2}, r"needs 3 requests of 50 posts"),
        ({**CONFIG, "staff_are_ours": "yes"}, '"staff_are_ours" must be true or false'),
    ],
)
def test_bad_config_is_refused_with_a_specific_message(config, message):
    with pytest.raises(ConfigError, match=message):
        adapter.validate_config(config)


def test_good_config_is_normalised():
    assert adapter.validate_config({"base_url": " https://Forum.GitLab.com/ "}) == {
        "base_url": "https://forum.gitlab.com"
    }
    assert adapter.validate_config({"base_url": "https://example.com:8443/forum/"})["base_url"] == (
        "https://example.com:8443/forum"
    )
    cleaned = adapter.validate_config(
        {
            "base_url": BASE,
            "mode": "search",
            "query": "  gitlab   runner ",
            "max_requests_per_poll": 5,
            "backfill_posts": 250,
            "staff_are_ours": False,
        }
    )
    assert cleaned == {
        "base_url": BASE,
        "mode": "search",
        "query": "gitlab runner",
        "max_requests_per_poll": 5,
        "backfill_posts": 250,
        "staff_are_ours": False,
    }


# --- fetch: latest mode --------------------------------------------------------------------------


@pytest.mark.django_db
@responses.activate
def test_the_first_poll_hands_over_the_backfill_and_sets_the_high_mark():
    channel = discourse_channel(config={**CONFIG, "backfill_posts": 3})
    add_latest([post(i, number=i) for i in (15, 14, 13, 12, 11)])

    result = fetch(channel)

    assert ids(result.mentions) == ["13", "14", "15"]
    request = responses.calls[0].request
    assert request.url == LATEST_URL  # no before= on the first page
    assert "Api-Key" not in request.headers and "Api-Username" not in request.headers
    assert request.headers["User-Agent"] == settings.DESK_USER_AGENT
    assert result.requests_made == 1 and result.reads == 5
    assert result.not_before is None
    assert result.cursor["base_url"] == BASE and result.cursor["mode"] == "latest"
    assert result.cursor["latest"] == {
        "high": 15,
        "gap": None,
        "recent": {str(i): f"1|{iso(START + timedelta(minutes=i))}|0" for i in (15, 14, 13)},
    }
    assert result.cursor["topics"] == {"7": [[13, 13], [14, 14], [15, 15]]}
    assert result.platform_status["rate_limited_until"] is None and result.platform_status["backlog"] is False


@pytest.mark.django_db
@responses.activate
def test_a_first_poll_with_no_backfill_starts_from_now():
    channel = discourse_channel(config={**CONFIG, "backfill_posts": 0})
    add_latest([post(12), post(11)])
    result = fetch(channel)
    assert result.mentions == [] and result.cursor["latest"]["high"] == 12
    assert len(responses.calls) == 1


@pytest.mark.django_db
@responses.activate
def test_pages_are_walked_with_before_until_the_cursor_and_repeats_and_disorder_are_handled():
    channel = discourse_channel(cursor={"version": 1, "base_url": BASE, "mode": "latest", "latest": {"high": 99}})
    # Older Discourse repeats the `before` post on the next page; created_at is not in id order (an
    # imported post, a clock change), which must not matter: ids decide.
    add_latest([post(103, created_at=iso(START)), post(102), post(101)])
    add_latest([post(101), post(100), post(99)], before=101)

    result = fetch(channel)

    # The ids below the newest page (only 100) first, then the newest page.
    assert ids(result.mentions) == ["100", "101", "102", "103"]
    assert [c.request.url for c in responses.calls] == [LATEST_URL, LATEST_URL + "?before=101"]
    assert result.cursor["latest"]["high"] == 103 and result.cursor["latest"]["gap"] is None
    assert result.reads == 6


@pytest.mark.django_db
@responses.activate
def test_a_newest_page_that_reaches_the_cursor_is_the_only_request():
    channel = discourse_channel(cursor={"version": 1, "base_url": BASE, "mode": "latest", "latest": {"high": 100}})
    add_latest([post(103), post(102), post(101)])  # 101 is the next id after 100: nothing can be in between
    result = fetch(channel)
    assert ids(result.mentions) == ["101", "102", "103"]
    assert len(responses.calls) == 1 and result.more is False


@pytest.mark.django_db
@responses.activate
def test_credentials_are_sent_as_headers():
    channel = discourse_channel(config={**CONFIG, "backfill_posts": 1})
    channel.credentials = {"api_key": "sekrit-key", "api_username": "system"}
    channel.save()
    add_latest([post(1)])
    fetch(channel)
    headers = responses.calls[0].request.headers
    assert (headers["Api-Key"], headers["Api-Username"]) == ("sekrit-key", "system")
    assert "sekrit" not in request_url(responses.calls[0].request)


@pytest.mark.django_db
@responses.activate
def test_an_edit_or_deletion_in_the_recent_window_is_handed_over_again():
    t = START + timedelta(minutes=101)
    channel = discourse_channel(
        cursor={
            "version": 1,
            "base_url": BASE,
            "mode": "latest",
            "latest": {
                "high": 103,
                "recent": {"101": f"1|{iso(t)}|0", "102": f"1|{iso(t)}|0", "103": f"1|{iso(t)}|0"},
            },
        }
    )
    edited = iso(t + timedelta(hours=1))
    add_latest(
        [
            post(104, number=4),
            post(103, number=3, created_at=iso(t), updated_at=edited, cooked="<p>typo fixed</p>"),  # grace period
            post(102, number=2, created_at=iso(t), version=2, updated_at=edited, cooked="<p>Edited</p>"),
            post(101, number=1, created_at=iso(t), user_deleted=True),
        ]
    )

    result = fetch(channel)

    by_id = {m.external_id: m for m in result.mentions}
    assert sorted(by_id) == ["101", "102", "103", "104"]
    assert by_id["102"].edited_at == by_id["103"].edited_at == t + timedelta(hours=1)
    assert by_id["102"].text == "Edited"
    assert by_id["101"].deleted is True
    assert by_id["104"].edited_at is None
    assert result.cursor["latest"]["recent"]["102"] == f"2|{edited}|0"
    assert result.cursor["latest"]["recent"]["101"].endswith("|1")

    # Seen again unchanged: nothing is handed over.
    channel.cursor = result.cursor
    again = fetch(channel)
    assert again.mentions == []


@pytest.mark.django_db
@responses.activate
def test_the_request_budget_leaves_a_gap_that_the_next_polls_walk_oldest_first():
    channel = discourse_channel(
        config={**CONFIG, "max_requests_per_poll": 2},
        cursor={"version": 1, "base_url": BASE, "mode": "latest", "latest": {"high": 10}},
    )
    serve_forum(range(1, 31), page_size=3)

    first = fetch(channel)

    # The newest page (30, 29, 28) shows a backlog; a window of ids above the high mark is read instead.
    assert [c.request.url for c in responses.calls] == [LATEST_URL, LATEST_URL + "?before=13"]
    assert ids(first.mentions) == ["11", "12"]
    assert first.cursor["latest"]["high"] == 12
    assert first.cursor["latest"]["gap"] == {"top": 28, "low": 12, "step": 2}
    assert first.more is True and first.platform_status["backlog"] is True

    # While the gap is open a poll goes straight to the windows: both requests drain the backlog.
    responses.calls.reset()
    channel.cursor = first.cursor
    second = fetch(channel)
    assert [c.request.url for c in responses.calls] == [LATEST_URL + "?before=15", LATEST_URL + "?before=17"]
    assert ids(second.mentions) == ["13", "14", "15", "16"]
    assert second.cursor["latest"]["gap"] == {"top": 28, "low": 16, "step": 2}

    seen = ids(first.mentions) + ids(second.mentions)
    channel.cursor = second.cursor
    for _ in range(10):
        result = fetch(channel)
        channel.cursor = result.cursor
        seen += ids(result.mentions)
        if not result.more:
            break
    assert seen == [str(i) for i in range(11, 31)]
    assert (channel.cursor["latest"]["high"], channel.cursor["latest"]["gap"]) == (30, None)


@pytest.mark.django_db
@responses.activate
def test_a_429_after_the_first_page_keeps_the_cursor_and_asks_to_wait():
    channel = discourse_channel(cursor={"version": 1, "base_url": BASE, "mode": "latest", "latest": {"high": 10}})
    add_latest([post(30), post(29)])
    responses.get(
        LATEST_URL,
        status=429,
        json={"errors": ["Slow down."], "error_type": "rate_limit", "extras": {"wait_seconds": 30}},
        match=[matchers.query_param_matcher({"before": "12"})],
    )

    result = fetch(channel)

    # The backlog (11 to 28) comes first: the newest posts wait for it.
    assert result.mentions == []
    assert result.cursor["latest"]["high"] == 10 and result.cursor["latest"]["gap"] == {"top": 29, "low": 10, "step": 1}
    assert 25 < (result.not_before - datetime.now(UTC)).total_seconds() <= 30
    assert result.platform_status["rate_limited_until"] == result.not_before.isoformat()
    assert result.requests_made == 2 and result.more is True


@pytest.mark.django_db
@responses.activate
def test_a_server_that_ignores_before_does_not_loop():
    channel = discourse_channel(cursor={"version": 1, "base_url": BASE, "mode": "latest", "latest": {"high": 1}})
    responses.get(LATEST_URL, json=latest_page([post(30), post(29)]))  # any query
    result = fetch(channel)
    assert ids(result.mentions) == ["29", "30"]
    assert len(responses.calls) == 2


@pytest.mark.django_db
@responses.activate
def test_an_unusable_post_is_skipped_and_the_rest_delivered():
    channel = discourse_channel(cursor={"version": 1, "base_url": BASE, "mode": "latest", "latest": {"high": 1}})
    add_latest([post(5), {"id": 4, "created_at": "yesterday", "topic_id": 7}, {"cooked": "no id"}, "junk", post(1)])
    result = fetch(channel)
    assert ids(result.mentions) == ["5"]
    # Never dropped silently: each is handed over as rejected, with its raw payload, for the dead-letter table.
    errors = sorted(r.error for r in result.rejected)
    assert [r.raw for r in result.rejected if "created_at" in r.error] == [
        {"id": 4, "created_at": "yesterday", "topic_id": 7}
    ]
    assert len(errors) == 3 and sum("no usable post id" in e for e in errors) == 2
    assert {r.external_id for r in result.rejected} == {"", "4"}

    # Read again on the next poll (nothing new on the page): not rejected a second time.
    channel.cursor = result.cursor
    again = fetch(channel)
    assert again.mentions == [] and again.rejected == []


@pytest.mark.django_db
@responses.activate
def test_replies_thread_through_posts_handed_over_in_earlier_polls():
    channel = discourse_channel(
        cursor={
            "version": 1,
            "base_url": BASE,
            "mode": "latest",
            "latest": {"high": 50},
            "topics": {"7": [[1, 11], [2, 12], [3, 13], [4, 14], [5, 15], [6, 16], [7, 17], [8, 18]]},
        }
    )
    add_latest([post(52, number=10, reply_to_post_number=3), post(51, topic=9), post(50)])

    result = fetch(channel)

    m52 = next(m for m in result.mentions if m.external_id == "52")
    assert m52.parent_id == "13"
    assert m52.related_ids == ("18", "17", "16", "15", "14", "11")
    # The topic keeps its first post and its last five; the new topic is remembered too.
    assert result.cursor["topics"]["7"] == [[1, 11], [5, 15], [6, 16], [7, 17], [8, 18], [10, 52]]
    assert result.cursor["topics"]["9"] == [[1, 51]]


@pytest.mark.django_db
@responses.activate
def test_a_cursor_of_another_forum_or_mode_starts_again():
    other = {"version": 1, "base_url": "https://other.example.com", "mode": "latest", "latest": {"high": 999}}
    channel = discourse_channel(config={**CONFIG, "backfill_posts": 1}, cursor=other)
    add_latest([post(5), post(4)])
    result = fetch(channel)
    assert ids(result.mentions) == ["5"] and result.cursor["latest"]["high"] == 5


# --- fetch: search mode --------------------------------------------------------------------------


SEARCH_CONFIG = {**CONFIG, "mode": "search", "query": "gitlab"}


@pytest.mark.django_db
@responses.activate
def test_search_pages_then_searches_after_the_day_before_the_newest_post():
    channel = discourse_channel(config={**SEARCH_CONFIG, "backfill_posts": 3})
    add_search([search_post(30, number=4), search_post(29, number=3)], more=True)
    add_search([search_post(28, number=2), search_post(27, number=1)], page=2, more=True)

    first = fetch(channel)

    assert ids(first.mentions) == ["28", "29", "30"]  # the backfill: three newest
    m30 = first.mentions[-1]
    assert m30.title == "Topic 7" and m30.permalink == f"{BASE}/t/topic-7/7/4"
    assert m30.text == f"We moved from Jenkins to GitLab CI in week 30...\n\n{SEARCH_EXCERPT_NOTE}"
    assert m30.related_ids == ("29", "28")
    assert len(responses.calls) == 2  # the backfill was reached on page 2
    newest = START + timedelta(minutes=30)
    assert first.cursor["search"]["query"] == "gitlab"
    assert first.cursor["search"]["newest"] == iso(newest)
    assert set(first.cursor["search"]["seen"]) == {"27", "28", "29", "30"}

    # Next poll: from the day before the newest post; what was handed over is dropped.
    responses.reset()
    channel.cursor = first.cursor
    after = (newest.date() - timedelta(days=1)).isoformat()
    add_search(
        [search_post(31, number=5), search_post(30), search_post(26, number=6)], q=f"gitlab order:latest after:{after}"
    )
    second = fetch(channel)
    assert ids(second.mentions) == ["26", "31"]
    assert second.cursor["search"]["newest"] == iso(START + timedelta(minutes=31))


@pytest.mark.django_db
@responses.activate
def test_a_search_walk_cut_short_keeps_its_newest_mark():
    newest = iso(START + timedelta(minutes=20))
    channel = discourse_channel(
        config={**SEARCH_CONFIG, "max_requests_per_poll": 1},
        cursor={
            "version": 1,
            "base_url": BASE,
            "mode": "search",
            "search": {"query": "gitlab", "newest": newest, "seen": {"20": 1}},
        },
    )
    after = (START.date() - timedelta(days=1)).isoformat()
    add_search([search_post(40), search_post(39)], more=True, q=f"gitlab order:latest after:{after}")

    result = fetch(channel)

    assert ids(result.mentions) == ["39", "40"]
    assert result.cursor["search"]["newest"] == newest
    assert result.platform_status["backlog"] is True


@pytest.mark.django_db
@responses.activate
def test_a_changed_query_starts_the_search_again():
    cursor = {"version": 1, "base_url": BASE, "mode": "search", "search": {"query": "gitlab", "newest": iso(START)}}
    channel = discourse_channel(config={**SEARCH_CONFIG, "query": "gitlab-runner"}, cursor=cursor)
    add_search([search_post(5)], q="gitlab-runner order:latest")
    result = fetch(channel)
    assert ids(result.mentions) == ["5"]
    assert result.cursor["search"]["query"] == "gitlab-runner"


@pytest.mark.django_db
@responses.activate
def test_a_search_that_discourse_refuses_is_a_config_error():
    channel = discourse_channel(config={**SEARCH_CONFIG, "query": "gl"})
    refused = {"posts": [], "topics": [], "grouped_search_result": {"error": "Your search term is too short."}}
    responses.get(SEARCH_URL, json=refused)
    with pytest.raises(ConfigError, match=r'refused the search \("query"\): Your search term is too short'):
        fetch(channel)


# --- errors ------------------------------------------------------------------------------------

LOGIN_PAGE = (
    "<!DOCTYPE html>\n<html lang='en'><head><title>Log In - GitLab Forum</title></head>"
    "<body><form action='/session'>…</form></body></html>"
)


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize(
    ("status", "kwargs", "error", "message"),
    [
        (
            429,
            {"json": {"errors": ["Slow down"], "error_type": "rate_limit", "extras": {"wait_seconds": 42}}},
            RateLimited,
            r"HTTP 429 Too Many Requests: Slow down \[rate_limit\]",
        ),
        (429, {"body": "Slow down, too many requests", "headers": {"Retry-After": "17"}}, RateLimited, "HTTP 429"),
        (401, {"json": {"errors": ["bad key"], "error_type": "invalid_access"}}, AuthError, "refused the API key"),
        (403, {"json": {"errors": ["You are not permitted"], "error_type": "invalid_access"}}, AuthError, "api_key"),
        (404, {"body": "<html>Not found</html>"}, ConfigError, "no Discourse forum answers at https://forum.example"),
        (302, {"headers": {"Location": f"{BASE}/login"}}, AuthError, "redirects to its login page"),
        (301, {"headers": {"Location": "https://new.example.com/posts.json"}}, ConfigError, "set base_url"),
        (500, {"body": "oops"}, TransientError, "HTTP 500"),
        (502, {"body": "<html>Bad Gateway</html>"}, TransientError, "HTTP 502"),
        (503, {"json": {"errors": ["read only"]}}, TransientError, "HTTP 503"),
        (400, {"json": {"errors": ["param is missing"]}}, PermanentError, "HTTP 400"),
        (200, {"body": LOGIN_PAGE}, PayloadError, r"HTML page \('Log In - GitLab Forum'\), not JSON: a login page"),
        (200, {"body": "{not json"}, PayloadError, "not JSON"),
        (200, {"json": {"posts": []}}, PayloadError, 'no "latest_posts" list'),
    ],
)
def test_http_failures_map_to_what_the_poller_should_do(status, kwargs, error, message):
    channel = discourse_channel()
    channel.credentials = {"api_key": "sekrit-key", "api_username": "system"}
    channel.save()
    responses.get(LATEST_URL, status=status, **kwargs)

    with pytest.raises(error, match=message) as info:
        fetch(channel)

    assert "sekrit" not in str(info.value)
    if error is RateLimited:
        assert info.value.retry_after == (42 if "json" in kwargs else 17)
    if error is ConfigError:
        assert not isinstance(info.value, AuthError)


@pytest.mark.django_db
@responses.activate
def test_a_403_without_credentials_says_the_forum_needs_a_key():
    channel = discourse_channel()
    responses.get(LATEST_URL, status=403, json={"errors": ["not permitted"], "error_type": "invalid_access"})
    with pytest.raises(AuthError, match="does not let anonymous readers see this: add an API key"):
        fetch(channel)


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize(
    ("exception", "message"),
    [
        (requests.exceptions.ConnectTimeout("timed out connecting to forum.example.com"), "timed out after"),
        (requests.exceptions.ReadTimeout("read timed out"), "timed out after"),
        (requests.exceptions.ConnectionError("connection refused"), r"network error \(ConnectionError\)"),
    ],
)
def test_network_failures_are_transient(exception, message):
    channel = discourse_channel()
    responses.get(LATEST_URL, body=exception)
    with pytest.raises(TransientError, match=message) as info:
        fetch(channel)
    assert info.value.__cause__ is None


@pytest.mark.django_db
def test_credentials_of_the_wrong_shape_are_an_auth_error():
    channel = discourse_channel()
    for values, message in [
        ({"api_key": 123}, '"api_key" must be a string'),
        ({"api_key": "k", "api_username": ["system"]}, '"api_username" must be a string'),
        ({"api_username": "system"}, 'without "api_key"'),
    ]:
        channel.credentials = values
        with pytest.raises(AuthError, match=message):
            fetch(channel)


# --- test_connection ------------------------------------------------------------------------------


@pytest.mark.django_db
@responses.activate
def test_connection_reports_the_forum_title():
    channel = discourse_channel()
    responses.get(BASIC_INFO_URL, json={"title": "GitLab Forum", "description": "Get help with GitLab"})
    assert adapter.test_connection(channel=channel, session=build_session()) == "Discourse answered: GitLab Forum"
    assert len(responses.calls) == 1


@pytest.mark.django_db
@responses.activate
def test_connection_falls_back_to_about_on_an_older_forum():
    channel = discourse_channel()
    responses.get(BASIC_INFO_URL, status=404, body="not found")
    responses.get(ABOUT_URL, json={"about": {"title": "Old Forum", "version": "2.4.0"}})
    assert adapter.test_connection(channel=channel, session=build_session()) == "Discourse answered: Old Forum"


@pytest.mark.django_db
@responses.activate
def test_connection_errors_are_raised():
    channel = discourse_channel()
    channel.credentials = {"api_key": "sekrit-key"}
    channel.save()
    responses.get(BASIC_INFO_URL, status=403, json={"errors": ["bad key"]})
    with pytest.raises(AuthError, match="refused the API key") as info:
        adapter.test_connection(channel=channel, session=build_session())
    assert "sekrit" not in str(info.value)

    responses.replace(responses.GET, BASIC_INFO_URL, status=429, json={"extras": {"wait_seconds": 9}})
    with pytest.raises(RateLimited) as limited:
        adapter.test_connection(channel=channel, session=build_session())
    assert limited.value.retry_after == 9

    responses.replace(responses.GET, BASIC_INFO_URL, json={"latest_posts": []})
    with pytest.raises(PayloadError, match="no site title"):
        adapter.test_connection(channel=channel, session=build_session())
