"""GitLab issues filed and followed by the desk (channels.adapters.issues):

- file: ``POST /projects/:id/issues`` with ``title`` and ``description`` (docs.gitlab.com, "Issues API", "New
  issue"), as a connected account of the channel (its OAuth token, or a personal token stored as "private");
- read: ``GET /projects/:id/issues/:iid`` ("Single project issue"), one request with the channel's read token,
  through the poll's client (its rate-limit figures, its failures in words);
- an issue's address: ``<base_url>/<group>/<project>/-/issues/<iid>`` (older pages leave out the ``-``).

GitLab calls an open issue's state "opened" and a closed one's "closed"; its milestone is ``{"title": ...}``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import requests

from channels.accounts.sending import json_of
from channels.http_status import REFUSED, refusal, succeeded

from ..base import ReplyError
from ..issues import IssueRef, IssueState, state_of
from .client import Client, error_text, token_of
from .config import api_root, project_ref, validate_config
from .reply import token_headers

if TYPE_CHECKING:
    from channels.models import Account, Channel

_ISSUE_PATH = re.compile(r"/(?P<project>[A-Za-z0-9_.][A-Za-z0-9_./-]*?)(?:/-)?/issues/(?P<iid>\d{1,10})/?")


def projects_of(channel: Channel) -> list[str]:
    return list(validate_config(channel.config)["projects"])


def issue_ref(*, channel: Channel, url: str) -> IssueRef | None:
    base = validate_config(channel.config)["base_url"]
    address = (url or "").strip().split("#", 1)[0].split("?", 1)[0]
    if not address.casefold().startswith(base.casefold() + "/"):
        return None
    match = _ISSUE_PATH.fullmatch(address[len(base) :])
    if match is None:
        return None
    return IssueRef(project=match.group("project"), number=int(match.group("iid")))


def issue_create(
    *, channel: Channel, account: Account, session: requests.Session, project: str, title: str, body: str
) -> IssueState:
    from channels.accounts.tokens import account_request

    base = validate_config(channel.config)["base_url"]
    url = f"{api_root(base)}/projects/{project_ref(project)}/issues"
    where = f"the issues of {project}"
    response, used = account_request(
        session, "POST", url, account=account, label="GitLab", where=where,
        json={"title": title, "description": body}, signed=token_headers, allow_redirects=False,
    )  # fmt: skip
    answer = json_of(response)
    if not succeeded(response):
        said = error_text(answer) or "no reason given"
        raise refusal(response, "GitLab", {429: REFUSED}, what="issue", said=f"{said}.", secret=used)
    state = state_of(answer, project=project)
    if not state.number or not state.url:
        raise ReplyError(f"GitLab accepted the issue but named no number: check {where}.")
    return state


def issue_read(*, channel: Channel, session: requests.Session, ref: IssueRef) -> IssueState:
    config = validate_config(channel.config)
    client = Client(session, config["base_url"], token_of(channel), budget=1)
    data = client.get(f"/projects/{project_ref(ref.project)}/issues/{ref.number}", {}).data
    return state_of(data, project=ref.project)
