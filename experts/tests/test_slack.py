"""The Slack client against a fake Web API (responses)."""

import json

import pytest
import requests
import responses

from channels.adapters.slack.client import (
    SlackError,
    SlackRateLimited,
    SlackTransient,
    slack_permalink,
    slack_post_message,
)
from notifications.tests.slack_api import slack_configured

POST_URL = "https://slack.com/api/chat.postMessage"
PERMALINK_URL = "https://slack.com/api/chat.getPermalink"


@pytest.fixture(autouse=True)
def slack_token(settings):
    slack_configured(settings)


@responses.activate
def test_a_message_is_posted_with_the_bot_token_and_no_unfurling():
    responses.post(POST_URL, json={"ok": True, "channel": "C024BE91L", "ts": "1700000000.000100"})

    ts, channel_id = slack_post_message(
        channel="#s_verify", text="@ada please look: https://news.ycombinator.com/item?id=1"
    )

    assert (ts, channel_id) == ("1700000000.000100", "C024BE91L")
    request = responses.calls[0].request
    assert request.body is not None
    assert json.loads(request.body) == {
        "channel": "#s_verify",
        "text": "@ada please look: https://news.ycombinator.com/item?id=1",
        "unfurl_links": False,
    }
    assert request.headers["Authorization"] == "Bearer xoxb-test"
    assert request.headers["User-Agent"].startswith("TriageDesk")


@responses.activate
def test_the_permalink_is_asked_for_by_channel_id_and_ts():
    responses.get(
        PERMALINK_URL,
        match=[responses.matchers.query_param_matcher({"channel": "C024BE91L", "message_ts": "1700000000.000100"})],
        json={
            "ok": True,
            "channel": "C024BE91L",
            "permalink": "https://acme.slack.com/archives/C024BE91L/p1700000000000100",
        },
    )

    assert slack_permalink(channel_id="C024BE91L", ts="1700000000.000100") == (
        "https://acme.slack.com/archives/C024BE91L/p1700000000000100"
    )


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("channel_not_found", "Slack has no channel #s_plan (or the bot is not in it)"),
        ("invalid_auth", "The Slack bot token is invalid: ask an admin"),
        ("not_authed", "The Slack bot token is invalid: ask an admin"),
        ("token_revoked", "The Slack bot token is invalid: ask an admin"),
        ("not_in_channel", "The Slack bot is not in #s_plan: invite it there, or choose another channel"),
        ("something_new", "Slack refused the request (something_new)"),
    ],
)
@responses.activate
def test_slack_refusals_become_readable_messages(code, message):
    responses.post(POST_URL, json={"ok": False, "error": code})

    with pytest.raises(SlackError) as exc_info:
        slack_post_message(channel="#s_plan", text="hi")

    assert exc_info.value.code == code
    assert exc_info.value.message == message == str(exc_info.value)
    assert "xoxb-test" not in str(exc_info.value)


@responses.activate
def test_http_429_is_rate_limited_with_retry_after():
    responses.post(POST_URL, status=429, headers={"Retry-After": "17"}, json={"ok": False, "error": "ratelimited"})

    with pytest.raises(SlackRateLimited) as exc_info:
        slack_post_message(channel="#s_plan", text="hi")

    assert exc_info.value.retry_after == 17


@responses.activate
def test_server_errors_and_timeouts_are_transient():
    responses.post(POST_URL, status=503)
    with pytest.raises(SlackTransient):
        slack_post_message(channel="#s_plan", text="hi")

    responses.replace(responses.POST, POST_URL, body=requests.Timeout("slow"))
    with pytest.raises(SlackTransient):
        slack_post_message(channel="#s_plan", text="hi")

    responses.replace(responses.POST, POST_URL, json={"ok": False, "error": "internal_error"})
    with pytest.raises(SlackTransient):
        slack_post_message(channel="#s_plan", text="hi")


@responses.activate
def test_without_a_token_nothing_is_sent(settings, caplog):
    settings.SLACK_BOT_TOKEN = ""

    with pytest.raises(SlackError) as exc_info:
        slack_post_message(channel="#s_plan", text="hi")

    # The advocate reads words they can act on; the operator finds the setting in the log, once a day (a desk
    # without Slack is a normal configuration: no warning at every call).
    assert (
        exc_info.value.message
        == "Slack is not connected to the desk, so nothing was posted: ask an admin to connect it"
    )
    with pytest.raises(SlackError):
        slack_post_message(channel="#s_plan", text="again")
    said = [r for r in caplog.records if "SLACK_BOT_TOKEN is not set" in r.getMessage()]
    assert [r.levelname for r in said] == ["INFO"]
    assert len(responses.calls) == 0
