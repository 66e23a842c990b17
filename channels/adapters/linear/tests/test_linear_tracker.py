"""Linear as a tracker, at the HTTP boundary (`responses`): its settings, GraphQL's errors (under HTTP 200 or 400)
mapped to what the follow-up run does, never carrying the key, and an account connected by OAuth or with the
channel's key. An issue's address, an issue read as started, completed and canceled, and a read's one query are the
trackers' shared tests (channels/tests/test_tracker_issues.py); the filing and following through the desk,
stories/tests/test_issue_trackers.py.

Shapes: Linear's documented schema and errors in fixtures/ (SOURCES.md)."""

from __future__ import annotations

import json

import pytest
import responses

from channels.adapters.base import AuthError, ConfigError, Gone, PermanentError, RateLimited
from channels.adapters.issues import IssueRef, issue_read
from channels.adapters.linear.config import validate_config
from channels.adapters.linear.oauth import LinearOAuth, api_key_grant
from channels.adapters.linear.tests.shapes import READ_KEY, URL, load, tracker
from channels.http import build_session


def test_the_settings_take_team_keys():
    assert validate_config({"teams": ["eng", "ENG", "Web2"]}) == {"teams": ["ENG", "WEB2"]}
    wrong: object
    for wrong in ({"teams": []}, {"teams": "ENG"}, {"teams": ["EN G"]}, {"teams": ["ENG"], "site": "x"}, []):
        with pytest.raises(ConfigError):
            validate_config(wrong)


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize(
    ("status", "body", "error", "words"),
    [
        (400, "ratelimited.json", RateLimited, "rate limit is used up"),
        (200, "ratelimited.json", RateLimited, "rate limit is used up"),
        (400, "authentication_error.json", AuthError, "Linear refused the key"),
        (200, {"errors": [{"message": "Entity not found: Issue", "extensions": {"code": "INVALID_INPUT"}}]}, Gone,
         "no such issue"),
        (200, {"errors": [{"message": "Cannot query field"}], "data": None}, PermanentError, "refused the query"),
        (401, {}, AuthError, "HTTP 401"),
    ],
)  # fmt: skip
def test_graphql_errors_are_said_in_words_without_the_key(status, body, error, words):
    channel = tracker()
    said = load(body) if isinstance(body, str) else body
    said = json.loads(json.dumps(said).replace("Rate limit exceeded", f"Rate limit exceeded for {READ_KEY}"))
    responses.post(URL, status=status, json=said, headers={"Retry-After": "60"})

    with pytest.raises(error) as raised:
        issue_read(channel=channel, session=build_session(retries=False), ref=IssueRef("ENG", 123))

    assert words in str(raised.value) and READ_KEY not in str(raised.value)
    if error is RateLimited:
        assert raised.value.retry_after == 60


@pytest.mark.django_db
@responses.activate
def test_an_account_connects_with_the_channels_key_or_through_linears_sign_in():
    channel = tracker()
    responses.post(URL, json=load("viewer.json"))

    grant = api_key_grant(channel=channel, session=build_session(), username="Desk")

    assert grant.tokens == {"access_token": READ_KEY, "token_type": "api_key"}
    with pytest.raises(AuthError, match="not someone's"):
        api_key_grant(channel=channel, session=build_session(), username="someone")
    oauth = LinearOAuth()
    assert oauth.whoami(channel, build_session(), {"access_token": "oauth-token"})[0] == "desk"
    assert responses.calls[-1].request.headers["Authorization"] == "Bearer oauth-token"
    channel.credentials = {**channel.credentials, "oauth_client_id": "app", "oauth_client_secret": "s"}
    begun = oauth.begin(channel=channel, redirect_uri="https://desk.example/connect/linear/callback/", state="s")
    assert begun.url.startswith("https://linear.app/oauth/authorize?") and "code_challenge=" in begun.url
    assert oauth.refresh(channel=channel, session=build_session(), tokens=grant.tokens) is None
