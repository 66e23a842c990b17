"""Slack's Web API as the tests meet it: its addresses, the recorded permalink of a posted message and the mention
an outreach is about, the settings that point the desk at it, and a mock of it for a test's answers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import responses

POST_URL = "https://slack.com/api/chat.postMessage"
PERMALINK_URL = "https://slack.com/api/chat.getPermalink"
PERMALINK = "https://acme.slack.com/archives/C0VERIFY/p1700000000000100"
MENTION = "https://news.ycombinator.com/item?id=4242"


def slack_configured(settings: Any, **more: Any) -> None:
    """The bot's token and the API's address in `settings` (pytest-django's), and the `more` settings a test needs."""
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    settings.SLACK_API_URL = "https://slack.com/api"
    for name, value in more.items():
        setattr(settings, name, value)


@contextmanager
def slack_api(settings: Any, *, strict: bool = False, **more: Any) -> Iterator[responses.RequestsMock]:
    """Slack configured (`more` as slack_configured) and the mock that answers its calls, for the test to add its
    answers to; `strict`: every answer added must be asked for, or the test fails."""
    slack_configured(settings, **more)
    with responses.RequestsMock(assert_all_requests_are_fired=strict) as mock:
        yield mock
