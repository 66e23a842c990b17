import time
from datetime import UTC, datetime
from typing import Any

import pytest
import responses
from responses import matchers

from channels.adapters import AuthError, PayloadError, RateLimited, TransientError
from channels.adapters.hackernews import SEARCH_URL, HackerNewsAdapter
from channels.http import build_session
from channels.tests.factories import ChannelFactory
from channels.tests.harness import ingested
from channels.tests.hn import FakeAlgolia, comment_hit, load, search_page, story_hit
from channels.tests.sent import request_url
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
    parsed = adapter.parse_page({"hits": [{"author": "x"}, comment_hit(2, 1_700_000_000)]})
    assert [m.external_id for m in parsed.mentions] == ["2"]
    assert len(parsed.rejected) == 1 and "objectID" in parsed.rejected[0].error


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

    bad_configs: list[dict[str, Any]] = [
        {},
        {"keywords": []},
        {"keywords": "gitlab"},
        {"keywords": ["gitlab"], "colour": "red"},
    ]
    for bad in bad_configs:
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
    assert result.requests_made == 3  # two pages, and the front page
    sent = responses.calls[0].request
    assert "tags=%28story%2Ccomment%29" in request_url(sent) and "query=gitlab" in request_url(sent)
    assert sent.headers["User-Agent"].startswith("TriageDesk/")


@pytest.mark.django_db
@responses.activate
def test_items_sharing_the_cursor_second_are_neither_missed_nor_passed_twice():
    t = int(time.time()) - 3_600
    # A version 1 cursor (before the package): the ids at its second are read as seen there.
    channel = ChannelFactory(cursor={"created_at_i": t, "recent_ids": ["10"]}, config={"keywords": ["gitlab"]})
    # "11" was indexed late but shares the second of "10", which we already have.
    algolia = FakeAlgolia([comment_hit(11, t), comment_hit(10, t), comment_hit(9, t - 301)])
    result = adapter.fetch(channel=channel, session=build_session())
    assert [m.external_id for m in result.mentions] == ["11"]
    assert algolia.requests[0]["numericFilters"].startswith(f"created_at_i>={t - 300},created_at_i<")
    assert result.cursor["created_at_i"] == t
    assert result.cursor["keywords"]["gitlab"] == {"from": t - 300, "seen": {"10": t, "11": t}}
    assert result.requests_made == 2  # the search, and the front page


@pytest.mark.django_db
@responses.activate
def test_a_window_over_the_pagination_limit_is_read_in_narrower_windows_oldest_first():
    now = int(time.time())
    channel = ChannelFactory(config={"keywords": ["gitlab"], "hits_per_page": 50, "max_requests_per_poll": 200})
    FakeAlgolia([comment_hit(100 + i, now - 80_000 + i * 30) for i in range(2_500)])
    chunks = list(adapter.fetch_chunks(channel=channel, session=build_session()))
    handed = [int(m.external_id) for c in chunks for m in c.mentions]
    assert handed == list(range(100, 2_600))  # every hit once, oldest first, across chunks
    assert all(len(c.mentions) <= 50 for c in chunks)  # one page a chunk
    froms = [c.cursor["keywords"]["gitlab"]["from"] for c in chunks]
    assert froms == sorted(froms) and chunks[-1].more is False


@pytest.mark.django_db
@responses.activate
def test_a_walk_cut_short_by_a_429_keeps_what_it_read_and_asks_to_wait():
    now = int(time.time())
    channel = ChannelFactory(config={"keywords": ["gitlab"], "hits_per_page": 10})
    algolia = FakeAlgolia([comment_hit(100 + i, now - 5_000 + i * 10) for i in range(40)], mock=None)

    def answer(request):
        if len(algolia.requests) >= 3:
            return 429, {"Retry-After": "600"}, "{}"
        return algolia.answer(request)

    responses.add_callback(responses.GET, SEARCH_URL, callback=answer)
    chunks = list(adapter.fetch_chunks(channel=channel, session=build_session()))
    handed = [m.external_id for c in chunks for m in c.mentions]
    assert handed == [str(100 + i) for i in range(20)]  # the two oldest pages
    assert chunks[-1].more is True and chunks[-1].not_before is not None


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


@pytest.mark.django_db
def test_the_demo_replay_channel_polls_through_the_package_transport():
    from intake.services.polling import channel_poll

    channel = ChannelFactory(config={"keywords": ["gitlab"], "replay": True, "backfill_hours": 1})
    first = channel_poll(channel_id=channel.pk)
    assert first.result is not None
    assert first.status == "ok" and first.result.created >= 10  # one sample every 5 minutes over the last hour
    channel.refresh_from_db()
    assert channel.cursor["keywords"]["gitlab"]["seen"]
    second = channel_poll(channel_id=channel.pk)
    assert second.result is not None
    assert second.status == "ok" and second.result.duplicates == 0


@pytest.mark.django_db
@responses.activate
def test_an_item_indexed_late_inside_the_overlap_is_read_by_the_next_poll():
    from intake.services.polling import channel_poll

    now = int(time.time())
    algolia = FakeAlgolia([comment_hit(1, now - 200), comment_hit(2, now - 30)])
    channel = ChannelFactory()
    assert ingested(channel_poll(channel_id=channel.pk)).received == 2
    algolia.add(comment_hit(3, now - 120))  # posted before the newest hit, indexed after the poll
    second = channel_poll(channel_id=channel.pk)
    assert second.result is not None
    assert second.result.received == 1 and second.result.created == 1
    channel.refresh_from_db()
    assert channel.cursor["keywords"]["gitlab"]["from"] == now - 30 - 300
    assert ingested(channel_poll(channel_id=channel.pk)).received == 0


@pytest.mark.django_db
@responses.activate
def test_ids_seen_at_the_boundary_second_are_checked_before_their_hits_are_skipped():
    """The cursor remembers two ids at its `from` second, one of them since deleted: skipping two hits at the
    bottom would skip one never handed over. The first page read shows it, and the window is read whole."""
    s = int(time.time()) - 10_000
    channel = ChannelFactory(
        config={"keywords": ["gitlab"], "hits_per_page": 1},
        cursor={"version": 2, "created_at_i": s, "keywords": {"gitlab": {"from": s, "seen": {"10": s, "9": s}}}},
    )
    FakeAlgolia([comment_hit(10, s), comment_hit(11, s), comment_hit(12, s + 1_000), comment_hit(13, s + 2_000)])
    handed = [m.external_id for m in adapter.fetch(channel=channel, session=build_session()).mentions]
    assert handed == ["11", "12", "13"]
