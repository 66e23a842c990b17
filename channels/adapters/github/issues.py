"""GitHub issues filed and followed by the desk (channels.adapters.issues):

- file: ``POST /repos/{owner}/{repo}/issues`` with ``title`` and ``body`` (docs.github.com, "Create an issue"), as
  a connected account of the channel (`reply.Poster`: its token, refreshed once on a 401, refusals in words);
- read: ``GET /repos/{owner}/{repo}/issues/{number}`` ("Get an issue"), one request with the channel's own read
  credentials (a token or the App's installation), through the poll's client;
- an issue's address: ``https://github.com/<owner>/<repo>/issues/<number>``.

A pull request is an issue to this API too; one linked by its address (``/pull/``) is not taken: its state is a
merge, not a fix shipped.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import requests

from ..base import ReplyError
from ..issues import IssueRef, IssueState, state_of
from .app import Auth
from .client import Client
from .config import validate_config
from .reply import Poster

if TYPE_CHECKING:
    from channels.models import Account, Channel

_ISSUE_URL = re.compile(
    r"https://github\.com/(?P<repo>[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100})/issues/(?P<number>\d{1,10})/?",
    re.IGNORECASE,
)


def projects_of(channel: Channel) -> list[str]:
    return list(validate_config(channel.config)["repositories"])


def issue_ref(*, channel: Channel, url: str) -> IssueRef | None:
    match = _ISSUE_URL.fullmatch((url or "").strip().split("#", 1)[0].split("?", 1)[0])
    if match is None:
        return None
    return IssueRef(project=match.group("repo"), number=int(match.group("number")))


def issue_create(
    *, channel: Channel, account: Account, session: requests.Session, project: str, title: str, body: str
) -> IssueState:
    poster = Poster(account=account, session=session, where=f"the issues of {project}")
    _, answer = poster.call("POST", f"/repos/{project}/issues", {"title": title, "body": body})
    state = state_of(answer, project=project)
    if not state.number or not state.url:
        raise ReplyError(f"GitHub accepted the issue but named no number: check {poster.where}.")
    return state


def issue_read(*, channel: Channel, session: requests.Session, ref: IssueRef) -> IssueState:
    client = Client(session, Auth(channel, session), budget=1)
    return state_of(client.get(f"/repos/{ref.project}/issues/{ref.number}").data, project=ref.project)
