"""A tiny Slack Web API client: post a message, get its permalink.

One session, a timeout on every call, the desk's User-Agent, the bot token per request (read
from settings, never logged nor put in an error). Slack answers most errors with HTTP 200 and
{"ok": false, "error": "<code>"}; those codes become readable messages for the advocate."""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from advocacy.fetch_guard import guarded_session

logger = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER = 30

_INVALID_BOT = "The Slack bot token is invalid: ask an admin"
_TRANSIENT_CODES = {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org"}


class SlackError(Exception):
    """Slack refused the request; sending it again unchanged would fail the same way."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SlackTransient(Exception):
    """Worth trying again later (5xx, timeouts, Slack's own internal errors)."""


class SlackRateLimited(SlackTransient):
    def __init__(self, message: str, retry_after: int = DEFAULT_RETRY_AFTER) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def slack_escape(text: str) -> str:
    """Slack's three control characters; user text can then never form a link or mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Slack has no escape for its formatting marks: in text nobody meant as formatting (a note, a mention's
# words) they become look-alikes, so "*urgent*" or "~x~" reads as typed instead of bold or struck out.
# "_" only where it could start or end italics: handles such as some_user stay as they are.
_MARKS = str.maketrans({"*": "\u2217", "~": "\u223c", "`": "\u02cb"})
_ITALIC = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


def slack_plain(text: str) -> str:
    """`slack_escape`, and Slack's formatting marks shown as typed (bold, italics, strikethrough, code)."""
    return _ITALIC.sub("\uff3f", slack_escape(text).translate(_MARKS))


def slack_link(url: str, label: str) -> str:
    """<url|label>, with the label escaped and the URL unable to end the link early ("|" or ">")."""
    safe = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{safe}|{slack_escape(label)}>"


NOT_CONNECTED = "Slack is not connected to the desk, so nothing was posted: ask an admin to connect it"
NOT_CONFIGURED = "not_configured"  # SlackError's code without a token
DAY_SECONDS = 86_400


def slack_configured() -> bool:
    """Whether the desk can post to Slack at all (pages warn before a send that cannot work)."""
    return bool(settings.SLACK_BOT_TOKEN)


def slack_unconnected_said(what: str) -> None:
    """Say, at INFO, what is not done because Slack is not connected (`what`: "nothing is posted to Slack"): once
    a UTC day, whichever of the desk's processes meets it first (the shared cache). A desk without Slack is a normal
    configuration, not a fault to warn of at every row, call or run: what was not posted says why on its own row."""
    day = timezone.now().date().isoformat()
    kind = re.sub(r"[^a-z0-9]+", "-", what.lower())  # a cache key of plain characters
    if cache.add(f"slack:unconnected-said:{kind}:{day}", 1, timeout=DAY_SECONDS):
        logger.info("slack: not connected (SLACK_BOT_TOKEN is not set): %s; said once a day", what)


def _readable(code: str, channel: str) -> str:
    where = channel or "that channel"
    messages = {
        "channel_not_found": f"Slack has no channel {where} (or the bot is not in it)",
        "not_in_channel": f"The Slack bot is not in {where}: invite it there, or choose another channel",
        "is_archived": f"Slack channel {where} is archived: choose another channel",
        "restricted_action": f"The Slack bot may not post in {where}: choose another channel",
        "msg_too_long": "The message is too long for Slack: shorten it",
        "no_text": "The message is empty",
        "missing_scope": "The Slack bot lacks a permission (chat:write): ask an admin",
        "invalid_auth": _INVALID_BOT,
        "not_authed": _INVALID_BOT,
        "token_revoked": _INVALID_BOT,
        "token_expired": _INVALID_BOT,
        "account_inactive": _INVALID_BOT,
        "message_not_found": "Slack cannot find the message to link to",
    }
    return messages.get(code, f"Slack refused the request ({code})")


@functools.cache
def _session() -> requests.Session:
    session = guarded_session()  # SLACK_API_URL is a setting, but every fetch goes through the one guard
    session.headers["User-Agent"] = settings.DESK_USER_AGENT
    session.headers["Accept"] = "application/json"
    return session


def _headers() -> dict[str, str]:
    token = settings.SLACK_BOT_TOKEN
    if not token:
        # The advocate reads NOT_CONNECTED (and the row, its last_error); the operator one line a day in the log.
        slack_unconnected_said("nothing is posted to Slack")
        raise SlackError(NOT_CONFIGURED, NOT_CONNECTED)
    return {"Authorization": f"Bearer {token}"}


def _retry_after(response: requests.Response) -> int:
    try:
        return max(1, int(float(response.headers.get("Retry-After", DEFAULT_RETRY_AFTER))))
    except ValueError:
        return DEFAULT_RETRY_AFTER


def _call(method: str, *, channel: str = "", json: dict[str, Any] | None = None, params: dict | None = None) -> dict:
    url = f"{settings.SLACK_API_URL.rstrip('/')}/{method}"
    headers = _headers()
    method_of = "POST" if json is not None else "GET"
    try:
        response = _session().request(
            method_of, url, json=json, params=params, headers=headers, timeout=settings.DESK_HTTP_TIMEOUT_SECONDS
        )
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise SlackTransient(f"Slack did not answer ({exc.__class__.__name__})") from exc
    status = response.status_code
    if status == 429:
        raise SlackRateLimited("Slack is rate limiting us", retry_after=_retry_after(response))
    if status >= 500:
        raise SlackTransient(f"Slack answered HTTP {status}")
    if status >= 400:
        raise SlackError(f"http_{status}", f"Slack refused the request (HTTP {status})")
    try:
        data = response.json()
    except ValueError as exc:
        raise SlackTransient("Slack answered something that is not JSON") from exc
    if not isinstance(data, dict):
        raise SlackTransient("Slack answered something unexpected")
    if not data.get("ok"):
        code = str(data.get("error") or "unknown_error")
        logger.warning("slack: %s refused: %s (channel %s)", method, code, channel)
        if code == "ratelimited":
            raise SlackRateLimited("Slack is rate limiting us", retry_after=_retry_after(response))
        if code in _TRANSIENT_CODES:
            raise SlackTransient(f"Slack had a problem ({code})")
        raise SlackError(code, _readable(code, channel))
    return data


def slack_post_message(
    *, channel: str, text: str, blocks: list[dict] | None = None, thread_ts: str = ""
) -> tuple[str, str]:
    """Post `text` to `channel` (a #name or an id), in the thread of message `thread_ts` if given. Returns
    (ts, channel_id). With `blocks` (Block Kit), Slack shows the blocks and keeps `text` for notifications and
    clients that cannot show blocks."""
    body: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False}
    if blocks:
        body["blocks"] = blocks
    if thread_ts:
        body["thread_ts"] = thread_ts
    data = _call("chat.postMessage", channel=channel, json=body)
    return str(data["ts"]), str(data.get("channel") or channel)


def slack_update_message(*, channel_id: str, ts: str, text: str, blocks: list[dict] | None = None) -> None:
    """Replace the desk's own message (`channel_id` must be the id, not a #name)."""
    body: dict[str, Any] = {"channel": channel_id, "ts": ts, "text": text}
    if blocks is not None:
        body["blocks"] = blocks
    _call("chat.update", channel=channel_id, json=body)


def slack_views_open(*, trigger_id: str, view: dict) -> str:
    """Open a modal for the person who pressed a button (trigger_id lives 3 s). Returns the view's id."""
    data = _call("views.open", json={"trigger_id": trigger_id, "view": view})
    return str((data.get("view") or {}).get("id") or "")


_SLACK_MARKUP = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def slack_to_text(text: str) -> str:
    """Slack's mrkdwn as plain text for the desk (which escapes it for its pages): <url|label> becomes
    "label (url)", <@U123> "@U123", and the three escaped characters come back."""

    def plain(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#")):
            return label or target
        if target.startswith("!"):
            return f"@{label or target[1:].split('^')[0]}"
        return f"{label} ({target})" if label and label != target else target

    text = _SLACK_MARKUP.sub(plain, text or "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def slack_permalink(*, channel_id: str, ts: str) -> str:
    data = _call("chat.getPermalink", channel=channel_id, params={"channel": channel_id, "message_ts": ts})
    return str(data["permalink"])


MAX_CHANNEL_PAGES = 20  # 200 a page: 4,000 channels, far more than a workspace the desk posts to


def slack_member_channels() -> list[str]:
    """The #names of the channels the bot is in (conversations.list, public and private, not archived,
    followed page by page through `response_metadata.next_cursor`), sorted."""
    names: list[str] = []
    cursor = ""
    for _ in range(MAX_CHANNEL_PAGES):
        params = {"types": "public_channel,private_channel", "exclude_archived": "true", "limit": "200"}
        if cursor:
            params["cursor"] = cursor
        data = _call("conversations.list", params=params)
        names.extend(
            f"#{c['name']}"
            for c in data.get("channels") or []
            if isinstance(c, dict) and c.get("is_member") and isinstance(c.get("name"), str)
        )
        cursor = str((data.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            break
    return sorted(set(names))
