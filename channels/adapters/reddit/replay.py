"""The demo's Reddit API (oauth.reddit.com, and the token endpoint on www.reddit.com), after channels.demo.replay_kit
(what every replay shares): the week's Reddit threads as posts of r/<first configured subreddit> and their comments.

- ``POST https://www.reddit.com/api/v1/access_token`` (HTTP Basic, ``grant_type`` client_credentials or password):
  the token as github.com/reddit-archive/reddit/wiki/OAuth2 shows it; no Basic credentials is 401, another grant
  200 ``{"error": "unsupported_grant_type"}``; a refresh is replay_writes.py's.
- ``GET /r/{sub}/new`` (t3) and ``/r/{sub}/comments`` (t1): Listings as ``subreddit_new_submissions.json`` and
  ``subreddit_comments_page1.json`` (PRAW cassettes), paged by ``after`` (a fullname) and ``limit`` (25, at most
  100); ``GET /search?q=…&type=link``: the posts holding every word, as ``search_all.json``.
- ``GET /comments/{id}``: ``[post Listing, comments Listing]`` as ``goreddit_post_comment_page.json``.
- ``GET /r/{sub}/about``: the subreddit (t5); ``GET /user/{name}/about``: the account (t2), with karma of its own.

With ``raw_json=1`` (the adapter always sends it) HTML fields come as they are, else escaped, as Reddit does.
Without this replay's bearer token: 401 ``{"message": "Unauthorized", "error": 401}``; anything else 404 in
``error_403.json``'s shape. Ids are base 36 from the thread's index (posts) and the post's number (comments);
permalinks ``/r/{sub}/comments/{post id}/{title slug}/[{comment id}/]``.
"""

from __future__ import annotations

import hashlib
import html
import re
from base64 import b64decode
from typing import Any
from urllib.parse import urlparse

import requests

from channels.adapters.base import IncomingMention
from channels.demo.replay import DemoPosts
from channels.demo.replay_kit import Asked, base36, limit_of, place

from .auth import AUTH_URL
from .demo import DEMO

HOSTS = ("oauth.reddit.com", "www.reddit.com")

AUTH_PATH = urlparse(AUTH_URL).path  # /api/v1/access_token
ACCESS_TOKEN = "demo-reddit-access-token"  # noqa: S105 (the replay's own token: the demo network issues it)
TOKEN_LIFETIME = 86400  # what Reddit grants an app-only token today (the wiki's example says 3600)
POST_BASE = 1_700_000_000  # t3 ids: POST_BASE + thread index, base 36 ("s4d7ls"...)
COMMENT_BASE = 60_000_000_000  # t1 ids: COMMENT_BASE + thread index * 1000 + the post's number
SUBREDDIT_ID = "t5_2s5wd"
SUBREDDIT: str = DEMO["config"]["subreddits"][0]
LISTING = re.compile(r"/r/([A-Za-z0-9_]{2,21})/(new|comments|about)")
THREAD = re.compile(r"/comments/([a-z0-9]{1,13})")
USER_ABOUT = re.compile(r"/user/([A-Za-z0-9_-]{1,20})/about")

WRITE_PATHS = ("/api/comment", "/api/compose")  # our connected account's writes: replay_writes.py
UNAUTHORIZED = {"message": "Unauthorized", "error": 401}
NOT_FOUND = {"message": "Not Found", "error": 404}


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> tuple[int, Any]:
    asked = Asked(request)
    params, path = asked.query, asked.path.rstrip("/").removesuffix(".json")
    if asked.host == "www.reddit.com":
        return token(asked) if path == AUTH_PATH and asked.method == "POST" else (404, NOT_FOUND)
    if (asked.method == "POST" and path in WRITE_PATHS) or (asked.method == "GET" and path == "/message/messages"):
        from .replay_writes import write  # it renders what it answers with this module's helpers

        return write(asked, path, ACCESS_TOKEN)
    if asked.bearer != ACCESS_TOKEN:
        return 401, UNAUTHORIZED
    if asked.method != "GET":
        return 404, NOT_FOUND
    sub = SUBREDDIT
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


def token(asked: Asked) -> tuple[int, Any]:
    """The token endpoint: Basic credentials in, a bearer token out (module docstring)."""
    scheme, _, encoded = asked.header("Authorization").partition(" ")
    try:
        client_id, _, secret = b64decode(encoded, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        client_id = secret = ""
    if scheme != "Basic" or not client_id or not secret:
        return 401, UNAUTHORIZED
    grant = asked.form.get("grant_type", "")
    if grant == "refresh_token":  # the connected account's token, refreshed by the send path
        from .replay_writes import refreshed

        return refreshed(asked.form)
    if grant not in ("client_credentials", "password"):
        return 200, {"error": "unsupported_grant_type"}
    return 200, {"access_token": ACCESS_TOKEN, "token_type": "bearer", "expires_in": TOKEN_LIFETIME, "scope": "*"}


# --- the week as Reddit things -----------------------------------------------------------------------


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
    found: list[tuple[float, dict[str, Any]]] = []
    for thread in posts.threads():
        opener, comments = thread[0], thread[1:]
        index = place(opener.external_id)[0]
        post_id = base36(POST_BASE + index)
        permalink = f"/r/{sub}/comments/{post_id}/{slug(opener.title)}/"
        post = {
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
        }
        found.append((opener.created_at.timestamp(), thing("t3", post_id, opener, common, post)))
        for comment in comments:
            comment_id = base36(COMMENT_BASE + index * 1000 + place(comment.external_id)[1])
            own = {
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
            }
            found.append((comment.created_at.timestamp(), thing("t1", comment_id, comment, common, own)))
    found.sort(key=lambda pair: (pair[0], pair[1]["data"]["name"]), reverse=True)
    return [entry for _, entry in found]


def thing(kind: str, item_id: str, mention: IncomingMention, common: dict[str, Any], own: dict[str, Any]) -> dict:
    created = float(int(mention.created_at.timestamp()))
    author = {"author": mention.author_handle, "author_fullname": fullname_of_user(mention.author_handle)}
    data = {"id": item_id, "name": f"{kind}_{item_id}", **author, "created": created, "created_utc": created}
    return {"kind": kind, "data": {**common, **data, **own}}


def searched(data: dict[str, Any], words: list[str]) -> bool:
    text = f"{data['title']}\n{data['selftext']}".casefold()
    return bool(words) and all(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) for word in words)


# --- answers ---------------------------------------------------------------------------------------


def listing(things: list[dict[str, Any]], params: dict[str, str]) -> dict[str, Any]:
    """A page of `things` (newest first) after `after`, `limit` long: Reddit's Listing."""
    size, after = limit_of(params.get("limit"), 25, 100), params.get("after")
    if after:
        names = [t["data"]["name"] for t in things]
        # An `after` Reddit does not know (deleted, or not in this listing) gives an empty page.
        things = things[names.index(after) + 1 :] if after in names else []
    page, rest = things[:size], things[size:]
    return _listing(page, page[-1]["data"]["name"] if rest and page else None, len(page))


def _listing(children: list[dict[str, Any]], after: str | None, dist: int | None) -> dict[str, Any]:
    data = {"after": after, "dist": dist, "modhash": "", "geo_filter": "", "children": children, "before": None}
    return {"kind": "Listing", "data": data}


def thread_page(posts: DemoPosts, sub: str, escape: bool, post_id: str) -> tuple[int, Any]:
    """A post and its comments (`fetch_thread`): [post Listing, comments Listing], comments newest first."""
    everything = items(posts, sub, escape)
    post = next((t for t in everything if t["kind"] == "t3" and t["data"]["id"] == post_id), None)
    if post is None:
        return 404, NOT_FOUND
    comments = [t for t in everything if t["kind"] == "t1" and t["data"]["link_id"] == f"t3_{post_id}"]
    comments = [{**t, "data": {**t["data"], "depth": 0}} for t in comments]
    return 200, [_listing([post], None, 1), _listing(comments, None, None)]


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
