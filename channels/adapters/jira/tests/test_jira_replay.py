"""The demo's Jira Cloud site (replay.py, issue 69) on the demo network (DESK_DEMO_REPLAY): what it answers has the
shape of Atlassian's documented examples in fixtures/ (SOURCES.md: issue_created.json, issue_open.json,
issue_done.json, myself.json: the same keys at every level), a filed issue moves one step at each read and is read
by the adapter as the desk reads a real one, and a wrong request is refused as Jira refuses it. Filing and following
through the desk's own services: stories/tests/test_demo_issue_filing.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from channels.adapters.base import AuthError, Gone, ReplyError
from channels.adapters.issues import IssueRef, issue_create, issue_read
from channels.adapters.jira.client import basic_header
from channels.adapters.jira.issues import FIELDS
from channels.adapters.jira.replay import SITE
from channels.adapters.jira.tests.shapes import load
from channels.demo.accounts import demo_accounts_ensure
from channels.demo.channels import DEMO_CHANNELS
from channels.http import build_session
from channels.models import Account
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

ANCHOR = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
CREDENTIALS: dict[str, str] = DEMO_CHANNELS["jira"]["credentials"]
HEADERS = basic_header(CREDENTIALS["email"], CREDENTIALS["api_token"])
NEW = {"fields": {"project": {"key": "DESK"}, "summary": "Runner hangs", "issuetype": {"name": "Bug"}}}


def shape(value: Any) -> Any:
    """A JSON value's keys at every level (a list by its first item); None stands for any value."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def test_a_filed_issue_has_the_documented_shapes_and_is_done_at_the_second_read():
    session = build_session()
    with time_machine.travel(ANCHOR, tick=False):
        demo.channel("jira", ANCHOR)
        created = session.post(f"{SITE}/rest/api/3/issue", json=NEW, headers=HEADERS)
    documented = load("issue_created.json")
    del documented["transition"]  # only when the request asked for a transition
    assert created.status_code == 201 and shape(created.json()) == shape(documented)
    assert created.json()["key"] == "DESK-101"

    reads = []
    for minutes in (1, 2, 3):
        with time_machine.travel(ANCHOR + timedelta(minutes=minutes), tick=False):
            reads.append(session.get(f"{SITE}/rest/api/3/issue/DESK-101", params={"fields": FIELDS}, headers=HEADERS))
    started, done, again = (r.json() for r in reads)
    # In progress has the open example's shape (no resolution, no version yet); done the done example's.
    assert shape(started) == shape(load("issue_open.json")) and shape(done) == shape(load("issue_done.json"))
    categories = [r["fields"]["status"]["statusCategory"]["key"] for r in (started, done, again)]
    assert categories == ["indeterminate", "done", "done"]
    assert done["fields"]["resolutiondate"] == again["fields"]["resolutiondate"] == "2026-01-20T09:02:00.000+0000"
    only = session.get(f"{SITE}/rest/api/3/issue/DESK-101", params={"fields": "status"}, headers=HEADERS).json()
    assert set(only["fields"]) == {"status"}  # only the fields asked for, as Jira answers


def test_the_adapter_files_as_the_demo_account_and_reads_the_issue_to_done():
    session = build_session()
    with time_machine.travel(ANCHOR, tick=False):
        channel = demo.channel("jira", ANCHOR)
        demo_accounts_ensure()
        account = Account.objects.get(channel=channel)
        filed = issue_create(
            channel=channel, account=account, session=session, project="DESK", title="Runner hangs", body="Quoted."
        )
        second = issue_create(channel=channel, account=account, session=session, project="DESK", title="B", body="")
    assert (filed.number, filed.url, filed.state) == (101, f"{SITE}/browse/DESK-101", "open")
    assert second.number == 102
    assert shape(load("myself.json")) == shape(session.get(f"{SITE}/rest/api/3/myself", headers=HEADERS).json())

    with time_machine.travel(ANCHOR + timedelta(minutes=5), tick=False):
        first = issue_read(channel=channel, session=session, ref=IssueRef("DESK", 101))
    with time_machine.travel(ANCHOR + timedelta(minutes=20), tick=False):
        done = issue_read(channel=channel, session=session, ref=IssueRef("DESK", 101))
    assert (first.state, first.milestone, first.title) == ("open", "", "Runner hangs")
    assert (done.state, done.fixed, done.milestone) == ("closed", True, "18.7")
    assert done.closed_at == ANCHOR + timedelta(minutes=20)


def test_a_wrong_request_is_refused_as_jira_refuses_it():
    session = build_session()
    channel = demo.channel("jira", ANCHOR)
    demo_accounts_ensure()
    account = Account.objects.get(channel=channel)
    with pytest.raises(Gone, match="HTTP 404"):
        issue_read(channel=channel, session=session, ref=IssueRef("DESK", 7))  # never filed on the demo
    with pytest.raises(ReplyError, match="Specify a valid project ID or key"):
        issue_create(channel=channel, account=account, session=session, project="OTHER", title="x", body="")
    refused = session.post(
        f"{SITE}/rest/api/3/issue", json={"fields": {**NEW["fields"], "summary": " "}}, headers=HEADERS
    )
    assert refused.status_code == 400
    assert refused.json() == {"errorMessages": [], "errors": {"summary": "You must specify a summary of the issue."}}
    stranger = session.get(f"{SITE}/rest/api/3/myself", headers=basic_header(CREDENTIALS["email"], "another-token"))
    assert stranger.status_code == 401 and stranger.json()["errorMessages"]
    channel.credentials = {**CREDENTIALS, "api_token": "another-token"}
    channel.save()
    with pytest.raises(AuthError):
        issue_read(channel=channel, session=session, ref=IssueRef("DESK", 101))
