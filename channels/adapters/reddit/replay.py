"""The demo's Reddit API (oauth.reddit.com, and the token endpoint on www.reddit.com), answered from the demo
week's posts (channels.demo.replay). The week's Reddit threads are posts of the demo channel's subreddit
(r/<first configured subreddit>) and their comments.

Endpoints, as the adapter calls them (`auth.py`, `client.py`, `paging.py`, `thread.py`):

- ``POST https://www.reddit.com/api/v1/access_token`` (HTTP Basic with the app's client id and secret,
  ``grant_type`` client_credentials or password): ``{"access_token", "token_type": "bearer", "expires_in",
  "scope"}`` as Reddit's OAuth2 documentation shows it (github.com/reddit-archive/reddit/wiki/OAuth2, "Retrieving
  the access token"). Without Basic credentials: 401 ``{"message": "Unauthorized", "error": 401}``; another grant
  type: 200 ``{"error": "unsupported_grant_type"}``, as Reddit answers.
- ``GET /r/{sub}/new`` (posts, t3) and ``GET /r/{sub}/comments`` (comments, t1): Listings newest first in the
  recorded shape of ``tests/fixtures/subreddit_new_submissions.json`` and ``subreddit_comments_page1.json``
  (PRAW cassettes: ``{"kind": "Listing", "data": {"after", "dist", "modhash", "geo_filter", "children",
  "before"}}``), paged with ``after`` (the fullname of the last item of the page before) and ``limit``
  (default 25, at most 100).
- ``GET /search?q=…&type=link`` (posts whose title or text hold every word of ``q``), the same Listing,
  as ``tests/fixtures/search_all.json``.
- ``GET /comments/{id}`` (a watched thread, `fetch_thread`): ``[post Listing, comments Listing]`` as
  ``tests/fixtures/goreddit_post_comment_page.json``, comments newest first (``sort=new``).
- ``GET /r/{sub}/about`` (test_connection): the subreddit (t5).
- ``GET /user/{name}/about`` (an author's karma, people.karma): the account (t2) as Reddit's API documentation
  lists its fields, with ``link_karma`` and ``comment_karma`` of the author's own.

What our connected account sends (a comment, a private message, a token refresh) is answered as done and kept
nowhere by `replay_writes.py`, which says the shapes it follows.

With ``raw_json=1`` (the adapter always sends it) the HTML fields come as they are; without it ``<``, ``>`` and
``&`` are escaped there, as Reddit does. A call to oauth.reddit.com without the bearer token this replay
issued is 401 ``{"message": "Unauthorized", "error": 401}`` (the adapter then asks for a new token); an
unknown path or another subreddit is 404 ``{"message": "Not Found", "error": 404}`` (error_403.json's shape).

Ids are base 36, derived from the thread's index in the week (posts) and the post's number in its thread
(comments): the same item has the same id at every poll. Permalinks follow Reddit's
``/r/{sub}/comments/{post id}/{title slug}/[{comment id}/]``.
"""

from __future__ import annotations

import hashlib
import html
import re
from base64 import b64decode
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests

from channels.adapters.base import IncomingMention
from channels.demo.replay import DemoPosts
from channels.demo.router import base36

from .auth import AUTH_URL

HOSTS = ("oauth.reddit.com", "www.reddit.com")

AUTH_PATH = urlparse(AUTH_URL).path  # /api/v1/access_token
ACCESS_TOKEN = "demo-reddit-access-token"  # noqa: S105 (the replay's own token: the demo network issues it)
TOKEN_LIFETIME = 86400  # what Reddit grants an app-only token today (the wiki's example says 3600)
POST_BASE = 1_700_000_000  # t3 ids: POST_BASE + thread index, base 36 ("s4d7ls"...)
COMMENT_BASE = 60_000_000_000  # t1 ids: COMMENT_BASE + thread index * 1000 + the post's number
SUBREDDIT_ID = "t5_2s5wd"
LISTING = re.compile(r"/r/([A-Za-z0-9_]{2,21})/(new|comments|about)")
THREAD = re.compile(r"/comments/([a-z0-9]{1,13})")
USER_ABOUT = re.compile(r"/user/([A-Za-z0-9_-]{1,20})/about")

WRITE_PATHS = ("/api/comment", "/api/compose")  # our connected account's writes: replay_writes.py
UNAUTHORIZED = {"message": "Unauthorized", "error": 401}
NOT_FOUND = {"message": "Not Found", "error": 404}


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> tuple[int, Any]:
    url = urlparse(request.url or "")
    params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
    path = url.path.rstrip("/").removesuffix(".json")
    if url.hostname == "www.reddit.com":
        return token(request) if path == AUTH_PATH and request.method == "POST" else (404, NOT_FOUND)
    if request.method == "POST" and path in WRITE_PATHS:
        from .replay_writes import write  # it renders what it answers with this module's helpers

        return write(request, path, ACCESS_TOKEN)
    if (request.headers.get("Authorization") or "").casefold() != f"bearer {ACCESS_TOKEN}":
        return 401, UNAUTHORIZED
    if request.method != "GET":
        return 404, NOT_FOUND
    sub = subreddit()
    escape = params.get("raw_json") != "1"
    if match := LISTING.fullmatch(path):
        if match.group(1).casefold() != sub.casefold():
            return 404, NOT_FOUND
        if match.group(2) == "about":
            return 200, about(sub)
        things = [t for t in items(posts, sub, escape) if t["kind"] == ("t3" if match.group(2) == "new" else "t1")]
        return 200, listing(things, params)
    if path == "/search":
        words = params.get("q", "").casefold().split()
        found = [t for t in items(posts, sub, escape) if t["kind"] == "t3" and searched(t["data"], words)]
        return 200, listing(found if params.get("type", "link") in ("link", "") else [], params)
    if match := THREAD.fullmatch(path):
        return thread_page(posts, sub, escape, match.group(1))
    if match := USER_ABOUT.fullmatch(path):
        return 200, user_about(match.group(1))
    return 404, NOT_FOUND


def user_about(name: str) -> dict[str, Any]:
    """`/user/<name>/about`: the account (t2) with karma of its own, the same at every call."""
    spread = int(hashlib.sha256(f"reddit-karma:{name.casefold()}".encode()).hexdigest()[:8], 16)
    return {
        "kind": "t2",
        "data": {
            "name": name,
            "link_karma": spread % 9_000,
            "comment_karma": spread % 31_000,
            "is_suspended": False,
            "created_utc": 1_300_000_000.0 + spread % 300_000_000,
        },
    }


def token(request: requests.PreparedRequest) -> tuple[int, Any]:
    """The token endpoint: Basic credentials in, a bearer token out (module docstring)."""
    scheme, _, encoded = (request.headers.get("Authorization") or "").partition(" ")
    try:
        client_id, _, secret = b64decode(encoded, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        client_id = secret = ""
    if scheme != "Basic" or not client_id or not secret:
        return 401, UNAUTHORIZED
    body = request.body.decode() if isinstance(request.body, bytes) else request.body or ""
    grant = parse_qs(body).get("grant_type", [""])[-1]
    if grant == "refresh_token":  # the connected account's token, refreshed by the send path
        from .replay_writes import form_of, refreshed

        return refreshed(form_of(request))
    if grant not in ("client_credentials", "password"):
        return 200, {"error": "unsupported_grant_type"}
    return 200, {"access_token": ACCESS_TOKEN, "token_type": "bearer", "expires_in": TOKEN_LIFETIME, "scope": "*"}


def subreddit() -> str:
    from channels.demo.channels import DEMO_CHANNELS

    return str(DEMO_CHANNELS["reddit"]["config"]["subreddits"][0])


# --- the week as Reddit things -----------------------------------------------------------------------


def numbers(mention: IncomingMention) -> tuple[int, int]:
    """(thread index, post number) of a demo id "demo-reddit-<n>" or "demo-reddit-<n>-<k>"."""
    parts = [int(part) for part in mention.external_id.split("-")[2:]]
    return parts[0], (parts[1] if len(parts) > 1 else 0)


def slug(title: str) -> str:
    """Reddit's URL slug of a title: lowercase words joined by underscores, about 50 characters."""
    words = re.sub(r"[^a-z0-9]+", " ", title.casefold()).split()
    found = ""
    for word in words:
        if len(found) + len(word) > 50:
            break
        found = f"{found}_{word}" if found else word
    return found or "_"


def fullname_of_user(name: str) -> str:
    return "t2_" + base36(int(hashlib.sha256(f"reddit-user:{name.casefold()}".encode()).hexdigest()[:10], 16))


def html_of(text: str, escape: bool) -> str:
    paragraphs = "\n\n".join(f"<p>{html.escape(part, quote=False)}</p>" for part in text.split("\n\n"))
    rendered = f'<div class="md">{paragraphs}\n</div>'
    return html.escape(rendered, quote=False) if escape else rendered


def items(posts: DemoPosts, sub: str, escape: bool) -> list[dict[str, Any]]:
    """Every post and comment served by now as Reddit things, newest first."""
    found: list[tuple[float, dict[str, Any]]] = []
    for thread in posts.threads():
        opener, comments = thread[0], thread[1:]
        index, _ = numbers(opener)
        post_id = base36(POST_BASE + index)
        permalink = f"/r/{sub}/comments/{post_id}/{slug(opener.title)}/"
        common = {
            "subreddit": sub,
            "subreddit_id": SUBREDDIT_ID,
            "subreddit_name_prefixed": f"r/{sub}",
            "subreddit_type": "public",
            "edited": False,
            "score": 1,
            "ups": 1,
            "downs": 0,
            "locked": False,
            "stickied": False,
            "distinguished": None,
        }
        found.append(
            (
                opener.created_at.timestamp(),
                thing(
                    "t3",
                    post_id,
                    opener,
                    common,
                    {
                        "title": opener.title,
                        "selftext": opener.text,
                        "selftext_html": html_of(opener.text, escape),
                        "is_self": True,
                        "domain": f"self.{sub}",
                        "url": f"https://www.reddit.com{permalink}",
                        "permalink": permalink,
                        "num_comments": len(comments),
                        "over_18": False,
                        "removed_by_category": None,
                        "link_flair_text": None,
                    },
                ),
            )
        )
        for comment in comments:
            comment_id = base36(COMMENT_BASE + index * 1000 + numbers(comment)[1])
            found.append(
                (
                    comment.created_at.timestamp(),
                    thing(
                        "t1",
                        comment_id,
                        comment,
                        common,
                        {
                            "body": comment.text,
                            "body_html": html_of(comment.text, escape),
                            "link_id": f"t3_{post_id}",
                            "parent_id": f"t3_{post_id}",  # the week's follow-ups answer the post
                            "link_title": opener.title,
                            "link_author": opener.author_handle,
                            "link_permalink": f"https://www.reddit.com{permalink}",
                            "permalink": f"{permalink}{comment_id}/",
                            "is_submitter": comment.author_handle == opener.author_handle,
                            "replies": "",
                        },
                    ),
                )
            )
    found.sort(key=lambda pair: (pair[0], pair[1]["data"]["name"]), reverse=True)
    return [entry for _, entry in found]


def thing(kind: str, item_id: str, mention: IncomingMention, common: dict[str, Any], own: dict[str, Any]) -> dict:
    created = float(int(mention.created_at.timestamp()))
    data = {
        **common,
        "id": item_id,
        "name": f"{kind}_{item_id}",
        "author": mention.author_handle,
        "author_fullname": fullname_of_user(mention.author_handle),
        "created": created,
        "created_utc": created,
        **own,
    }
    return {"kind": kind, "data": data}


def searched(data: dict[str, Any], words: list[str]) -> bool:
    text = f"{data['title']}\n{data['selftext']}".casefold()
    return bool(words) and all(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) for word in words)


# --- answers ---------------------------------------------------------------------------------------


def listing(things: list[dict[str, Any]], params: dict[str, str]) -> dict[str, Any]:
    """A page of `things` (newest first) after `after`, `limit` long: Reddit's Listing."""
    limit = params.get("limit", "")
    size = min(max(int(limit), 1), 100) if limit.isascii() and limit.isdigit() else 25
    after = params.get("after")
    if after:
        names = [t["data"]["name"] for t in things]
        # An `after` Reddit does not know (deleted, or not in this listing) gives an empty page.
        things = things[names.index(after) + 1 :] if after in names else []
    page, rest = things[:size], things[size:]
    return {
        "kind": "Listing",
        "data": {
            "after": page[-1]["data"]["name"] if rest and page else None,
            "dist": len(page),
            "modhash": "",
            "geo_filter": "",
            "children": page,
            "before": None,
        },
    }


def thread_page(posts: DemoPosts, sub: str, escape: bool, post_id: str) -> tuple[int, Any]:
    """A post and its comments (`fetch_thread`): [post Listing, comments Listing], comments newest first."""
    everything = items(posts, sub, escape)
    post = next((t for t in everything if t["kind"] == "t3" and t["data"]["id"] == post_id), None)
    if post is None:
        return 404, NOT_FOUND
    comments = [t for t in everything if t["kind"] == "t1" and t["data"]["link_id"] == f"t3_{post_id}"]
    comments = [{**t, "data": {**t["data"], "depth": 0}} for t in comments]
    post_listing = {
        "kind": "Listing",
        "data": {"after": None, "dist": 1, "modhash": "", "geo_filter": "", "children": [post], "before": None},
    }
    comment_listing = {
        "kind": "Listing",
        "data": {"after": None, "dist": None, "modhash": "", "geo_filter": "", "children": comments, "before": None},
    }
    return 200, [post_listing, comment_listing]


def about(sub: str) -> dict[str, Any]:
    return {
        "kind": "t5",
        "data": {
            "display_name": sub,
            "display_name_prefixed": f"r/{sub}",
            "name": SUBREDDIT_ID,
            "id": SUBREDDIT_ID.removeprefix("t5_"),
            "subreddit_type": "public",
            "subscribers": 42_000,
            "title": "GitLab",
            "url": f"/r/{sub}/",
        },
    }
