"""Jira Cloud as a tracker, at the HTTP boundary (`responses`): its settings, an issue's address, the plain text
filed as Atlassian Document Format, an issue read as open, done and "won't do", and its refusals in words that
never carry the token. The filing and following through the desk are stories/tests/test_issue_trackers.py.

Shapes: Atlassian's documented examples in fixtures/ (SOURCES.md)."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime

import pytest
import responses

from channels.adapters.base import AuthError, ConfigError, Gone, RateLimited
from channels.adapters.issues import IssueRef, issue_read, issue_ref
from channels.adapters.jira.adf import adf_of
from channels.adapters.jira.config import validate_config
from channels.adapters.jira.issues import state_of
from channels.adapters.jira.oauth import JiraApiToken, api_token_grant
from channels.adapters.jira.tests.shapes import BROWSE_URL, CONFIG, ISSUE_URL, READ_TOKEN, SITE, load, tracker
from channels.http import build_session
from channels.tests.harness import issue_read_alone


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


@pytest.mark.django_db
def test_an_issue_is_named_by_its_browse_address_on_the_channels_site():
    channel = tracker()

    assert issue_ref(channel=channel, url=BROWSE_URL) == IssueRef("DESK", 24)
    assert issue_ref(channel=channel, url=f"{BROWSE_URL}?focusedCommentId=1#c1") == IssueRef("DESK", 24)
    assert issue_ref(channel=channel, url=f"{SITE}/browse/desk-7/") == IssueRef("DESK", 7)
    assert issue_ref(channel=channel, url="https://other.atlassian.net/browse/DESK-24") is None
    assert issue_ref(channel=channel, url=f"{SITE}/jira/software/projects/DESK/boards/1") is None
    assert issue_ref(channel=channel, url=f"{SITE}.evil.example/browse/DESK-24") is None


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


def test_an_issue_reads_open_done_with_its_fix_version_and_wont_do():
    opened = state_of(load("issue_open.json"), site=SITE, project="DESK")
    done = state_of(load("issue_done.json"), site=SITE, project="DESK")
    dropped = state_of(load("issue_wont_do.json"), site=SITE, project="DESK")

    assert (opened.state, opened.number, opened.url, opened.closed_at) == ("open", 24, BROWSE_URL, None)
    assert opened.title == "Runner cache is not restored after the 18.6 upgrade"
    assert (done.state, done.fixed, done.milestone) == ("closed", True, "2.4.0")
    assert done.closed_at == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert (dropped.state, dropped.reason, dropped.fixed) == ("closed", "not_planned", False)
    duplicate = copy.deepcopy(load("issue_wont_do.json"))
    duplicate["fields"]["resolution"]["name"] = "Duplicate"
    assert state_of(duplicate, site=SITE, project="DESK").reason == "duplicate"


@pytest.mark.django_db
@responses.activate
def test_a_read_is_one_request_with_the_channels_credentials():
    responses.get(ISSUE_URL, json=load("issue_done.json"))

    state, request = issue_read_alone(tracker(), IssueRef("DESK", 24))

    assert state.fixed
    expected = base64.b64encode(f"reader@example.com:{READ_TOKEN}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert "fields=status%2Cresolution%2CfixVersions%2Csummary%2Cresolutiondate" in str(request.url)


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
