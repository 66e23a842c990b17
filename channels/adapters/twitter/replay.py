"""The demo's X API v2 (api.x.com), after channels.demo.replay_kit (what every replay shares):

- ``GET /2/users/{id}/mentions``: the mentions timeline as the recorded ``users_mentions.json`` (tweepy cassette:
  ``data``, ``meta``), with the asked ``tweet.fields`` and ``includes`` of ``expansions=author_id,
  referenced_tweets.id`` as ``search_recent_with_expansions_docs_sample.json`` (X's documentation sample);
  ``since_id``, ``pagination_token``, ``max_results`` 5..100. It holds others' posts that mention the handle or
  reply in a conversation that does (the week's text as written), never the handle's own.
- ``GET /2/tweets/search/recent``: the same shape, ``next_token``, ``max_results`` 10..100; the query is read for
  ``from:``, ``to:``, ``@name``, ``is:reply``, ``is:retweet``, ``conversation_id:``, words, "phrases", ``-`` and
  ``OR``; another operator is X's 400 ``invalid-request`` problem. The demo channel searches ``from:<our handle>``.
- ``GET /2/users/{id}``: ``{"data": {"id", "name", "username"}}``, or X's resource-not-found error.
- ``GET /2/dm_conversations/{id}/dm_events`` (docs.x.com "Get DM events for a DM conversation"): our DMs there and
  the person's answer to each, given at the desk's first read after it was sent (replay_dm.py).

Writes: replay_writes.py. No bearer token is X's 401 problem (``{"title", "type", "status", "detail"}``), another
path its 404. Ids are Snowflakes of the post's time with the thread's index and the post's number in the low bits;
our handles have their configured user ids, anyone else one from the username.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import requests

from channels.adapters.base import IncomingMention
from channels.demo.replay import DemoPosts
from channels.demo.replay_kit import BASE36, Answer, Asked, base36, place, zulu

from .demo import DEMO
from .ids import SNOWFLAKE_EPOCH_MS
from .replay_dm import dm_events
from .replay_writes import invalid as invalid_body
from .replay_writes import is_write, problem, write

HOSTS = ("api.x.com", "api.twitter.com")

MENTIONS_PATH = re.compile(r"/2/users/(\d{1,20})/mentions")
USER_PATH = re.compile(r"/2/users/(\d{1,20})")
SEARCH_PATH = "/2/tweets/search/recent"
DM_EVENTS_PATH = re.compile(r"/2/dm_conversations/([\d-]{1,45})/dm_events")
DEFAULT_FIELDS = ("id", "text", "edit_history_tweet_ids")  # what X sends without tweet.fields
HANDLE_RE = re.compile(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_]{1,15})")
TERM_RE = re.compile(r'-?"[^"]*"|\S+')
OUR_HANDLES: list[dict[str, str]] = DEMO["config"]["handles"]


@dataclass(frozen=True)
class Post:
    id: int
    mention: IncomingMention
    author: str
    conversation_id: int
    parent: Post | None
    to: frozenset[str]  # casefolded handles the post is addressed to (its own and its conversation's)

    @property
    def handles(self) -> list[tuple[int, int, str]]:
        return [(m.start(), m.end(), m.group(1)) for m in HANDLE_RE.finditer(self.mention.text)]


class Refused(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status, self.body = status, body


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> Answer:
    asked = Asked(request)
    params, path = asked.query, asked.path.rstrip("/")
    if is_write(asked, path):
        return write(asked, path)  # our connected handle's posts and actions (replay_writes.py)
    try:
        if asked.method != "GET":
            raise Refused(404, problem(404, "Not Found", f"The demo answers no {asked.method} {path}."))
        if not asked.header("Authorization").startswith("Bearer "):
            raise Refused(401, problem(401, "Unauthorized", "Unauthorized"))
        found = demo_posts(posts)
        if match := MENTIONS_PATH.fullmatch(path):
            handle = username_of(match.group(1), found).casefold()
            selected = [p for p in found if handle and handle in p.to and p.author.casefold() != handle]
            return 200, timeline(selected, params, page_param="pagination_token", least=5)
        if path == SEARCH_PATH:
            query = params.get("query", "")
            selected = [p for p in found if matches(query, p)]
            return 200, timeline(selected, params, page_param="next_token", least=10)
        if match := USER_PATH.fullmatch(path):
            return 200, user_lookup(match.group(1), found)
        if match := DM_EVENTS_PATH.fullmatch(path):
            return 200, dm_events(match.group(1), params, posts.now)
        raise Refused(404, problem(404, "Not Found", f"Sorry, the demo knows no {path}."))
    except Refused as refused:
        return refused.status, refused.body


def invalid(parameter: str, value: str, message: str) -> Refused:
    return Refused(400, invalid_body(parameter, value, message))


# --- the week as X posts ---------------------------------------------------------------------------


def snowflake(mention: IncomingMention) -> int:
    """The post's Snowflake: its time in ms, then the thread index and the post's number (low 22 bits)."""
    ms = int(mention.created_at.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS
    thread, number = place(mention.external_id)
    return (ms << 22) | (thread << 6) | number


def demo_posts(posts: DemoPosts) -> list[Post]:
    """Every post served by now, newest first."""
    found: list[Post] = []
    for thread in posts.threads():
        opener: Post | None = None
        for mention in thread:
            handles = {m.casefold() for m in HANDLE_RE.findall(mention.text)}
            if opener is not None:
                handles |= opener.to | {opener.author.casefold()}
            post = Post(
                id=snowflake(mention),
                mention=mention,
                author=mention.author_handle,
                conversation_id=opener.id if opener else snowflake(mention),
                parent=opener,
                to=frozenset(handles),
            )
            opener = opener or post
            found.append(post)
    return sorted(found, key=lambda p: p.id, reverse=True)


def user_id(username: str) -> str:
    """Our handles' configured ids; anyone else a number of their own, the same at every call."""
    for handle in OUR_HANDLES:
        if handle["username"].casefold() == username.casefold():
            return str(handle["user_id"])
    return str(10**17 + int(hashlib.sha256(f"x-user:{username.casefold()}".encode()).hexdigest()[:13], 16))


def username_of(uid: str, found: list[Post]) -> str:
    """The username of a user id (as its owner writes it): one of our handles, or an author of the week."""
    names = [h["username"] for h in OUR_HANDLES] + [p.author for p in found]
    return next((name for name in names if user_id(name) == uid), "")


def user(username: str, user_fields: set[str] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"id": user_id(username), "name": username, "username": username}
    if user_fields and "public_metrics" in user_fields:
        # X's user public_metrics; the demo's authors get a following of their own, the same at every call
        # (from a few dozen to some 50k: the requester card's weight line, Play's ties).
        spread = int(hashlib.sha256(f"x-followers:{username.casefold()}".encode()).hexdigest()[:8], 16)
        followers = 12 + spread % 4000 if spread % 5 else 10_000 + spread % 40_000
        found["public_metrics"] = {
            "followers_count": followers,
            "following_count": 40 + spread % 900,
            "tweet_count": 100 + spread % 20_000,
            "listed_count": spread % 50,
        }
    return found


def tweet(post: Post, fields: set[str]) -> dict[str, Any]:
    full: dict[str, Any] = {
        "id": str(post.id),
        "text": post.mention.text,
        "edit_history_tweet_ids": [str(post.id)],
        "author_id": user_id(post.author),
        "created_at": zulu(post.mention.created_at),
        "conversation_id": str(post.conversation_id),
        "lang": "en",
    }
    if post.handles:
        full["entities"] = {"mentions": [{"start": s, "end": e, "username": name} for s, e, name in post.handles]}
    if post.parent is not None:
        full["in_reply_to_user_id"] = user_id(post.parent.author)
        full["referenced_tweets"] = [{"type": "replied_to", "id": str(post.parent.id)}]
    return {key: value for key, value in full.items() if key in fields or key in DEFAULT_FIELDS}


# --- timelines and search ----------------------------------------------------------------------------


def timeline(selected: list[Post], params: dict[str, str], *, page_param: str, least: int) -> dict[str, Any]:
    """One page of `selected` (newest first) after `since_id`, from the page token on; X's response shape."""
    size = whole(params, "max_results", default=10, least=least)
    since = whole(params, "since_id", default=0, least=0)
    posts = [p for p in selected if p.id > since]
    token = params.get(page_param)
    if token is not None:
        below = from_base36(token)
        if below is None:
            raise invalid(page_param, token, f"The `{page_param}` query parameter value [{token}] is not valid")
        posts = [p for p in posts if p.id < below]
    page, rest = posts[:size], posts[size:]
    meta: dict[str, Any] = {"result_count": len(page)}
    if not page:
        return {"meta": meta}
    meta.update(newest_id=str(page[0].id), oldest_id=str(page[-1].id))
    if rest:
        meta["next_token"] = base36(page[-1].id)
    expansions = {e for e in params.get("expansions", "").split(",") if e}
    # An expansion brings the field it expands (X adds author_id for expansions=author_id).
    fields = {f for f in params.get("tweet.fields", "").split(",") if f} | {e.split(".")[0] for e in expansions}
    body: dict[str, Any] = {"data": [tweet(p, fields) for p in page]}
    includes: dict[str, Any] = {}
    if "author_id" in expansions:
        authors = dict.fromkeys(p.author for p in page)
        user_fields = {f for f in params.get("user.fields", "").split(",") if f}
        includes["users"] = [user(name, user_fields) for name in authors]
    if "referenced_tweets.id" in expansions:
        parents = {p.parent.id: p.parent for p in page if p.parent is not None}
        if parents:
            includes["tweets"] = [tweet(parent, fields) for parent in parents.values()]
    if includes:
        body["includes"] = includes
    body["meta"] = meta
    return body


def whole(params: dict[str, str], key: str, *, default: int, least: int) -> int:
    value = params.get(key)
    if value is None:
        return default
    most = 100 if key == "max_results" else 2**64 - 1
    if not value.isascii() or not value.isdigit() or not least <= int(value) <= most:
        raise invalid(key, value, f"The `{key}` query parameter value [{value}] is not between {least} and {most}")
    return int(value)


def from_base36(token: str) -> int | None:
    if not token or len(token) > 20 or any(c not in BASE36 for c in token):
        return None
    return int(token, 36)


def matches(query: str, post: Post) -> bool:
    """Whether the post matches an X search query, for the operators the demo reads (module docstring)."""
    if not query.strip() or len(query) > 4096:
        raise invalid("query", query, "The `query` query parameter can not be empty or longer than 4096 characters")
    if "(" in query or ")" in query:
        raise invalid("query", query, "The demo's search reads no groups: write the query without parentheses")
    groups: list[list[str]] = [[]]
    for term in TERM_RE.findall(query):
        if term == "OR":
            groups.append([])
        else:
            groups[-1].append(term)
    if any(not group for group in groups):
        raise invalid("query", query, "There were errors processing your request: OR needs a term on each side")
    return any(all(term_matches(term, post, query) for term in group) for group in groups)


def term_matches(term: str, post: Post, query: str) -> bool:
    negated, term = term.startswith("-"), term.removeprefix("-")
    text = post.mention.text.casefold()
    operator, _, value = term.partition(":") if ":" in term and not term.startswith('"') else ("", "", "")
    value = value.casefold().removeprefix("@")
    if term.startswith('"'):
        found = term.strip('"').casefold() in text
    elif operator == "from":
        found = post.author.casefold() == value
    elif operator == "to":
        to = post.parent.author if post.parent else (post.handles[0][2] if text.startswith("@") else "")
        found = to.casefold() == value
    elif operator == "is" and value in ("reply", "retweet", "quote"):
        found = value == "reply" and post.parent is not None
    elif operator == "conversation_id":
        found = str(post.conversation_id) == value
    elif operator:
        raise invalid(
            "query", query, f"There were errors processing your request: Reference to invalid operator '{operator}'"
        )
    elif term.startswith("@"):
        found = term[1:].casefold() in post.to
    else:
        found = re.search(rf"(?<!\w){re.escape(term.casefold())}(?!\w)", text) is not None
    return found != negated


def user_lookup(uid: str, found: list[Post]) -> dict[str, Any]:
    name = username_of(uid, found)
    if name:
        return {"data": user(name)}
    return {
        "errors": [
            {
                "value": uid,
                "detail": f"Could not find user with id: [{uid}].",
                "title": "Not Found Error",
                "resource_type": "user",
                "parameter": "id",
                "resource_id": uid,
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ]
    }
