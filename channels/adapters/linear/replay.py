"""The demo's Linear workspace (issue 69), after channels.demo.replay_kit (what every replay shares): a tracker the
desk files the demo's bugs in and follows to done, with no Linear account. Its team and our account are the demo
channel's (demo.py).

``POST https://api.linear.app/graphql`` answers the desk's operations (channels.adapters.linear: issues.py and
oauth.py) in the shapes of ``tests/fixtures`` (SOURCES.md: Linear's schema and documented answers), ``{"data": ...}``:

- ``viewer``: our account, as ``viewer.json`` (testing the channel, connecting the account);
- ``teams(filter: {key: {eq: $key}})``: the team, as ``teams.json`` (none for another key);
- ``issueCreate(input: {teamId, title, description})``: ``{"success": true, "issue": ...}`` as ``issue_created.json``,
  the identifier the team's next number on the demo (channels.demo.kept), its state "Todo" (``unstarted``);
- ``issue(id: "ENG-101")``: as ``issue_started.json`` and ``issue_completed.json``, one step further at each read:
  "Todo" as filed, "In Progress" (``started``) at the first read, "Done" (``completed``, ``completedAt`` the time of
  the second read, the project milestone ``MILESTONE``) from the second.

Errors as Linear answers them, ``{"errors": [{"message", "extensions": {"type", "code", "statusCode", "userError",
"userPresentableMessage"}}], "data": null}`` under HTTP 400 (``authentication_error.json``'s shape): without the
demo's API key ``AUTHENTICATION_ERROR``; an issue the demo did not file "Entity not found: Issue"; a create without a
title, or for another team, ``INPUT_ERROR``; an operation the demo does not know ``GRAPHQL_VALIDATION_FAILED``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from channels.demo import kept
from channels.demo.replay_kit import Answer, Asked, slug, zulu

from .demo import DEMO

if TYPE_CHECKING:
    import requests

    from channels.demo.replay import DemoPosts

KIND = "linear"
HOSTS = ("api.linear.app",)
KEY: str = DEMO["credentials"]["api_key"]
TEAM: str = DEMO["config"]["teams"][0]
TEAM_ID = "9cfb482a-81e3-4154-b5b9-2c805e70a02d"
WORKSPACE = "gitlab-demo"
MILESTONE = "18.7"  # the release a demo issue is done in: the one after the demo's 18.6 release day
# A demo issue's state at each step (kept.FILED, STARTED, DONE): Linear's default workflow.
STATES = ({"type": "unstarted", "name": "Todo"}, {"type": "started", "name": "In Progress"},
          {"type": "completed", "name": "Done"})  # fmt: skip


def error(message: str, code: str, said: str, kind: str = "invalid input") -> tuple[int, dict[str, Any]]:
    extensions = {"type": kind, "code": code, "statusCode": 400, "userError": True, "userPresentableMessage": said}
    return 400, {"errors": [{"message": message, "extensions": extensions}], "data": None}


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> Answer:
    asked = Asked(request)
    if asked.path != "/graphql" or asked.method != "POST":
        return 404, b"Cannot GET " + asked.path.encode()
    if asked.header("Authorization") not in (KEY, f"Bearer {KEY}"):
        return error(
            "Authentication required, not authenticated",
            "AUTHENTICATION_ERROR",
            "You need to authenticate to access this operation.",
            kind="authentication error",
        )
    query, variables = str(asked.json.get("query") or ""), asked.json.get("variables")
    variables = variables if isinstance(variables, dict) else {}
    if "issueCreate(" in query:
        return created(variables.get("input"), posts.now)
    if "teams(" in query:
        nodes = [{"id": TEAM_ID, "key": TEAM}] if variables.get("key") == TEAM else []
        return 200, {"data": {"teams": {"nodes": nodes}}}
    if "issue(" in query:
        issue = kept.issue_read(KIND, key=str(variables.get("id") or "").upper(), now=posts.now)
        if issue is None:
            return error("Entity not found: Issue", "INPUT_ERROR", "Entity not found: Issue")
        return 200, {"data": {"issue": issue_json(issue)}}
    if "viewer" in query:
        viewer = {"id": "2e1b4a2b-6c4e-4c4f-9f0e-1f2a3b4c5d6e", "name": "Community Desk",
                  "displayName": DEMO["our_accounts"][0], "email": "community-desk@example.com"}  # fmt: skip
        return 200, {"data": {"viewer": viewer}}
    return error("Cannot query the demo for that", "GRAPHQL_VALIDATION_FAILED", "Unknown operation", kind="graphql")


def created(sent: Any, now: datetime) -> Answer:
    sent = sent if isinstance(sent, dict) else {}
    title = sent.get("title")
    if sent.get("teamId") != TEAM_ID:
        return error("Argument Validation Error", "INPUT_ERROR", "The team could not be found.")
    if not isinstance(title, str) or not title.strip():
        return error("Argument Validation Error", "INPUT_ERROR", "Title must not be empty.")
    issue = kept.issue_filed(KIND, project=TEAM, title=title.strip(), at=now)
    return 200, {"data": {"issueCreate": {"success": True, "issue": issue_json(issue)}}}


def issue_json(issue: kept.DemoIssue) -> dict[str, Any]:
    """The issue with the fields the desk asks for (channels.adapters.linear.issues.FIELDS)."""
    done = issue.step == kept.DONE
    return {
        "identifier": issue.key,
        "url": f"https://linear.app/{WORKSPACE}/issue/{issue.key}/{slug(issue.title, words=6)}",
        "title": issue.title,
        "state": STATES[issue.step],
        "completedAt": zulu(issue.done_at) if done and issue.done_at else None,
        "canceledAt": None,
        "projectMilestone": {"name": MILESTONE} if done else None,
        "cycle": {"name": None},
    }
