"""Jira Cloud's answers for the tests, from the documented examples in `fixtures/` (SOURCES.md), and a channel
with its filing account, for the tests here and the end-to-end ones in stories/tests."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from channels.models import Account, Channel

FIXTURES = Path(__file__).parent / "fixtures"
SITE = "https://example.atlassian.net"
CONFIG: dict[str, Any] = {"site": SITE, "projects": ["DESK"]}
CREATE_URL = f"{SITE}/rest/api/3/issue"
ISSUE_URL = f"{SITE}/rest/api/3/issue/DESK-24"
BROWSE_URL = f"{SITE}/browse/DESK-24"
READ_TOKEN = "ATATT-read-token-not-a-secret"
FILE_TOKEN = "ATATT-file-token-not-a-secret"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def tracker(**config: Any) -> Channel:
    """A Jira channel with its read credentials and a connected account to file as."""
    channel = Channel.objects.create(kind="jira", name="Jira", slug="jira", config={**CONFIG, **config})
    channel.credentials = {"email": "reader@example.com", "api_token": READ_TOKEN}
    channel.save()
    account = Account(channel=channel, username="desk@example.com", reply_mode=Account.ReplyMode.DESK, position=0)
    account.tokens = {"access_token": FILE_TOKEN, "email": "desk@example.com", "token_type": "basic"}
    account.status = Account.Status.CONNECTED
    account.connected_at = timezone.now() - timedelta(days=1)
    account.save()
    return channel
