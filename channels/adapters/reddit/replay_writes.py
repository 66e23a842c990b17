"""The writes of the demo's connected Reddit account to the demo's oauth.reddit.com, answered as done
(channels.demo.replay_kit), in the shapes Reddit answers:

- ``POST /api/comment`` (``api_type=json``, ``thing_id``, ``text``): ``{"json": {"errors": [], "data": {"things":
  [t1]}}}``, the comment as the recorded ``comment_reply_post.json`` (PRAW's cassette) has it, under any well-formed
  fullname (a week comment's post as ``link_id``, else null).
- ``POST /api/compose`` (``to``, ``subject``, ``text``): ``{"json": {"errors": []}}``; the message is remembered.
- ``GET /message/messages`` (reddit.com/dev/api#GET_message_{where}): the account's private messages, each with the
  recipient's answer, given at the desk's first read after it was sent (replay_dm.py).
- ``POST https://www.reddit.com/api/v1/access_token``, ``grant_type=refresh_token`` (the wiki's "Refreshing the
  token"): the account's token again; another refresh token is 200 ``{"error": "invalid_grant"}``.

A refused write is 200 with ``json.errors`` triples of Reddit's own codes and words (reddit-archive/reddit
``r2/r2/lib/errors.py``: ``NO_TEXT``, ``NO_THING_ID``, ``NO_USER``, ``NO_SUBJECT``); the app-only token's write is
403 as ``error_403.json``, another token's 401. A new comment's id is above ``MADE_BASE``.
"""

from __future__ import annotations

import itertools
import re
import time
from datetime import UTC, datetime
from typing import Any

from channels.demo.replay_kit import Asked, base36, fixed

from .demo import DEMO
from .replay import COMMENT_BASE, POST_BASE, SUBREDDIT, SUBREDDIT_ID, html_of
from .replay_dm import composed, messages

MADE_BASE = 90_000_000_000  # above COMMENT_BASE + every thread's comments
FULLNAME = re.compile(r"t([13])_([0-9a-z]{1,13})")
FORBIDDEN = {"message": "Forbidden", "error": 403}
_made = itertools.count()
TOKENS: dict[str, str] = DEMO["account_tokens"]


def refused(*errors: tuple[str, str, str | None]) -> dict[str, Any]:
    return {"json": {"errors": [list(error) for error in errors]}}


def write(asked: Asked, path: str, app_token: str) -> tuple[int, Any]:
    """Our account's comment or message, answered as done, and its messages read (module docstring)."""
    bearer, form = asked.header("Authorization").partition(" ")[2], asked.form
    if bearer == app_token:
        return 403, FORBIDDEN  # the app-only token reads; only a signed-in account writes
    if bearer != TOKENS["access_token"]:
        return 401, {"message": "Unauthorized", "error": 401}
    if path == "/message/messages":
        return 200, messages(asked.query.get("raw_json") != "1", datetime.now(UTC))
    if path == "/api/compose":
        wanted = [("to", "NO_USER", "please enter a username"), ("subject", "NO_SUBJECT", "please enter a subject")]
        errors = [(code, words, field) for field, code, words in wanted if not form.get(field, "").strip()]
        if not form.get("text", "").strip():
            errors.append(("NO_TEXT", "we need something here", "text"))
        if errors:
            return 200, refused(*errors)
        composed(form, DEMO["our_accounts"][0], datetime.now(UTC))  # its recipient answers it at the next read
        return 200, {"json": {"errors": []}}
    parent = FULLNAME.fullmatch(form.get("thing_id", ""))
    if parent is None:
        return 200, refused(("NO_THING_ID", "id not specified", "parent"))
    if not form.get("text", "").strip():
        return 200, refused(("NO_TEXT", "we need something here", "text"))
    thing = comment(form["thing_id"], post_of(parent), form["text"])
    return 200, {"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": thing}]}}}


def post_of(parent: re.Match[str]) -> str | None:
    """The fullname of the post a reply to `parent` is under: the post itself, or a week's comment's post."""
    if parent.group(1) == "3":
        return parent.group(0)
    number = int(parent.group(2), 36)
    if COMMENT_BASE <= number < MADE_BASE:  # a comment of the week: its thread's post
        return f"t3_{base36(POST_BASE + (number - COMMENT_BASE) // 1000)}"
    return None


def comment(parent: str, link_id: str | None, text: str) -> dict[str, Any]:
    """The new comment as `comment_reply_post.json` has it, with a new id."""
    comment_id = base36(MADE_BASE + (int(time.time()) % 1_000_000) * 1000 + next(_made) % 1000)
    created = float(int(time.time()))
    return {
        "subreddit_id": SUBREDDIT_ID,
        "link_id": link_id,
        "likes": True,
        "replies": "",
        "id": comment_id,
        "author": DEMO["our_accounts"][0],
        "parent_id": parent,
        "score": 1,
        "body": text,
        "body_html": html_of(text, escape=False),
        "subreddit": SUBREDDIT,
        "name": f"t1_{comment_id}",
        "created": created + 28800,  # Reddit's legacy `created`, as recorded beside `created_utc`
        "created_utc": created,
        "ups": 1,
        **fixed("banned_by removal_reason approved_by author_flair_css_class author_flair_text distinguished"),
        **fixed("saved archived edited stickied score_hidden", False),
        **fixed("gilded controversiality downs num_reports", 0),
        **fixed("user_reports report_reasons mod_reports", []),
    }


def refreshed(form: dict[str, str]) -> tuple[int, Any]:
    """The token endpoint's refresh grant: the account's access token again, or Reddit's invalid_grant."""
    if form.get("refresh_token") != TOKENS["refresh_token"]:
        return 200, {"error": "invalid_grant"}
    scope = "identity submit read privatemessages"
    return 200, {"access_token": TOKENS["access_token"], "token_type": "bearer", "expires_in": 86400, "scope": scope}
