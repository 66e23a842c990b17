"""Slack's Web API as the outreach tests meet it: its addresses, the recorded permalink of a posted message, the
mention an outreach is about, and a mock of the API that answers only what a test adds (and fails it for an
added answer nobody asked for)."""

from collections.abc import Iterator

import responses

POST_URL = "https://slack.com/api/chat.postMessage"
PERMALINK_URL = "https://slack.com/api/chat.getPermalink"
PERMALINK = "https://acme.slack.com/archives/C0VERIFY/p1700000000000100"
MENTION = "https://news.ycombinator.com/item?id=4242"


def strict_slack(settings) -> Iterator[responses.RequestsMock]:
    """For a module's `slack` fixture: the bot's token and the API's address set, the strict mock yielded."""
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    settings.SLACK_API_URL = "https://slack.com/api"
    with responses.RequestsMock() as mock:
        yield mock
