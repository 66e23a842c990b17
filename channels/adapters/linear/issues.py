"""Linear issues filed and followed by the desk (channels.adapters.issues), through its GraphQL API:

- file: the ``issueCreate`` mutation (``teamId``, ``title``, ``description`` in Markdown), as a connected account
  of the channel (its OAuth token, or a personal API key); the team's id is looked up once from its key
  (``teams(filter: {key: {eq: ...}})``) and kept for the process;
- read: ``issue(id: "ENG-123")``, one request with the channel's API key;
- an issue's address: ``https://linear.app/<workspace>/issue/ENG-123/<slug>`` (the slug optional), for a team
  the channel names.

Done is a state of type ``completed`` (fixed) or ``canceled`` (closed, not fixed: Linear cancels a duplicate too).
The milestone is the project milestone's name; a cycle is read but not told (an issue rolls from cycle to cycle).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.accounts.sending import json_of
from channels.http_status import SEND_LADDER, refusal, succeeded

from ..base import AdapterError, ReplyError
from ..issues import IssueRef, IssueState
from .client import AUTH_CODES, URL, api_key_of, codes_of, graphql, header_of, said_of
from .config import validate_config

if TYPE_CHECKING:
    from channels.models import Account, Channel

FIELDS = "identifier url title state { type name } completedAt canceledAt projectMilestone { name } cycle { name }"
READ = "query Issue($id: String!) { issue(id: $id) { " + FIELDS + " } }"
CREATE = (
    "mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { "
    + FIELDS
    + " } } }"
)
TEAM = "query Team($key: String!) { teams(filter: {key: {eq: $key}}) { nodes { id key } } }"
_IDENTIFIER = re.compile(r"(?P<team>[A-Z][A-Z0-9]{0,9})-(?P<number>\d{1,10})")
_ADDRESS = re.compile(
    r"https://linear\.app/[A-Za-z0-9_-]{1,64}/issue/(?P<id>[A-Za-z][A-Za-z0-9]{0,9}-\d{1,10})(?:/[^/?#]*)?/?",
    re.IGNORECASE,
)
_TEAM_IDS: dict[tuple[int | None, str], str] = {}  # (channel, team key) -> Linear's id of the team


def projects_of(channel: Channel) -> list[str]:
    return list(validate_config(channel.config)["teams"])


def issue_ref(*, channel: Channel, url: str) -> IssueRef | None:
    match = _ADDRESS.fullmatch((url or "").strip().split("#", 1)[0].split("?", 1)[0])
    found = _IDENTIFIER.fullmatch(match.group("id").upper()) if match else None
    if found is None or found.group("team") not in projects_of(channel):
        return None  # every workspace is on linear.app: only the channel's own teams are its issues
    return IssueRef(project=found.group("team"), number=int(found.group("number")))


def state_of(data: Any, *, project: str) -> IssueState:
    """An issue as the API answers it (`FIELDS`)."""
    item = clean.mapping(data)
    kind = clean.line(clean.mapping(item.get("state")).get("type"), max_length=20)
    canceled = kind in ("canceled", "cancelled")
    closed = canceled or kind == "completed"
    found = _IDENTIFIER.fullmatch(clean.line(item.get("identifier"), max_length=40))
    return IssueState(
        project=found.group("team") if found else project,
        number=int(found.group("number")) if found else 0,
        url=clean.url(item.get("url")),
        state="closed" if closed else "open",
        milestone=clean.line(clean.mapping(item.get("projectMilestone")).get("name"), max_length=200),
        closed_at=clean.iso_time(item.get("canceledAt") if canceled else item.get("completedAt")) if closed else None,
        title=clean.line(item.get("title"), max_length=255),
        reason="not_planned" if canceled else "",
    )


def _team_id(channel: Channel, session: requests.Session, tokens: dict[str, Any], key: str) -> str:
    if (channel.pk, key) not in _TEAM_IDS:
        data = graphql(session, TEAM, {"key": key}, tokens=tokens, label=f"Linear team {key}")
        nodes = clean.objects(clean.mapping(data.get("teams")).get("nodes"))
        team_id = next((clean.ident(n.get("id")) for n in nodes if n.get("key") == key), "")
        if not team_id:
            raise ReplyError(f"Linear has no team {key} the account can see: check the channel's teams.")
        _TEAM_IDS[(channel.pk, key)] = team_id
    return _TEAM_IDS[(channel.pk, key)]


def _refused_token(response: requests.Response) -> bool:
    return bool(codes_of(json_of(response)) & AUTH_CODES)


def issue_create(
    *, channel: Channel, account: Account, session: requests.Session, project: str, title: str, body: str
) -> IssueState:
    from channels.accounts.tokens import account_request, account_tokens

    where = f"team {project}'s issues on Linear"
    try:
        team_id = _team_id(channel, session, account_tokens(account=account, session=session), project)
    except ReplyError:
        raise
    except AdapterError as exc:  # the lookup's read errors, in words: nothing was filed
        raise ReplyError(f"Linear could not be asked for team {project} ({exc}): no issue was filed.") from None
    variables = {"input": {"teamId": team_id, "title": clean.line(title, max_length=255), "description": body}}
    response, used = account_request(
        session, "POST", URL, account=account, label="Linear", where=where,
        json={"query": CREATE, "variables": variables}, allow_redirects=False,
        signed=lambda tokens: {"headers": header_of(tokens)}, refused=_refused_token,
    )  # fmt: skip
    answer = json_of(response)
    said = said_of(answer)
    for secret in used:
        said = said.replace(secret, "REDACTED") if secret else said
    if "RATELIMITED" in codes_of(answer):
        raise ReplyError("Linear's rate limit is used up: try again later (no issue was filed).")
    if not succeeded(response) or said:
        ladder = {**SEND_LADDER, "2xx": SEND_LADDER["4xx"]}  # GraphQL refuses under HTTP 200
        raise refusal(response, "Linear", ladder, what="issue", said=f"{said or 'no reason given'}.", secret=used)
    made = clean.mapping(clean.mapping(clean.mapping(answer).get("data")).get("issueCreate"))
    state = state_of(made.get("issue"), project=project)
    if not made.get("success") or not state.number or not state.url:
        raise ReplyError(f"Linear accepted the issue but named no identifier: check {where}.")
    return state


def issue_read(*, channel: Channel, session: requests.Session, ref: IssueRef) -> IssueState:
    tokens = {"access_token": api_key_of(channel), "token_type": "api_key"}
    identifier = f"{ref.project}-{ref.number}"
    data = graphql(session, READ, {"id": identifier}, tokens=tokens, label=f"Linear issue {identifier}")
    return state_of(data.get("issue"), project=ref.project)
