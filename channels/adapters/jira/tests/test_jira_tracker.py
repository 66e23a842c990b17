"""Jira Cloud as a tracker, at the HTTP boundary (`responses`): its settings, the plain text filed as Atlassian
Document Format, a "won't do" that is a duplicate, and its refusals in words that never carry the token. An issue's
address, an issue read as open, done and "won't do", and a read's one request are the trackers' shared tests
(channels/tests/test_tracker_issues.py); the filing and following through the desk:
stories/tests/test_issue_trackers.py.

Shapes: Atlassian's documented examples in fixtures/ (SOURCES.md)."""

from __future__ import annotations

import copy

import pytest
import responses

from channels.adapters.base import AuthError, ConfigError, Gone, RateLimited
from channels.adapters.issues import IssueRef, issue_read
from channels.adapters.jira.adf import adf_of
from channels.adapters.jira.config import validate_config
from channels.adapters.jira.issues import state_of
from channels.adapters.jira.oauth import JiraApiToken, api_token_grant
from channels.adapters.jira.tests.shapes import CONFIG, ISSUE_URL, READ_TOKEN, SITE, load, tracker
from channels.http import build_session


def test_the_settings_take_a_cloud_site_and_project_keys():
    assert validate_config({"site": "https://Example.atlassian.net/", "projects": ["desk", "DESK"]}) == {
        "site": "https://example.atlassian.net",
        "projects": ["DESK"],
    }
    assert validate_config({**CONFIG, "issue_type": " Task "})["issue_type"] == "Task"
    for wrong in (
        {"site": "http://example.atlassian.net", "projects": ["DESK"]},
        {"site": "https://jira.example.com", "projects": ["DESK"]},
        {"site": "https://example.atlassian.net/jira", "projects": ["DESK"]},
        {"site": "https://user:pw@example.atlassian.net", "projects": ["DESK"]},
        {"site": SITE, "projects": []},
        {"site": SITE, "projects": ["1DESK"]},
        {"site": SITE, "projects": "DESK"},
        {**CONFIG, "issue_type": ""},
        {**CONFIG, "labels": ["x"]},
    ):
        with pytest.raises(ConfigError):
            validate_config(wrong)


def test_the_plain_text_becomes_a_document_whose_words_stay_words():
    document = adf_of("Reported by 2 people.\nSee below.\n\n> <script>x</script> &amp; @\u200dme\n> again\n\n\n")

    assert document["type"] == "doc" and document["version"] == 1
    first, quote = document["content"]
    assert first == {
        "type": "paragraph",
        "content": [
            {"type": "text", "text": "Reported by 2 people."},
            {"type": "hardBreak"},
            {"type": "text", "text": "See below."},
        ],
    }
    assert quote["type"] == "blockquote"
    (paragraph,) = quote["content"]
    assert paragraph["content"][0] == {"type": "text", "text": "<script>x</script> & @\u200dme"}  # a text node
    assert adf_of("a\x00b\x1b") == {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [
        {"type": "text", "text": "ab"}]}]}  # fmt: skip
    assert adf_of("") == {"type": "doc", "version": 1, "content": []}


def test_a_wont_do_resolved_as_a_duplicate_reads_as_a_duplicate():
    duplicate = copy.deepcopy(load("issue_wont_do.json"))
    duplicate["fields"]["resolution"]["name"] = "Duplicate"
    assert state_of(duplicate, site=SITE, project="DESK").reason == "duplicate"


@pytest.mark.django_db
@responses.activate
def test_refusals_are_said_in_words_without_the_token():
    channel = tracker()
    session = build_session(retries=False)
    said = {"errorMessages": [f"Client must be authenticated ({READ_TOKEN})"], "errors": {}}
    responses.get(ISSUE_URL, status=401, json=said)
    with pytest.raises(AuthError) as refused:
        issue_read(channel=channel, session=session, ref=IssueRef("DESK", 24))
    assert "Jira refused the e-mail and API token" in str(refused.value) and READ_TOKEN not in str(refused.value)

    responses.replace(responses.GET, ISSUE_URL, status=429, headers={"Retry-After": "30"}, json={})
    with pytest.raises(RateLimited) as limited:
        issue_read(channel=channel, session=session, ref=IssueRef("DESK", 24))
    assert limited.value.retry_after == 30 and READ_TOKEN not in str(limited.value)

    responses.replace(responses.GET, ISSUE_URL, status=404, json={"errorMessages": ["Issue does not exist"]})
    with pytest.raises(Gone, match="Issue does not exist"):
        issue_read(channel=channel, session=session, ref=IssueRef("DESK", 24))


@pytest.mark.django_db
@responses.activate
def test_an_account_connects_with_the_channels_email_and_token_once_jira_says_they_are_its():
    channel = tracker()
    responses.get(f"{SITE}/rest/api/3/myself", json=load("myself.json"))

    grant = api_token_grant(channel=channel, session=build_session(), username="Desk@Example.com")

    assert grant.tokens == {"access_token": READ_TOKEN, "email": "reader@example.com", "token_type": "basic"}
    assert grant.user_id == "5b10a2844c20165700ede21g"
    with pytest.raises(AuthError, match=r"not someone@example\.com's"):
        api_token_grant(channel=channel, session=build_session(), username="someone@example.com")
    with pytest.raises(ConfigError, match="connect with an API token"):
        JiraApiToken().begin(channel=channel, redirect_uri="https://desk.example/cb", state="s")
    assert JiraApiToken().refresh(channel=channel, session=build_session(), tokens=grant.tokens) is None
