"""The dev.to adapter: its config, the walk of the latest articles (paging, the cursor, the budget, a 429), the
followed articles' comment trees, with HTTP mocked by `responses` at the edge. The answers are the recorded ones in
fixtures/ (SOURCES.md: a `/api/articles` list and a `/api/comments?a_id=` tree), or items copied from them with
only their id, time, tags or author changed."""

import copy
import itertools
import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from channels.adapters import ConfigError, RateLimited
from channels.adapters.devto import DevtoAdapter
from channels.adapters.devto.client import ACCEPT, COMMENTS_URL, LATEST_URL
from channels.adapters.devto.cursor import OVERLAP_SECONDS
from channels.http import build_session
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.personas import ADVOCATE, BYSTANDER, MEMBER

FIXTURES = Path(__file__).parent / "fixtures"
adapter = DevtoAdapter()
# dev.to usernames take Disqus's shape (lowercase, underscores); personas.py has no dev.to column of its own.
OURS, ASKER, OTHER = ADVOCATE.on("disqus"), MEMBER.on("disqus"), BYSTANDER.on("disqus")


def load(name):
    return json.loads((FIXTURES / name).read_text())


ARTICLE = load("articles_username_gereltuyamz.json")[0]
COMMENTS = load("comments_tree.json")


def iso(t):
    return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def article(ident, t, *, tags=("gitlab",), title="", author=None):
    """The recorded article with its id, publication time, tags, title or author changed."""
    item = copy.deepcopy(ARTICLE)
    item.update(id=ident, published_at=iso(t), published_timestamp=iso(t), tag_list=list(tags), tags=", ".join(tags))
    if title:
        item["title"] = title
    if author:
        item["user"] = {**item["user"], "username": author, "name": author}
    return item


def comment(id_code, t, *, author=None, children=()):
    """The recorded top comment with its id, time, author and children changed."""
    node = copy.deepcopy(COMMENTS[0])
    node.update(id_code=id_code, created_at=iso(t), children=list(children))
    if author:
        node["user"] = {**node["user"], "username": author, "name": author}
    return node


def params_of(call):
    return dict(parse_qsl(urlsplit(call.request.url).query))


def add_latest(items, *, page=1, status=200, headers=None):
    responses.get(
        LATEST_URL,
        json=items,
        status=status,
        headers=headers,
        match=[responses.matchers.query_param_matcher({"page": str(page)}, strict_match=False)],
    )


def add_comments(article_id, tree):
    responses.get(COMMENTS_URL, json=tree, match=[responses.matchers.query_param_matcher({"a_id": str(article_id)})])


_names = itertools.count(1)


def devto_channel(**kw):
    n = next(_names)
    kw.setdefault("name", f"dev.to {n}")
    kw.setdefault("slug", f"devto-{n}")
    kw.setdefault("config", {"tags": ["gitlab"], "per_page": 2})
    kw.setdefault("our_accounts", [OURS])
    return ChannelFactory(kind="devto", **kw)


def unsaved(config, cursor=None):
    return Channel(slug="devto", name="dev.to", kind="devto", config=config, cursor=cursor or {})


def walk(channel):
    return list(adapter.fetch_chunks(channel=channel, session=build_session()))


# --- config ------------------------------------------------------------------------------


def test_config_is_cleaned_and_needs_something_to_read():
    cleaned = adapter.validate_config({"tags": [" #GitLab ", "gitlab"], "articles": ["1612784", 7]})
    assert (cleaned["tags"], cleaned["articles"]) == (["gitlab"], [1612784, 7])
    with pytest.raises(ConfigError, match="reads nothing"):
        adapter.validate_config({"keywords": []})
    with pytest.raises(ConfigError, match="article ids"):
        adapter.validate_config({"articles": [True]})
    with pytest.raises(ConfigError, match="forum"):
        adapter.validate_config({"tags": ["gitlab"], "forum": "x"})
    assert adapter.validate_config({"latest": True}) == {"latest": True}


# --- the latest articles -----------------------------------------------------------------------


@responses.activate
def test_the_walk_reads_down_to_the_bound_and_hands_over_each_page_oldest_first():
    t = 1_700_000_000
    channel = unsaved({"tags": ["gitlab"], "per_page": 2}, {"articles": {"since": t, "seen": {}}})
    add_latest([article(4, t + 400), article(3, t + 30, tags=("python",))], page=1)
    add_latest([article(2, t + 20), article(1, t - 10)], page=2)

    chunks = walk(channel)

    assert [[m.external_id for m in c.mentions] for c in chunks] == [["4"], ["2"]]  # 3: not our tag; 1: before
    assert [c.more for c in chunks] == [True, False]
    assert [c.requests_made for c in chunks] == [1, 1]
    # The next walk stops just under the newest article read; the ids below that bound are forgotten.
    assert chunks[0].cursor["articles"] == {"since": t, "seen": {"3": t + 30, "4": t + 400}, "page": 2, "top": t + 400}
    assert chunks[-1].cursor["articles"] == {"since": t + 400 - OVERLAP_SECONDS, "seen": {"4": t + 400}}
    assert all(call.request.headers["Accept"] == ACCEPT for call in responses.calls)
    assert [params_of(c)["per_page"] for c in responses.calls] == ["2", "2"]


@responses.activate
def test_a_walk_cut_by_the_budget_goes_on_next_poll_where_it_stopped():
    t = 1_700_000_000
    config = {"latest": True, "per_page": 2, "max_requests_per_poll": 1}
    channel = unsaved(config, {"articles": {"since": t, "seen": {}}})
    add_latest([article(6, t + 60), article(5, t + 50)], page=1)

    first = walk(channel)

    assert [m.external_id for c in first for m in c.mentions] == ["5", "6"]
    assert first[-1].more and first[-1].cursor["articles"]["page"] == 2
    # Meanwhile article 7 is published: 5 slides to page 2, and is not handed over again.
    responses.reset()
    add_latest([article(5, t + 50), article(4, t + 40)], page=2)
    add_latest([article(3, t - 1)], page=3)
    channel.cursor = first[-1].cursor

    second = walk(channel)

    assert [m.external_id for c in second for m in c.mentions] == ["4"]
    assert [params_of(c)["page"] for c in responses.calls] == ["2"]
    assert second[-1].more and second[-1].cursor["articles"]["page"] == 3


@responses.activate
def test_keywords_keep_only_articles_that_say_them():
    t = 1_700_000_000
    channel = unsaved({"latest": True, "keywords": ["gitlab"], "per_page": 5}, {"articles": {"since": t, "seen": {}}})
    add_latest([article(2, t + 2, tags=("devops",), title="Moving to GitLab CI"), article(1, t + 1, tags=("go",))])

    assert [m.title for c in walk(channel) for m in c.mentions] == ["Moving to GitLab CI"]


@responses.activate
def test_a_429_on_the_first_request_fails_the_poll_and_one_later_ends_the_walk():
    t = 1_700_000_000
    add_latest([], status=429, headers={"Retry-After": "30"})
    with pytest.raises(RateLimited):
        walk(unsaved({"latest": True}, {"articles": {"since": t, "seen": {}}}))

    responses.reset()
    add_comments(9, [comment("c1", t)])
    add_latest([], status=429, headers={"Retry-After": "30"})
    chunks = walk(unsaved({"latest": True, "articles": [9]}, {"articles": {"since": t, "seen": {}}}))
    assert [m.external_id for c in chunks for m in c.mentions] == ["c1"]
    assert chunks[-1].more and chunks[-1].not_before is not None


# --- comments --------------------------------------------------------------------------------


@responses.activate
def test_comments_are_threaded_and_handed_over_once():
    t = 1_700_000_000
    reply = comment("c2", t + 5, author=OURS)
    add_comments(1612784, [comment("c1", t, author=ASKER, children=[reply]), comment("c3", t + 9, author=OTHER)])
    channel = unsaved({"articles": [1612784]})

    first = walk(channel)

    mentions = [m for c in first for m in c.mentions]
    assert [(m.external_id, m.parent_id, m.thread_id, m.author_handle) for m in mentions] == [
        ("c1", "1612784", "1612784", ASKER),
        ("c2", "c1", "1612784", OURS),
        ("c3", "1612784", "1612784", OTHER),
    ]
    assert mentions[1].permalink == f"https://dev.to/{OURS}/comment/c2"
    assert first[-1].cursor["comments"] == {"1612784": {"c1": t, "c2": t + 5, "c3": t + 9}}

    channel.cursor = first[-1].cursor
    assert [m for c in walk(channel) for m in c.mentions] == []


@responses.activate
def test_a_followed_article_gone_from_dev_to_does_not_stop_the_others_being_read(caplog):
    # Forem answers the comments of a deleted or unpublished article with a 404 and a small JSON error body; the
    # desk reads only the status.
    t = 1_700_000_000
    responses.get(
        COMMENTS_URL,
        json={"error": "not found", "status": 404},
        status=404,
        match=[responses.matchers.query_param_matcher({"a_id": "999"})],
    )
    add_comments(1612784, [comment("c1", t, author=ASKER)])
    channel = unsaved({"articles": [999, 1612784]})

    chunks = walk(channel)

    assert [m.external_id for c in chunks for m in c.mentions] == ["c1"]
    assert sum(c.requests_made for c in chunks) == 2
    assert "article is gone from dev.to (HTTP 404)" in caplog.text


@responses.activate
def test_a_comment_kept_as_a_dead_letter_reads_again_in_the_same_place():
    add_comments(1612784, [comment("c1", 1_700_000_000, children=[comment("c2", 1_700_000_005)])])
    [reply] = [m for c in walk(unsaved({"articles": [1612784]})) for m in c.mentions if m.external_id == "c2"]

    [again] = adapter.parse_item(reply.raw).mentions

    assert (again.external_id, again.parent_id, again.thread_id) == ("c2", "c1", "1612784")
    assert adapter.parse_item(ARTICLE).mentions[0].external_id == "1615102"
