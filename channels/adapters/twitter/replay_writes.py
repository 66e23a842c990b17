"""What the demo's connected X handle sends (channels.demo.accounts), answered by the demo's api.x.com as done and
kept nowhere: the week the replay serves (`replay.py`) does not change.

Writes, as the adapter calls them (`reply.py`, `actions.py`, `upload.py`, `oauth.py`), in the shapes X answers:

- ``POST /2/tweets`` (``{"text", "reply": {"in_reply_to_tweet_id"}, "media": {"media_ids"}}``): 201
  ``{"data": {"id", "text"}}`` with a ``location`` header naming the new post, as recorded in
  ``tests/fixtures/create_tweet_201.json`` (and its headers in ``_responses_meta.json``). A reply to any post id of
  digits is taken (X would take one to a post the demo week does not hold, like the release-day story's); an id of
  another form, or no text and no media, is X's 400 ``invalid-request`` problem naming the parameter.
- ``DELETE /2/tweets/{id}``: ``{"data": {"deleted": true}}`` (``tests/fixtures/delete_tweet.json``).
- ``POST /2/users/{id}/likes`` and ``/retweets`` (``{"tweet_id"}``): ``{"data": {"liked": true}}`` and
  ``{"data": {"retweeted": true}}`` (docs.x.com, "Like a Post", "Repost a Post"); a user id other than the
  token's handle is X's 403 problem.
- ``POST /2/dm_conversations/with/{participant_id}/messages`` (``{"text"}``): 201 ``{"data": {"dm_conversation_id",
  "dm_event_id"}}`` (docs.x.com, "Send a new message to a user"; a one-to-one conversation's id is the two user
  ids, the smaller first).
- ``POST /2/media/upload`` (multipart): ``{"data": {"id", "media_key", "size", "expires_after_secs"}}``, and ``POST
  /2/media/metadata``: ``{"data": {"id", "associated_metadata": {"alt_text"}}}`` (docs.x.com, "Media upload",
  "Create Media metadata").
- ``POST /2/oauth2/token`` with ``grant_type=refresh_token`` (the send path after a 401): the account's tokens
  again as the RFC 6749 answer X gives (``token_type``, ``expires_in`` 7200, ``access_token``, ``scope``,
  ``refresh_token``); another refresh token is ``{"error": "invalid_request", "error_description": "Value passed
  for the token was invalid."}`` (400), as X refuses a spent one.

A write without the demo account's access token (``channels.demo.channels``: its ``account_tokens``) is X's 401
problem, as X answers an app-only bearer token on a user-context endpoint. A new post's id is a Snowflake of now
whose low bits (worker 1023, then a counter) no post of the week has, so it never collides with one.
"""

from __future__ import annotations

import itertools
import time
from typing import Any
from urllib.parse import parse_qs

import requests

from channels.demo.router import sent_json

from .ids import SNOWFLAKE_EPOCH_MS

WRITE_PATHS = ("/2/tweets", "/2/oauth2/token", "/2/media/upload", "/2/media/metadata")
API = "https://api.x.com/2"
INVALID = "https://api.twitter.com/2/problems/invalid-request"
WORKER = 1023 << 12  # a Snowflake's worker bits: the week's posts carry their thread and number lower down
_sequence = itertools.count()


def account_tokens() -> dict[str, str]:
    from channels.demo.channels import DEMO_CHANNELS

    return dict(DEMO_CHANNELS["twitter"]["account_tokens"])


def our_user_id() -> str:
    from channels.demo.channels import DEMO_CHANNELS

    return str(DEMO_CHANNELS["twitter"]["config"]["handles"][0]["user_id"])


def is_write(request: requests.PreparedRequest, path: str) -> bool:
    return request.method in ("POST", "DELETE") and (
        path in WRITE_PATHS or path.startswith(("/2/tweets/", "/2/users/", "/2/dm_conversations/"))
    )


def problem(status: int, title: str, detail: str) -> dict[str, Any]:
    return {"title": title, "type": "about:blank", "status": status, "detail": detail}


def invalid(parameter: str, value: str, message: str) -> dict[str, Any]:
    return {
        "errors": [{"parameters": {parameter: [value]}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": INVALID,
    }


def new_id() -> str:
    """A Snowflake of now that no post of the week has (module docstring)."""
    ms = int(time.time() * 1000) - SNOWFLAKE_EPOCH_MS
    return str((ms << 22) | WORKER | (next(_sequence) % 4096))


def write(request: requests.PreparedRequest, path: str) -> tuple[int, Any] | tuple[int, Any, dict[str, str]]:
    """Our handle's post, like, repost, deletion, message or upload, answered as done (module docstring)."""
    if path == "/2/oauth2/token":
        return token(request)
    tokens = account_tokens()
    if (request.headers.get("Authorization") or "") != f"Bearer {tokens['access_token']}":
        return 401, problem(401, "Unauthorized", "Unauthorized")
    sent = sent_json(request.body)
    parts = path.removeprefix("/2/").split("/")
    if path == "/2/tweets" and request.method == "POST":
        return post(sent)
    if parts[0] == "tweets" and len(parts) == 2 and request.method == "DELETE":
        if not parts[1].isdigit():
            return 400, invalid("id", parts[1], f"The `id` query parameter value [{parts[1]}] is not valid")
        return 200, {"data": {"deleted": True}}
    if parts[0] == "users" and len(parts) == 3 and parts[2] in ("likes", "retweets") and request.method == "POST":
        if parts[1] != our_user_id():
            return 403, problem(403, "Forbidden", "You are not permitted to perform this action.")
        post_id = str(sent.get("tweet_id") or "")
        if not post_id.isdigit():
            return 400, invalid("tweet_id", post_id, f"The `tweet_id` query parameter value [{post_id}] is not valid")
        return 200, {"data": {"liked" if parts[2] == "likes" else "retweeted": True}}
    if parts[:2] == ["dm_conversations", "with"] and len(parts) == 4 and parts[3] == "messages":
        return message(parts[2], sent)
    if path == "/2/media/upload":
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        media_id = new_id()
        data = {"id": media_id, "media_key": f"3_{media_id}", "size": len(body), "expires_after_secs": 86400}
        return 200, {"data": data}
    if path == "/2/media/metadata":
        alt = (sent.get("metadata") or {}).get("alt_text") or {}
        return 200, {"data": {"id": str(sent.get("id") or ""), "associated_metadata": {"alt_text": alt}}}
    return 404, problem(404, "Not Found", f"Sorry, the demo knows no {request.method} {path}.")


def post(sent: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
    text = str(sent.get("text") or "")
    reply_to = str((sent.get("reply") or {}).get("in_reply_to_tweet_id") or "")
    if sent.get("reply") is not None and not (reply_to.isascii() and reply_to.isdigit()):
        parameter = "reply.in_reply_to_tweet_id"
        said = f"The `{parameter}` query parameter value [{reply_to}] is not valid"
        return 400, invalid(parameter, reply_to, said), {}
    if not text.strip() and not (sent.get("media") or {}).get("media_ids"):
        return 400, invalid("text", text, "The `text` field is required when no media is attached"), {}
    post_id = new_id()
    return 201, {"data": {"id": post_id, "text": text}}, {"location": f"{API}/tweets/{post_id}"}


def message(participant: str, sent: dict[str, Any]) -> tuple[int, Any]:
    if not participant.isdigit():
        return 400, invalid("participant_id", participant, f"The `participant_id` value [{participant}] is not valid")
    if not str(sent.get("text") or "").strip():
        return 400, invalid("text", "", "The `text` field is required when no attachments are given")
    pair = sorted((int(participant), int(our_user_id())))
    return 201, {"data": {"dm_conversation_id": f"{pair[0]}-{pair[1]}", "dm_event_id": new_id()}}


def token(request: requests.PreparedRequest) -> tuple[int, Any]:
    body = request.body.decode() if isinstance(request.body, bytes) else request.body or ""
    form = {k: v[-1] for k, v in parse_qs(body).items()}
    tokens = account_tokens()
    if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != tokens["refresh_token"]:
        return 400, {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}
    scope = "tweet.read tweet.write users.read dm.read dm.write offline.access media.write"
    return 200, {"token_type": "bearer", "expires_in": 7200, "scope": scope, **tokens}
