import pytest
import responses

from stories.tests.helpers import POST_URL


@pytest.fixture
def slack(settings):
    """chat.postMessage answered as Slack documents it (ok, channel id, ts)."""
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    settings.SLACK_API_URL = "https://slack.com/api"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(POST_URL, json={"ok": True, "channel": "C0ADVOCATES", "ts": "1700000000.000100"})
        yield mock
