"""The Lobsters adapter: its config, the listings' walk (a page boundary, the cursor across polls, keywords), the
watched stories' comments, politeness (the budget, the User-Agent, a 429 and its Retry-After) and the watched
thread, with HTTP mocked by `responses` at the edge. The answers are the recorded ones in fixtures/ (SOURCES.md:
``hottest.json`` a listing page of the newer Lobsters, ``s_tdfoqh.json`` a story with comments), or stories copied
from them with only their id, time, title or author changed."""

import copy
import itertools
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from channels.adapters import ConfigError, RateLimited
from channels.adapters.lobsters import LobstersAdapter
from channels.adapters.lobsters.client import NEWEST_URL, SITE, story_url, tag_url
from channels.adapters.lobsters.platform import PLATFORM
from channels.freshness import buckets_of
from channels.http import build_session
from channels.models import Channel
from channels.tests.factories import ChannelFactory

FIXTURES = Path(__file__).parent / "fixtures"
adapter = LobstersAdapter()
OURS, ASKER, OTHER = "gitlab_team", "pushcx", "gioele"  # Lobsters names as the recorded pages write them


def load(name):
    return json.loads((FIXTURES / name).read_text())


STORY = load("hottest.json")[0]
DETAILS = load("s_tdfoqh.json")


def iso(t):
    return datetime.fromtimestamp(t, tz=UTC).isoformat(timespec="milliseconds")


def story(short_id, t, *, title="GitLab runners on ARM", author=ASKER, comments=None):
    """The recorded listing story with its id, time, title and author changed."""
    item = copy.deepcopy(STORY)
    item.update(short_id=short_id, short_id_url=f"{SITE}/s/{short_id}", created_at=iso(t), title=title)
    item["submitter_user"] = author
    if comments is not None:
        item.update(comments=comments, comment_count=len(comments))
    return item


def comment(short_id, t, *, author=OTHER, parent=None):
    """The recorded first comment with its id, time, author and parent changed."""
    item = copy.deepcopy(DETAILS["comments"][0])
    item.update(short_id=short_id, created_at=iso(t), last_edited_at=iso(t), commenting_user=author)
    item.update(parent_comment=parent, depth=0 if parent is None else 1, short_id_url=f"{SITE}/c/{short_id}")
    return item


def filler(n, t, prefix="f"):
    """`n` stories older by a second each, without the keyword."""
    return [story(f"{prefix}{k:05d}", t - k, title="Something else entirely") for k in range(n)]


def add_page(url, items, *, page=1, status=200, headers=None):
    params = {"page": str(page)} if page > 1 else {}
    matcher = responses.matchers.query_param_matcher(params)
    responses.get(url, json=items, status=status, headers=headers, match=[matcher])


def add_story(item, *, status=200):
    responses.get(story_url(item["short_id"]), json=item, status=status)


_names = itertools.count(1)


def lobsters_channel(**kw):
    n = next(_names)
    kw.setdefault("name", f"Lobsters {n}")
    kw.setdefault("slug", f"lobsters-{n}")
    kw.setdefault("config", {"newest": True, "keywords": ["gitlab"]})
    kw.setdefault("our_accounts", [OURS])
    return ChannelFactory(kind="lobsters", **kw)


def unsaved(config, cursor=None):
    return Channel(slug="lobsters", name="Lobsters", kind="lobsters", config=config, cursor=cursor or {})


def walk(channel):
    results = list(adapter.fetch_chunks(channel=channel, session=build_session()))
    channel.cursor = results[-1].cursor
    return results


def ids(results):
    return [m.external_id for r in results for m in r.mentions]


def pages_asked(url):
    asked: list[str] = [str(c.request.url) for c in responses.calls]
    return [dict(parse_qsl(urlsplit(u).query)).get("page", "1") for u in asked if u.startswith(url)]


# --- config ------------------------------------------------------------------------------


def test_config_is_cleaned_and_needs_something_to_read():
    cleaned = adapter.validate_config({"tags": [" #VCS ", "vcs", "c++"], "keywords": ["GitLab"]})
    assert (cleaned["tags"], cleaned["keywords"]) == (["vcs", "c++"], ["gitlab"])
    with pytest.raises(ConfigError, match="reads nothing"):
        adapter.validate_config({"keywords": ["gitlab"]})
    with pytest.raises(ConfigError, match="not a Lobsters tag"):
        adapter.validate_config({"tags": ["vcs,rust"]})
    with pytest.raises(ConfigError, match="forum"):
        adapter.validate_config({"newest": True, "forum": "x"})
    with pytest.raises(ConfigError, match="max_requests_per_poll"):
        adapter.validate_config({"newest": True, "max_requests_per_poll": 500})
    assert adapter.validate_config({"newest": True}) == {"newest": True}


def test_the_budget_is_polite_a_poll_every_ten_minutes_by_default():
    (bucket,) = buckets_of(Channel(kind="lobsters", config={"tags": ["vcs"]}))
    assert (bucket.requests, bucket.limit, bucket.window_seconds) == (5, 60, 3600)
    assert bucket.shortest(bucket.requests) == 600
    assert PLATFORM.watch is not None and PLATFORM.watch.share_of_budget(100) <= 0.25
    assert "no write API" in PLATFORM.unsupported["replies"]


# --- the listings ---------------------------------------------------------------------------


@responses.activate
def test_the_tags_are_one_listing_and_keywords_are_matched_by_the_desk():
    now = int(time.time())
    channel = unsaved({"tags": ["vcs", "devops"], "keywords": ["gitlab"], "watch_days": 0})
    kept = story("aaaaaa", now - 100, title="Self-hosting GitLab on a small VPS")
    in_link = story("bbbbbb", now - 200, title="A forge migration")
    in_link["url"] = "https://about.gitlab.com/blog/forge"
    add_page(tag_url(["devops", "vcs"]), [kept, in_link, story("cccccc", now - 300, title="Rust 2.0")])

    results = walk(channel)

    assert ids(results) == ["bbbbbb", "aaaaaa"]  # oldest first; "Rust 2.0" is read and passed over
    assert responses.calls[0].request.url == f"{SITE}/t/devops,vcs.json"
    assert set(channel.cursor["seen"]) == {"aaaaaa", "bbbbbb", "cccccc"}


@responses.activate
def test_a_walk_crosses_a_page_boundary_then_a_second_poll_hands_over_nothing():
    now = int(time.time())
    channel = unsaved({"newest": True, "watch_days": 0})
    first = [story("new001", now - 10), *filler(24, now - 20)]
    add_page(NEWEST_URL, first)
    add_page(NEWEST_URL, [story("old001", now - 400), *filler(3, now - 500, "g")], page=2)

    results = walk(channel)

    assert len(ids(results)) == 29 and ids(results)[-1] == "new001" and "old001" in ids(results)
    assert pages_asked(NEWEST_URL) == ["1", "2"]
    assert not results[-1].more

    responses.calls.reset()
    assert ids(walk(channel)) == []  # page 1 again: everything on it was handed over
    assert pages_asked(NEWEST_URL) == ["1"]


@responses.activate
def test_a_walk_cut_by_the_budget_goes_on_where_it_stopped_at_the_next_poll():
    now = int(time.time())
    channel = unsaved({"newest": True, "watch_days": 0, "max_requests_per_poll": 2})
    add_page(NEWEST_URL, [story("new001", now - 10), *filler(24, now - 20)])
    add_page(NEWEST_URL, filler(25, now - 100, "g"), page=2)
    add_page(NEWEST_URL, [story("old001", now - 400)], page=3)

    first = walk(channel)
    assert len(ids(first)) == 50 and "old001" not in ids(first) and first[-1].more
    assert channel.cursor["streams"]["newest"]["resume"]["page"] == 3

    responses.calls.reset()
    second = walk(channel)  # a restart between polls: the cursor is all that is kept
    assert ids(second) == ["old001"] and not second[-1].more
    assert pages_asked(NEWEST_URL) == ["1", "3"]  # its newest-first look, then the backlog where it stopped


# --- watched stories --------------------------------------------------------------------


@responses.activate
def test_a_kept_storys_comments_are_threaded_under_it_and_read_once():
    now = int(time.time())
    channel = unsaved({"newest": True, "keywords": ["gitlab"]})
    listed = story("st0001", now - 600)
    listed["comment_count"] = 2
    add_page(NEWEST_URL, [listed])
    top, reply = comment("cm0001", now - 500), comment("cm0002", now - 400, author=OURS, parent="cm0001")
    add_story(story("st0001", now - 600, comments=[top, reply]))

    results = walk(channel)

    by_id = {m.external_id: m for r in results for m in r.mentions}
    assert list(by_id) == ["st0001", "c_cm0001", "c_cm0002"]
    assert (by_id["c_cm0001"].parent_id, by_id["c_cm0001"].thread_id) == ("st0001", "st0001")
    assert (by_id["c_cm0002"].parent_id, by_id["c_cm0002"].author_handle) == ("c_cm0001", OURS)
    watched = channel.cursor["stories"]["st0001"]
    assert (watched["count"], set(watched["comments"])) == (2, {"cm0001", "cm0002"})

    responses.calls.reset()
    channel.cursor["stories"]["st0001"]["read"] = 0  # due again; the listing shows the same comment count
    assert ids(walk(channel)) == []
    assert [c.request.url for c in responses.calls] == [NEWEST_URL]  # the story was not read again


@responses.activate
def test_a_watched_story_is_read_again_only_when_due_and_only_its_new_comments_handed_over():
    now = int(time.time())
    channel = unsaved({"newest": True, "keywords": ["gitlab"], "recheck_minutes": 60})
    add_page(NEWEST_URL, [story("st0001", now - 600)])
    add_story(story("st0001", now - 600, comments=[comment("cm0001", now - 500)]))
    walk(channel)

    responses.calls.reset()
    assert ids(walk(channel)) == []  # read a moment ago: not due
    assert [c.request.url for c in responses.calls] == [NEWEST_URL]

    channel.cursor["stories"]["st0001"]["read"] = now - 3601
    responses.replace(responses.GET, NEWEST_URL, json=[])  # the story has left the first page
    later = [comment("cm0001", now - 500), comment("cm0003", now - 100, parent="cm0001")]
    responses.replace(responses.GET, story_url("st0001"), json=story("st0001", now - 600, comments=later))
    assert ids(walk(channel)) == ["c_cm0003"]


@responses.activate
def test_a_watched_story_gone_from_lobsters_is_dropped_and_the_rest_read():
    now = int(time.time())
    cursor = {"stories": {"gone01": {"until": now + 999, "read": 0}, "kept01": {"until": now + 999, "read": 1}}}
    channel = unsaved({"newest": True}, cursor)
    add_page(NEWEST_URL, [])
    responses.get(story_url("gone01"), status=404, body="The page you were looking for doesn't exist.")
    add_story(story("kept01", now - 600, comments=[comment("cm0009", now - 50)]))

    results = walk(channel)

    assert ids(results) == ["c_cm0009"]
    assert set(channel.cursor["stories"]) == {"kept01"}


# --- politeness ------------------------------------------------------------------------------


@responses.activate
def test_requests_say_who_reads():
    add_page(NEWEST_URL, [])
    walk(unsaved({"newest": True}))  # an empty listing
    agent = responses.calls[0].request.headers["User-Agent"]
    assert agent.startswith("TriageDesk") and "lobsters-reader" in agent


@responses.activate
def test_a_429_on_the_first_request_fails_the_poll_with_its_retry_after():
    responses.get(NEWEST_URL, status=429, headers={"Retry-After": "37"}, body="Throttled, sleep(1) between hits")
    with pytest.raises(RateLimited) as raised:
        walk(unsaved({"newest": True}))
    assert raised.value.retry_after == 37


@responses.activate
def test_a_429_later_in_a_poll_keeps_what_was_read_and_waits_its_retry_after():
    now = int(time.time())
    channel = unsaved({"newest": True, "keywords": ["gitlab"]})
    add_page(NEWEST_URL, [story("st0001", now - 600)])
    responses.get(story_url("st0001"), status=429, headers={"Retry-After": "120"})

    (result,) = walk(channel)

    assert ids([result]) == ["st0001"]
    assert result.not_before is not None and (result.not_before - datetime.now(tz=UTC)).total_seconds() > 100
    assert channel.cursor["stories"]["st0001"]["read"] == 0  # read at the next poll


# --- the watched thread (after our reply) --------------------------------------------------------


@responses.activate
def test_a_watched_thread_is_its_story_read_whole():
    assert adapter.thread_ref("c_ncdsfc", "tdfoqh", {}) == "tdfoqh"
    assert adapter.thread_ref("tdfoqh", "", {}) == "tdfoqh"
    assert adapter.thread_ref("c_x", "", {}) == ""
    responses.get(story_url("tdfoqh"), json=DETAILS)

    fetched = adapter.fetch_thread(channel=unsaved({"newest": True}), session=build_session(), ref="tdfoqh")

    assert fetched.requests_made == 1 and len(fetched.mentions) == 11


@pytest.mark.django_db
@responses.activate
def test_test_connection_reads_one_page():
    add_page(tag_url(["vcs"]), [story("aaaaaa", int(time.time()), title="Git 3.0")])
    said = adapter.test_connection(channel=lobsters_channel(config={"tags": ["vcs"]}), session=build_session())
    assert said == "Lobsters answered: 1 stories tagged vcs, the newest 'Git 3.0'."
