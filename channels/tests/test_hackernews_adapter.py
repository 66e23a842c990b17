import time
from datetime import UTC, datetime

import pytest
import responses
from responses import matchers

from channels.adapters import AuthError, PayloadError, RateLimited, TransientError
from channels.adapters.hackernews import SEARCH_URL, HackerNewsAdapter
from channels.http import build_session
from channels.tests.factories import ChannelFactory
from channels.tests.hn import comment_hit, load, search_page, story_hit
from channels.text import html_to_text

adapter = HackerNewsAdapter()


def test_recorded_comment_parses_to_safe_text_with_links():
    [m] = adapter.parse_payload(load("algolia_search_by_date_comment.json"))
    assert m.external_id == "7919431"
    assert m.author_handle == "gohrt"
    assert m.author_url == "https://news.ycombinator.com/user?id=gohrt"
    assert m.permalink == "https://news.ycombinator.com/item?id=7919431"
    assert m.parent_id == "7919207" and m.thread_id == "7919207"
    assert m.created_at == datetime(2014, 6, 20, 3, 39, 55, tzinfo=UTC)
    assert m.title == "Fibonacci Flim-Flam"
    # The shortened link label is replaced by the full URL; entities are decoded.
    assert "https://hn.algolia.com/?q=Fibonacci+Flim-Flam#!/all/forever/0/Fibonacci%20Flim-Flam" in m.text
    assert "What's fascinating" in m.text
    assert "<p>" not in m.text and "&#x27;" not in m.text


def test_recorded_query_hit_body_is_not_the_highlight():
    [m] = adapter.parse_payload(load("algolia_search_by_date_comment_query_apple.json"))
    assert "<em>" not in m.text
    assert "applauded" in m.text
    assert m.parent_id == "7919290" and m.thread_id == "7918547"


def test_recorded_story_has_no_parent_and_its_own_permalink():
    [m] = adapter.parse_payload(load("algolia_search_by_date_story.json"))
    assert m.external_id == "7919424"
    assert m.parent_id == "" and m.thread_id == ""
    assert m.title.startswith("Judge says concerned")
    assert m.text.startswith("http://in.reuters.com/")  # link post: its URL is the body
    assert m.permalink == "https://news.ycombinator.com/item?id=7919424"


def test_item_tree_is_flattened_with_threading():
    mentions = adapter.parse_payload(load("algolia_items_17.json"))
    assert [m.external_id for m in mentions] == ["17", "1079", "454426"]
    assert mentions[1].parent_id == "17" and mentions[1].thread_id == "1"
    assert mentions[0].text == "Is there anywhere to eat on Sandhill Road?"


def test_firebase_items_parse():
    [story] = adapter.parse_payload(load("firebase_item_8863.json"))
    assert story.author_handle == "dhouston" and story.title
    [comment] = adapter.parse_payload(load("firebase_item_2921983.json"))
    assert comment.parent_id == "2921506"


def test_non_mention_payload_is_rejected_clearly():
    with pytest.raises(PayloadError, match="expected an Algolia search response"):
        adapter.parse_payload(load("firebase_user_jl.json"))
    with pytest.raises(PayloadError, match="objectID"):
        adapter.parse_payload({"hits": [{"author": "x"}]})


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a href="javascript:alert(1)">click</a>', "click"),
        ("<script>alert(1)</script>hello", "hello"),
        ('<img src=x onerror="alert(1)">ok', "ok"),
        ('see <a href="https://example.com/docs">the docs</a>', "see the docs (https://example.com/docs)"),
        ("a<p>b<p>c", "a\n\nb\n\nc"),
    ],
)
def test_html_to_text(html, expected):
    assert html_to_text(html) == expected


def test_config_is_validated():
    from channels.adapters import ConfigError

    for bad in [{}, {"keywords": []}, {"keywords": "gitlab"}, {"keywords": ["gitlab"], "colour": "red"}]:
        with pytest.raises(ConfigError):
            adapter.validate_config(bad)
    assert adapter.validate_config({"keywords": [" gitlab "]}) == {"keywords": ["gitlab"]}


def _query(**params):
    return matchers.query_param_matcher(params, strict_match=False)


@pytest.mark.django_db
@responses.activate
def test_fetch_walks_every_page_and_moves_the_cursor_to_the_newest_item():
    now = int(time.time())
    channel = ChannelFactory(config={"keywords": ["gitlab"], "hits_per_page": 2})
    page0 = [comment_hit(5, now - 10), comment_hit(4, now - 20)]
    page1 = [story_hit(3, now - 30), comment_hit(2, now - 40)]
    responses.get(SEARCH_URL, json=search_page(page0, nb_pages=2, hits_per_page=2, nb_hits=4), match=[_query(page="0")])
    responses.get(
        SEARCH_URL, json=search_page(page1, page=1, nb_pages=2, hits_per_page=2, nb_hits=4), match=[_query(page="1")]
    )

    result = adapter.fetch(channel=channel, session=build_session())

    assert sorted(m.external_id for m in result.mentions) == ["2", "3", "4", "5"]
    assert result.cursor["created_at_i"] == now - 10
    assert result.requests_made == 2
    sent = responses.calls[0].request
    assert "tags=%28story%2Ccomment%29" in sent.url and "query=gitlab" in sent.url
    assert sent.headers["User-Agent"].startswith("TriageDesk/")


@pytest.mark.django_db
@responses.activate
def test_items_sharing_the_cursor_second_are_neither_missed_nor_passed_twice():
    t = 1_800_000_000
    channel = ChannelFactory(cursor={"created_at_i": t, "recent_ids": ["10"]}, config={"keywords": ["gitlab"]})
    # "11" was indexed late but shares the second of "10", which we already have.
    responses.get(
        SEARCH_URL,
        json=search_page([comment_hit(11, t), comment_hit(10, t)]),
        match=[_query(numericFilters=f"created_at_i>={t - 300}")],
    )
    result = adapter.fetch(channel=channel, session=build_session())
    assert [m.external_id for m in result.mentions] == ["11"]
    assert result.cursor == {"created_at_i": t, "recent_ids": ["10", "11"]}


@pytest.mark.django_db
@responses.activate
def test_a_capped_window_is_continued_below_its_oldest_hit():
    t = 1_800_000_000
    channel = ChannelFactory(
        cursor={"created_at_i": t, "recent_ids": []},
        config={"keywords": ["gitlab"], "hits_per_page": 1, "overlap_seconds": 0},
    )
    # Algolia says 3 hits but lets us page through only 2 (nbPages x hitsPerPage cap).
    responses.get(
        SEARCH_URL,
        json=search_page([comment_hit(3, t + 30)], nb_pages=2, hits_per_page=1, nb_hits=3),
        match=[_query(page="0", numericFilters=f"created_at_i>={t}")],
    )
    responses.get(
        SEARCH_URL,
        json=search_page([comment_hit(2, t + 20)], page=1, nb_pages=2, hits_per_page=1, nb_hits=3),
        match=[_query(page="1", numericFilters=f"created_at_i>={t}")],
    )
    responses.get(
        SEARCH_URL,
        json=search_page([comment_hit(1, t + 10)], nb_pages=1, hits_per_page=1, nb_hits=1),
        match=[_query(page="0", numericFilters=f"created_at_i>={t},created_at_i<{t + 21}")],
    )
    result = adapter.fetch(channel=channel, session=build_session())
    assert sorted(m.external_id for m in result.mentions) == ["1", "2", "3"]


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize(
    ("status", "error"), [(429, RateLimited), (500, TransientError), (503, TransientError), (403, AuthError)]
)
def test_http_errors_map_to_what_the_poller_should_do(status, error):
    channel = ChannelFactory()
    responses.get(SEARCH_URL, status=status, json={"message": "nope"}, headers={"Retry-After": "120"})
    with pytest.raises(error) as info:
        adapter.fetch(channel=channel, session=build_session())
    if status == 429:
        assert info.value.retry_after == 120


@pytest.mark.django_db
@responses.activate
def test_the_hourly_request_budget_is_shared_through_the_cache():
    channel = ChannelFactory(config={"keywords": ["gitlab"], "hourly_request_budget": 1})
    responses.get(SEARCH_URL, json=search_page([]))
    adapter.fetch(channel=channel, session=build_session())
    with pytest.raises(RateLimited, match="budget"):
        adapter.fetch(channel=channel, session=build_session())
    assert len(responses.calls) == 1
