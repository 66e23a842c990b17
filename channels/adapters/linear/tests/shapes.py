"""Linear's answers for the tests, from the documented shapes in `fixtures/` (SOURCES.md), and a channel with its
filing account, for the tests here and the end-to-end ones in stories/tests."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from channels.models import Account, Channel

FIXTURES = Path(__file__).parent / "fixtures"
URL = "https://api.linear.app/graphql"
CONFIG: dict[str, Any] = {"teams": ["ENG"]}
ISSUE_PAGE = "https://linear.app/example/issue/ENG-123/runner-cache-is-not-restored"
READ_KEY = "lin_api_read_key_not_a_secret"
FILE_TOKEN = "lin_oauth_file_token_not_a_secret"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def operation(body: bytes | str | None) -> str:
    """Which of the desk's operations a request is: "IssueCreate", "Issue", "Team" or "viewer"."""
    query = json.loads(body or "{}").get("query", "")
    for name in ("IssueCreate", "Issue", "Team", "viewer"):
        if name in query:
            return name
    return ""


def tracker(**config: Any) -> Channel:
    """A Linear channel with its read key and an account connected by OAuth to file as."""
    channel = Channel.objects.create(kind="linear", name="Linear", slug="linear", config={**CONFIG, **config})
    channel.credentials = {"api_key": READ_KEY}
    channel.save()
    account = Account(channel=channel, username="desk", reply_mode=Account.ReplyMode.DESK, position=0)
    account.tokens = {"access_token": FILE_TOKEN}
    account.status = Account.Status.CONNECTED
    account.connected_at = timezone.now() - timedelta(days=1)
    account.save()
    return channel
