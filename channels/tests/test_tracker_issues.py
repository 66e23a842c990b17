"""What the trackers that read no mentions (Jira, Linear) keep alike, each from its platform's documented examples
(its tests/fixtures/SOURCES.md): an issue is named by its address on the channel's own site and projects or teams
only, read as open, done or dropped with its number, page, milestone and closing time, and read in one request sent
with the channel's own credentials. Each platform's own tests
(adapters/jira/tests, adapters/linear/tests) keep what only it has."""

import base64
import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import pytest
import responses

from channels.adapters.issues import IssueRef, issue_read, issue_ref
from channels.adapters.jira.issues import state_of as jira_state_of
from channels.adapters.jira.tests import shapes as jira
from channels.adapters.linear.issues import state_of as linear_state_of
from channels.adapters.linear.tests import shapes as linear
from channels.http import build_session

SITE, BROWSE_URL, ISSUE_PAGE = jira.SITE, jira.BROWSE_URL, linear.ISSUE_PAGE
TRACKERS = {"jira": jira.tracker, "linear": linear.tracker}

NAMED = [
    ("jira", BROWSE_URL, IssueRef("DESK", 24)),
    ("jira", f"{BROWSE_URL}?focusedCommentId=1#c1", IssueRef("DESK", 24)),
    ("jira", f"{SITE}/browse/desk-7/", IssueRef("DESK", 7)),
    ("jira", "https://other.atlassian.net/browse/DESK-24", None),
    ("jira", f"{SITE}/jira/software/projects/DESK/boards/1", None),
    ("jira", f"{SITE}.evil.example/browse/DESK-24", None),
    ("linear", ISSUE_PAGE, IssueRef("ENG", 123)),
    ("linear", "https://linear.app/example/issue/eng-7", IssueRef("ENG", 7)),
    ("linear", f"{ISSUE_PAGE}#comment-1", IssueRef("ENG", 123)),
    ("linear", "https://linear.app/example/issue/OPS-1/x", None),  # not its team
    ("linear", "https://linear.app.evil.example/example/issue/ENG-1", None),
    ("linear", "https://linear.app/example/project/eng-roadmap", None),
]

CLOSED_AT = datetime(2026, 11, 20, 10, tzinfo=UTC)
# Each recorded issue and what it reads as (the fields named; `fixed`: closed as done).
READ = [
    ("jira", "issue_open.json", {"state": "open", "number": 24, "url": BROWSE_URL, "closed_at": None}),
    ("jira", "issue_open.json", {"title": "Runner cache is not restored after the 18.6 upgrade"}),
    ("jira", "issue_done.json", {"state": "closed", "fixed": True, "milestone": "2.4.0", "closed_at": CLOSED_AT}),
    ("jira", "issue_wont_do.json", {"state": "closed", "reason": "not_planned", "fixed": False}),
    ("linear", "issue_started.json", {"state": "open", "number": 123, "url": ISSUE_PAGE, "milestone": ""}),
    ("linear", "issue_completed.json", {"state": "closed", "fixed": True, "milestone": "Beta", "closed_at": CLOSED_AT}),
    ("linear", "issue_canceled.json", {"state": "closed", "fixed": False, "reason": "not_planned"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "url", "ref"), NAMED)
def test_an_issue_is_named_by_its_address_on_the_channels_site_and_projects_only(kind, url, ref):
    assert issue_ref(channel=TRACKERS[kind](), url=url) == ref


def read(kind: str, fixture: str) -> dict[str, Any]:
    """The recorded issue as the tracker reads it (Linear's inside GraphQL's `data`), with whether it was fixed."""
    if kind == "jira":
        state = jira_state_of(jira.load(fixture), site=SITE, project="DESK")
    else:
        state = linear_state_of(linear.load(fixture)["data"]["issue"], project="ENG")
    return {**asdict(state), "fixed": state.fixed}


@pytest.mark.parametrize(("kind", "fixture", "expected"), READ)
def test_an_issue_reads_open_done_with_its_milestone_or_dropped(kind, fixture, expected):
    state = read(kind, fixture)
    assert {field: state[field] for field in expected} == expected


JIRA_BASIC = base64.b64encode(f"reader@example.com:{jira.READ_TOKEN}".encode()).decode()
# Each tracker's read: its route, answer, issue, the channel's read credentials as it sends them, and what the request
# asks for (Jira: the fields it reads, in the address; Linear: the issue, in the GraphQL query's variables).
ASKED: list[tuple[str, str, str, str, IssueRef, str, Callable[[Any], bool]]] = [
    (
        "jira",
        responses.GET,
        jira.ISSUE_URL,
        "issue_done.json",
        IssueRef("DESK", 24),
        f"Basic {JIRA_BASIC}",
        lambda request: "fields=status%2Cresolution%2CfixVersions%2Csummary%2Cresolutiondate" in str(request.url),
    ),
    (
        "linear",
        responses.POST,
        linear.URL,
        "issue_completed.json",
        IssueRef("ENG", 123),
        linear.READ_KEY,  # sent bare
        lambda request: json.loads(request.body or "{}")["variables"] == {"id": "ENG-123"},
    ),
]


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize(("kind", "method", "url", "fixture", "ref", "authorization", "asks"), ASKED)
def test_a_read_is_one_request_with_the_channels_credentials(kind, method, url, fixture, ref, authorization, asks):
    responses.add(method, url, json={"jira": jira, "linear": linear}[kind].load(fixture))

    state = issue_read(channel=TRACKERS[kind](), session=build_session(), ref=ref)

    assert state.fixed
    (call,) = responses.calls
    assert call.request.headers["Authorization"] == authorization
    assert asks(call.request)
