"""The writes of the demo's connected X handle to the demo's api.x.com, answered as done (channels.demo.replay_kit), in
the shapes X answers:

- ``POST /2/tweets`` (``text``, ``reply.in_reply_to_tweet_id``, ``media.media_ids``): 201 ``{"data": {"id",
  "text"}}`` and a ``location`` header, as recorded in ``create_tweet_201.json`` (headers: ``_responses_meta.json``);
  a reply to any id of digits is taken, another id, or no text and no media, is X's 400 ``invalid-request``.
- ``DELETE /2/tweets/{id}``: ``{"data": {"deleted": true}}`` (``delete_tweet.json``).
- ``POST /2/users/{id}/likes`` and ``/retweets`` (``tweet_id``; docs.x.com "Like a Post", "Repost a Post"):
  ``{"data": {"liked"|"retweeted": true}}``; another user id than the token's handle is X's 403 problem.
- ``POST /2/dm_conversations/with/{participant_id}/messages`` (docs.x.com "Send a new message to a user"): 201
  ``{"data": {"dm_conversation_id", "dm_event_id"}}``, the conversation id the two user ids, the smaller first; the
  message is remembered, and the person answers it at the next read (replay_dm.py).
- ``POST /2/media/upload`` and ``/2/media/metadata`` (docs.x.com "Media upload", "Create Media metadata").
- ``POST /2/oauth2/token``, ``grant_type=refresh_token``: the account's tokens again as RFC 6749's answer
  (``expires_in`` 7200); another refresh token is 400 ``invalid_request``.

Without the demo account's access token a write is X's 401 problem (as for an app-only token). A new post's id is
a Snowflake of now whose worker bits (``WORKER``) no post of the week has. Only a direct message is kept (so that
its answer can come back); the rest is answered as done and kept nowhere.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from channels.demo.replay_kit import Answer, Asked

from .demo import DEMO
from .ids import SNOWFLAKE_EPOCH_MS

WRITE_PATHS = ("/2/tweets", "/2/oauth2/token", "/2/media/upload", "/2/media/metadata")
API = "https://api.x.com/2"
INVALID = "https://api.twitter.com/2/problems/invalid-request"
WORKER = 1023 << 12  # a Snowflake's worker bits: the week's posts carry their thread and number lower down
_sequence = itertools.count()
TOKENS: dict[str, str] = DEMO["account_tokens"]
OUR_USER_ID = str(DEMO["config"]["handles"][0]["user_id"])


def is_write(asked: Asked, path: str) -> bool:
    return asked.method in ("POST", "DELETE") and (
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


def write(asked: Asked, path: str) -> Answer:
    """Our handle's post, like, repost, deletion, message or upload, answered as done (module docstring)."""
    if path == "/2/oauth2/token":
        return token(asked.form)
    if asked.header("Authorization") != f"Bearer {TOKENS['access_token']}":
        return 401, problem(401, "Unauthorized", "Unauthorized")
    sent, method = asked.json, asked.method
    parts = path.removeprefix("/2/").split("/")
    if path == "/2/tweets" and method == "POST":
        return post(sent)
    if parts[0] == "tweets" and len(parts) == 2 and method == "DELETE":
        if not parts[1].isdigit():
            return 400, invalid("id", parts[1], f"The `id` query parameter value [{parts[1]}] is not valid")
        return 200, {"data": {"deleted": True}}
    if parts[0] == "users" and len(parts) == 3 and parts[2] in ("likes", "retweets") and method == "POST":
        if parts[1] != OUR_USER_ID:
            return 403, problem(403, "Forbidden", "You are not permitted to perform this action.")
        post_id = str(sent.get("tweet_id") or "")
        if not post_id.isdigit():
            return 400, invalid("tweet_id", post_id, f"The `tweet_id` query parameter value [{post_id}] is not valid")
        return 200, {"data": {"liked" if parts[2] == "likes" else "retweeted": True}}
    if parts[:2] == ["dm_conversations", "with"] and len(parts) == 4 and parts[3] == "messages":
        return message(parts[2], sent)
    if path == "/2/media/upload":
        media_id = new_id()
        data = {"id": media_id, "media_key": f"3_{media_id}", "size": len(asked.body), "expires_after_secs": 86400}
        return 200, {"data": data}
    if path == "/2/media/metadata":
        alt = (sent.get("metadata") or {}).get("alt_text") or {}
        return 200, {"data": {"id": str(sent.get("id") or ""), "associated_metadata": {"alt_text": alt}}}
    return 404, problem(404, "Not Found", f"Sorry, the demo knows no {method} {path}.")


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
    from .replay_dm import dm_sent  # the person answers it at the next read (replay_dm imports this module)

    pair = sorted((int(participant), int(OUR_USER_ID)))
    conversation, event_id = f"{pair[0]}-{pair[1]}", new_id()
    dm_sent(conversation=conversation, event_id=event_id, participant=participant, our_id=OUR_USER_ID,
            text=sent["text"])  # fmt: skip
    return 201, {"data": {"dm_conversation_id": conversation, "dm_event_id": event_id}}


def token(form: dict[str, str]) -> tuple[int, Any]:
    if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != TOKENS["refresh_token"]:
        return 400, {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}
    scope = "tweet.read tweet.write users.read dm.read dm.write offline.access media.write"
    return 200, {"token_type": "bearer", "expires_in": 7200, "scope": scope, **TOKENS}
