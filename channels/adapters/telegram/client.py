"""HTTP to Telegram's Bot API (core.telegram.org/bots/api), the only module that reads it: the per-poll request
budget, and every failure mapped to what the poller should do.

The bot's token is part of every address (``https://api.telegram.org/bot<token>/<method>``), so no address is ever
put in a message, a log line or a stored error: errors name the method only (`channels.http.request` names its
`label`, never the URL), what Telegram says is stripped of the token before it is quoted, and `TokenFilter` takes
the token out of urllib3's debug line, the one log line that would print an address.

Telegram answers every method with ``{"ok": true, "result": …}`` or ``{"ok": false, "error_code": 429,
"description": "Too Many Requests: retry after 5", "parameters": {"retry_after": 5}}``; a 429's ``retry_after``
is the wait (`channels.http_status`, as every platform's).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.http import PollBudget, credential_of, json_or_none, request
from channels.http_status import Ladder, status_check

from ..base import AuthError, ConfigError, PayloadError, PollStopped
from ..values import finite_number

if TYPE_CHECKING:
    from channels.models import Channel

API = "https://api.telegram.org"
# A bot token is "<bot id>:<35 characters>" (core.telegram.org/bots/features#botfather); anything shaped like one
# in a text is taken out before the text is shown or logged.
TOKEN_RE = re.compile(r"[0-9]{3,20}:[A-Za-z0-9_-]{20,}")
_TOKEN_SHAPE = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{1,200}")


def hidden(text: str) -> str:
    """`text` with anything shaped like a bot token replaced."""
    return TOKEN_RE.sub("<bot token>", text)


class TokenFilter(logging.Filter):
    """Takes a bot token out of a log record's message: urllib3 logs each request's path at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TOKEN_RE.search(message):
            record.msg, record.args = hidden(message), None
        return True


logging.getLogger("urllib3.connectionpool").addFilter(TokenFilter())


def token_of(channel: Channel) -> str:
    token = credential_of(channel, "bot_token")
    token = token.strip() if isinstance(token, str) else ""
    if not _TOKEN_SHAPE.fullmatch(token):
        raise AuthError(
            'This Telegram channel has no valid "bot_token": add the token @BotFather gave the bot to its credentials.'
        )
    return token


def method_url(token: str, method: str) -> str:
    return f"{API}/bot{token}/{method}"


def said(data: Any, token: str) -> str:
    """Telegram's ``description``, without the token (it never quotes it, but a proxy's page might)."""
    text = clean.line(clean.mapping(data).get("description"), max_length=200)
    return hidden(text.replace(token, "<bot token>")) if token else hidden(text)


def retry_after(data: Any) -> float | None:
    """A 429's wait: ``parameters.retry_after`` (seconds)."""
    wait = finite_number(clean.mapping(clean.mapping(data).get("parameters")).get("retry_after"))
    return min(max(wait, 0.0), 86_400.0) if wait is not None else None


# Telegram's meanings over the common ladder (core.telegram.org/bots/api#making-requests).
LADDER: Ladder = {
    401: (AuthError, "{label}: HTTP 401{detail} (the bot token is wrong or was revoked: store the new one)"),
    404: (AuthError, "{label}: HTTP 404{detail} (Telegram knows no bot with this token)"),
    409: (
        ConfigError,
        "{label}: HTTP 409{detail} (something else reads this bot's updates: delete its webhook or stop the other "
        "program, since Telegram hands each update to one reader)",
    ),
}


class Client(PollBudget):
    """One poll's view of the Bot API: `budget` requests at most."""

    def __init__(self, session: requests.Session, token: str, *, budget: int) -> None:
        super().__init__(budget)
        self.session = session
        self.token = token

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """The method's ``result``; PollStopped when the poll's budget is spent."""
        if not self.can_call():
            raise PollStopped("request budget used")
        return self.counted(lambda: self._call(method, params or {}))

    def _call(self, method: str, params: dict[str, Any]) -> Any:
        label = f"Telegram {method}"
        response = request(
            self.session, "POST", method_url(self.token, method), label=label, json=params, allow_redirects=False
        )
        data, too_deep = json_or_none(response)
        status_check(
            response, label, LADDER, said=said(data, self.token), secret=self.token, retry_after=retry_after(data)
        )
        body = clean.mapping(data)
        if too_deep or body.get("ok") is not True or "result" not in body:
            raise PayloadError(f"{label}: the answer is not the Bot API's {{ok, result}} ({said(data, self.token)})")
        return body["result"]
