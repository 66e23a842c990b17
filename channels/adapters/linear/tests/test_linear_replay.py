"""The demo's Linear workspace (replay.py, issue 69) on the demo network (DESK_DEMO_REPLAY): what it answers has the
shape of Linear's documented answers in fixtures/ (SOURCES.md: issue_created.json, issue_started.json,
issue_completed.json, teams.json, viewer.json, authentication_error.json: the same keys at every level), a filed issue
moves one step at each read and is read by the adapter as the desk reads a real one, and a wrong request is refused
as Linear refuses it. Filing and following through the desk's own services: stories/tests/test_demo_issue_filing.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from channels.adapters.base import AuthError, Gone, ReplyError
from channels.adapters.issues import IssueRef, issue_create, issue_read
from channels.adapters.linear.issues import CREATE, READ, TEAM
from channels.adapters.linear.oauth import VIEWER
from channels.adapters.linear.tests.shapes import URL, load
from channels.demo.accounts import demo_accounts_ensure
from channels.demo.channels import DEMO_CHANNELS
from channels.http import build_session
from channels.models import Account
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

ANCHOR = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
KEY: str = DEMO_CHANNELS["linear"]["credentials"]["api_key"]


def shape(value: Any) -> Any:
    """A JSON value's keys at every level (a list by its first item); None stands for any value."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def ask(query: str, api_key: str = KEY, **variables: Any) -> Any:
    answer = build_session().post(
        URL, json={"query": query, "variables": variables}, headers={"Authorization": api_key}, timeout=5
    )
    return answer.status_code, answer.json()


def test_a_filed_issue_has_the_documented_shapes_and_is_done_at_the_second_read():
    with time_machine.travel(ANCHOR, tick=False):
        demo.channel("linear", ANCHOR)
        status, team = ask(TEAM, key="ENG")
        assert status == 200 and team == load("teams.json")
        team_id = team["data"]["teams"]["nodes"][0]["id"]
        status, created = ask(CREATE, input={"teamId": team_id, "title": "Runner hangs", "description": "Quoted."})
    assert status == 200 and shape(created) == shape(load("issue_created.json"))
    issue = created["data"]["issueCreate"]["issue"]
    assert (issue["identifier"], issue["state"]) == ("ENG-101", {"type": "unstarted", "name": "Todo"})
    assert issue["url"] == "https://linear.app/gitlab-demo/issue/ENG-101/runner-hangs"

    reads = []
    for minutes in (1, 2, 3):
        with time_machine.travel(ANCHOR + timedelta(minutes=minutes), tick=False):
            reads.append(ask(READ, id="ENG-101")[1])
    started, done, again = reads
    # In progress has the started example's shape (no milestone yet: null); done the completed example's.
    assert shape(started) == shape(load("issue_started.json")) and shape(done) == shape(load("issue_completed.json"))
    assert [r["data"]["issue"]["state"]["type"] for r in reads] == ["started", "completed", "completed"]
    assert done["data"]["issue"]["completedAt"] == again["data"]["issue"]["completedAt"] == "2026-01-20T09:02:00.000Z"
    assert shape(ask(VIEWER)[1]) == shape(load("viewer.json"))


def test_the_adapter_files_as_the_demo_account_and_reads_the_issue_to_done():
    session = build_session()
    with time_machine.travel(ANCHOR, tick=False):
        channel = demo.channel("linear", ANCHOR)
        demo_accounts_ensure()
        account = Account.objects.get(channel=channel)
        filed = issue_create(
            channel=channel, account=account, session=session, project="ENG", title="Runner hangs", body="Quoted."
        )
    assert (filed.number, filed.state, filed.title) == (101, "open", "Runner hangs")
    with time_machine.travel(ANCHOR + timedelta(minutes=5), tick=False):
        first = issue_read(channel=channel, session=session, ref=IssueRef("ENG", 101))
    with time_machine.travel(ANCHOR + timedelta(minutes=20), tick=False):
        done = issue_read(channel=channel, session=session, ref=IssueRef("ENG", 101))
    assert (first.state, first.milestone) == ("open", "")
    assert (done.state, done.fixed, done.milestone, done.closed_at) == (
        "closed",
        True,
        "18.7",
        ANCHOR + timedelta(minutes=20),
    )


def test_a_wrong_request_is_refused_as_linear_refuses_it():
    session = build_session()
    channel = demo.channel("linear", ANCHOR)
    demo_accounts_ensure()
    account = Account.objects.get(channel=channel)
    with pytest.raises(Gone, match="Entity not found"):
        issue_read(channel=channel, session=session, ref=IssueRef("ENG", 7))  # never filed on the demo
    with pytest.raises(ReplyError, match="no team OPS"):
        issue_create(channel=channel, account=account, session=session, project="OPS", title="x", body="")
    status, refused = ask(CREATE, input={"teamId": "another-team", "title": "x"})
    assert status == 400 and refused["errors"][0]["extensions"]["code"] == "INPUT_ERROR"
    status, stranger = ask(VIEWER, api_key="another-key")
    assert status == 400 and shape(stranger) == {**shape(load("authentication_error.json")), "data": None}
    channel.credentials = {"api_key": "another-key"}
    channel.save()
    with pytest.raises(AuthError):
        issue_read(channel=channel, session=session, ref=IssueRef("ENG", 101))
