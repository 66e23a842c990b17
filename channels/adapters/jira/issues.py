"""Jira Cloud issues filed and followed by the desk (channels.adapters.issues):

- file: ``POST /rest/api/3/issue`` with ``fields``: ``project.key``, ``summary``, ``issuetype.name`` (config
  ``issue_type``, "Bug") and ``description`` as Atlassian Document Format (`adf.adf_of`), as a connected account of
  the channel (its e-mail and API token, Basic auth); Jira answers ``{"id", "key", "self"}``;
- read: ``GET /rest/api/3/issue/{key}?fields=status,resolution,fixVersions,summary,resolutiondate``, one request
  with the channel's own credentials;
- an issue's address: ``<site>/browse/DESK-123``: the project's key and the issue's number.

Done is the status's category ``done`` (whatever the workflow names the status); a resolution of "Won't Do",
"Won't Fix", "Declined" or "Cannot Reproduce" closes it as not planned, "Duplicate" as a duplicate: neither is
told as fixed. Its fix versions are the milestone (the last one named).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.accounts.sending import json_of
from channels.http_status import REFUSED, refusal, succeeded

from ..base import ReplyError
from ..issues import IssueRef, IssueState
from .adf import adf_of
from .client import API, basic_header, credentials_of, error_text, get
from .config import settings_of, validate_config

if TYPE_CHECKING:
    from channels.models import Account, Channel

FIELDS = "status,resolution,fixVersions,summary,resolutiondate"
_KEY = re.compile(r"(?P<project>[A-Z][A-Z0-9_]{0,19})-(?P<number>\d{1,10})")
_BROWSE = re.compile(r"/browse/(?P<key>[A-Za-z][A-Za-z0-9_]{0,19}-\d{1,10})/?")
# Resolutions that end an issue without a fix (Jira's defaults, and Jira Software's "Declined").
NOT_PLANNED = {"won't do", "won't fix", "declined", "cannot reproduce"}


def projects_of(channel: Channel) -> list[str]:
    return list(validate_config(channel.config)["projects"])


def issue_ref(*, channel: Channel, url: str) -> IssueRef | None:
    site = validate_config(channel.config)["site"]
    address = (url or "").strip().split("#", 1)[0].split("?", 1)[0]
    if not address.casefold().startswith(site + "/"):
        return None
    match = _BROWSE.fullmatch(address[len(site) :])
    key = _KEY.fullmatch(match.group("key").upper()) if match else None
    return IssueRef(project=key.group("project"), number=int(key.group("number"))) if key else None


def _reason(resolution: str) -> str:
    said = resolution.casefold().replace("\u2019", "'")
    return "duplicate" if said == "duplicate" else "not_planned" if said in NOT_PLANNED else ""


def state_of(data: Any, *, site: str, project: str) -> IssueState:
    """An issue as ``GET /rest/api/3/issue/{key}`` answers it."""
    item = clean.mapping(data)
    fields = clean.mapping(item.get("fields"))
    category = clean.mapping(clean.mapping(fields.get("status")).get("statusCategory"))
    done = clean.line(category.get("key"), max_length=20) == "done"
    key = _KEY.fullmatch(clean.line(item.get("key"), max_length=40))
    versions = [clean.line(v.get("name"), max_length=200) for v in clean.objects(fields.get("fixVersions"))]
    return IssueState(
        project=key.group("project") if key else project,
        number=int(key.group("number")) if key else 0,
        url=f"{site}/browse/{key.group(0)}" if key else "",
        state="closed" if done else "open",
        milestone=next((v for v in reversed(versions) if v), ""),
        closed_at=clean.iso_time(fields.get("resolutiondate")) if done else None,
        title=clean.line(fields.get("summary"), max_length=255),
        reason=_reason(clean.line(clean.mapping(fields.get("resolution")).get("name"), max_length=60)) if done else "",
    )


def issue_create(
    *, channel: Channel, account: Account, session: requests.Session, project: str, title: str, body: str
) -> IssueState:
    from channels.accounts.tokens import account_request

    config = settings_of(channel.config)
    site = config["site"]
    where = f"the issues of {project} on {site}"
    summary = clean.line(title, max_length=255)
    fields = {
        "project": {"key": project},
        "summary": summary,
        "issuetype": {"name": config["issue_type"]},
        "description": adf_of(body),
    }
    response, used = account_request(
        session, "POST", f"{site}{API}/issue", account=account, label="Jira", where=where, json={"fields": fields},
        allow_redirects=False, signed=_signed,
    )  # fmt: skip
    answer = json_of(response)
    if not succeeded(response):
        said = error_text(answer) or "no reason given"
        raise refusal(response, "Jira", {429: _LIMITED, 400: REFUSED}, what="issue", said=f"{said}.", secret=used)
    key = _KEY.fullmatch(clean.line(clean.mapping(answer).get("key"), max_length=40))
    if key is None:
        raise ReplyError(f"Jira accepted the issue but named no key: check {where}.")
    return IssueState(
        project=key.group("project"), number=int(key.group("number")), url=f"{site}/browse/{key.group(0)}",
        state="open", milestone="", closed_at=None, title=summary,
    )  # fmt: skip


def _signed(tokens: dict[str, Any]) -> dict[str, Any]:
    """Jira Cloud's API token goes with the account's e-mail, as Basic auth."""
    return {"headers": basic_header(str(tokens.get("email") or ""), tokens["access_token"])}


_LIMITED = (ReplyError, "Jira's rate limit is used up: try again later (no issue was filed).")


def issue_read(*, channel: Channel, session: requests.Session, ref: IssueRef) -> IssueState:
    site = validate_config(channel.config)["site"]
    email, token = credentials_of(channel)
    key = f"{ref.project}-{ref.number}"
    data = get(session, site, f"/issue/{key}", email=email, token=token, params={"fields": FIELDS})
    return state_of(data, site=site, project=ref.project)
