"""The demo's Jira Cloud site (issue 69), after channels.demo.replay_kit (what every replay shares): a tracker the
desk files the demo's bugs in and follows to done, with no Atlassian account. Its site, project and our account are
the demo channel's (demo.py).

Shapes, after Atlassian's documented examples for the REST API v3 (``tests/fixtures``, SOURCES.md):

- ``GET /rest/api/3/myself``: our account as ``myself.json`` (testing the channel, connecting the account).
- ``POST /rest/api/3/issue`` (``fields``: ``project.key``, ``summary``, ``issuetype.name``, ``description`` in the
  Atlassian Document Format): 201 ``{"id", "key", "self"}`` as ``issue_created.json``, the key the project's next
  number on the demo (channels.demo.kept). Refused as Jira refuses, ``{"errorMessages": [], "errors": {field:
  why}}`` in its words: another project, no summary, no issue type, a description that is not a document.
- ``GET /rest/api/3/issue/{key}?fields=``: the issue as ``issue_open.json`` and ``issue_done.json`` (only the fields
  asked for), one step further at each read: "To Do" (status category ``new``) as filed, "In Progress"
  (``indeterminate``) at the first read, "Done" (``done``, resolution "Done", fix version ``FIX_VERSION``,
  ``resolutiondate`` the time of the second read) from the second. An issue the demo did not file: Jira's 404
  ``{"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}}``.

Without the demo's e-mail and API token (Basic auth): Jira's 401 ``{"errorMessages": ["You are not authenticated.
Authentication required to perform this operation."], "errors": {}}``; another route: 404 ``{"errorMessages":
["Not found"]}``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from channels.demo import kept
from channels.demo.replay_kit import Answer, Asked

from .client import basic_header
from .demo import DEMO, EMAIL

if TYPE_CHECKING:
    import requests

    from channels.demo.replay import DemoPosts

KIND = "jira"
SITE: str = DEMO["config"]["site"]
HOSTS = (SITE.removeprefix("https://"),)
API = f"{SITE}/rest/api/3"
PROJECTS: list[str] = DEMO["config"]["projects"]
TOKEN: str = DEMO["credentials"]["api_token"]
ID_BASE = 10_000  # an issue's numeric id: this plus its number
FIX_VERSION = "18.7"  # the release a demo issue is fixed in: the one after the demo's 18.6 release day
ACCOUNT_ID = "5b10a2844c20165700ede21g"
_ISSUE = re.compile(r"/rest/api/3/issue/([A-Za-z][A-Za-z0-9_]{0,19}-\d{1,10})")
_ERRORS: dict[str, Any] = {"errorMessages": [], "errors": {}}
_GONE = {**_ERRORS, "errorMessages": ["Issue does not exist or you do not have permission to see it."]}
_UNAUTHORIZED = {
    **_ERRORS,
    "errorMessages": ["You are not authenticated. Authentication required to perform this operation."],
}


def _category(number: int, key: str, color: str, name: str) -> dict[str, Any]:
    return {"self": f"{API}/statuscategory/{number}", "id": number, "key": key, "colorName": color, "name": name}


def _status(status_id: str, name: str, category: dict[str, Any]) -> dict[str, Any]:
    return {
        "self": f"{API}/status/{status_id}",
        "description": "",
        "iconUrl": f"{SITE}/",
        "name": name,
        "id": status_id,
        "statusCategory": category,
    }


# A demo issue's status at each step (kept.FILED, STARTED, DONE): Jira's default workflow and status categories.
STATUSES = (
    _status("10000", "To Do", _category(2, "new", "blue-gray", "To Do")),
    _status("3", "In Progress", _category(4, "indeterminate", "yellow", "In Progress")),
    _status("10001", "Done", _category(3, "done", "green", "Done")),
)
RESOLUTION = {
    "self": f"{API}/resolution/10000",
    "id": "10000",
    "description": "Work has been completed on this issue.",
    "name": "Done",
}
VERSION = {
    "self": f"{API}/version/10000",
    "id": "10000",
    "description": "The release after the 18.6 release day",
    "name": FIX_VERSION,
    "archived": False,
    "released": False,
}


def version(done_at: datetime) -> dict[str, Any]:
    """The fix version, released on the handbook's release day (the 22nd) of the month after the issue was done."""
    month = (done_at.replace(day=1) + timedelta(days=32)).replace(day=22)
    return {**VERSION, "releaseDate": month.date().isoformat()}


def answer(request: requests.PreparedRequest, posts: DemoPosts) -> Answer:
    asked = Asked(request)
    if asked.header("Authorization") != basic_header(EMAIL, TOKEN)["Authorization"]:
        return 401, _UNAUTHORIZED
    if asked.path == "/rest/api/3/myself" and asked.method == "GET":
        return 200, myself()
    if asked.path == "/rest/api/3/issue" and asked.method == "POST":
        return filed(asked.json, posts.now)
    route = _ISSUE.fullmatch(asked.path)
    if route is None or asked.method != "GET":
        return 404, {**_ERRORS, "errorMessages": ["Not found"]}
    issue = kept.issue_read(KIND, key=route.group(1).upper(), now=posts.now)
    if issue is None:
        return 404, _GONE
    wanted = {f.strip() for f in asked.query.get("fields", "").split(",") if f.strip()}
    return 200, issue_json(issue, wanted)


def myself() -> dict[str, Any]:
    return {
        "self": f"{API}/user?accountId={ACCOUNT_ID}",
        "accountId": ACCOUNT_ID,
        "accountType": "atlassian",
        "emailAddress": EMAIL,
        "displayName": "Community Desk",
        "active": True,
        "timeZone": "Europe/Amsterdam",
        "locale": "en_US",
    }


def filed(sent: dict[str, Any], now: datetime) -> Answer:
    fields: dict[str, Any] = sent["fields"] if isinstance(sent.get("fields"), dict) else {}
    project, kind = fields.get("project"), fields.get("issuetype")
    project = str(project.get("key") or "") if isinstance(project, dict) else ""
    summary, described = fields.get("summary"), fields.get("description")
    errors = {}
    if project not in PROJECTS:
        errors["project"] = "Specify a valid project ID or key"
    if not isinstance(summary, str) or not summary.strip():
        errors["summary"] = "You must specify a summary of the issue."
    if not isinstance(kind, dict) or not kind.get("name"):
        errors["issuetype"] = "Specify an issue type"
    if described is not None and not (isinstance(described, dict) and described.get("type") == "doc"):
        errors["description"] = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
    if errors:
        return 400, {**_ERRORS, "errors": errors}
    assert isinstance(summary, str)  # checked above
    issue = kept.issue_filed(KIND, project=project, title=summary.strip(), at=now)
    issue_id = str(ID_BASE + issue.number)
    return 201, {"id": issue_id, "key": issue.key, "self": f"{API}/issue/{issue_id}"}


def jira_time(moment: datetime) -> str:
    """Jira's time: ``2026-11-20T10:00:00.000+0000``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def issue_json(issue: kept.DemoIssue, wanted: set[str]) -> dict[str, Any]:
    """The issue as "Get issue" answers it, with the fields `wanted` (all of them when none is named)."""
    done = issue.step == kept.DONE
    fields: dict[str, Any] = {
        "summary": issue.title,
        "status": STATUSES[issue.step],
        "resolution": RESOLUTION if done else None,
        "fixVersions": [version(issue.done_at)] if done and issue.done_at else [],
        "resolutiondate": jira_time(issue.done_at) if done and issue.done_at else None,
    }
    issue_id = str(ID_BASE + issue.number)
    return {
        "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
        "id": issue_id,
        "self": f"{API}/issue/{issue_id}",
        "key": issue.key,
        "fields": {k: v for k, v in fields.items() if not wanted or k in wanted},
    }
