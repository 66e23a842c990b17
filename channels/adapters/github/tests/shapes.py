"""GitHub items and answers for the tests, built from the recorded responses in `fixtures/` (SOURCES.md): a copy of
a recorded object with the fields a test is about replaced, nothing added that GitHub does not send. Headers are
those recorded with them (`_responses_meta.json`), with times moved to now where a test needs a live reset."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import responses

from channels.models import Channel
from channels.tests.factories import ChannelFactory

FIXTURES = Path(__file__).parent / "fixtures"
API = "https://api.github.com"
REPO = "octo-org/octo-repo"
ISSUES_URL = f"{API}/repos/{REPO}/issues"
COMMENTS_URL = f"{API}/repos/{REPO}/issues/comments"
GRAPHQL_URL = f"{API}/graphql"
CONFIG: dict[str, Any] = {"repositories": [REPO], "backfill_hours": 24 * 30}
TOKEN = "github_pat_test_0123456789"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def meta(name: str) -> dict[str, Any]:
    return load("_responses_meta.json")[name]


def limits(*, remaining: int = 4922, reset_in: int = 3000, resource: str = "core") -> dict[str, str]:
    """The rate-limit headers recorded with `issues_page1.json`, the remaining count and reset as a test wants."""
    recorded = meta("issues_page1.json")["headers"]
    return {
        "X-RateLimit-Limit": recorded["X-RateLimit-Limit"],
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(int(time.time()) + reset_in),
        "X-RateLimit-Used": str(5000 - remaining),
        "X-RateLimit-Resource": resource,
    }


def github_channel(*, credentials: dict[str, Any] | None = None, **fields: Any) -> Channel:
    defaults = {"kind": "github", "config": dict(CONFIG), "our_accounts": ["desk-bot"], "cursor": {}}
    channel = ChannelFactory(**{**defaults, **fields})
    channel.credentials = {"token": TOKEN} if credentials is None else credentials
    channel.save()
    return channel


def issue(number: int, *, at: str, created: str | None = None, login: str = "octocat", **fields: Any) -> dict:
    """The recorded issue #3042 of `issues_with_pulls.json` as issue `number` of `REPO`, touched at `at`."""
    found = copy.deepcopy(load("issues_with_pulls.json")[2])
    base = f"{API}/repos/{REPO}/issues/{number}"
    found.update(
        url=base,
        repository_url=f"{API}/repos/{REPO}",
        comments_url=f"{base}/comments",
        html_url=f"https://github.com/{REPO}/issues/{number}",
        id=900_000 + number,
        node_id=f"I_kwTEST{number}",
        number=number,
        title=f"Provider fails on resource {number}",
        created_at=created or at,
        updated_at=at,
        author_association="NONE",
    )
    found.update(fields)
    found["user"] = {**found["user"], "login": login}
    return found


def pull(number: int, *, at: str) -> dict:
    """The recorded pull request #3045 of `issues_with_pulls.json` (an issue with ``pull_request``), renumbered."""
    found = copy.deepcopy(load("issues_with_pulls.json")[0])
    found.update(node_id=f"PR_kwTEST{number}", number=number, created_at=at, updated_at=at)
    found["html_url"] = f"https://github.com/{REPO}/pull/{number}"
    return found


def comment(
    comment_id: int, number: int, *, at: str, login: str = "octocat", association: str = "NONE", **fields: Any
) -> dict:
    """The recorded comment IC_kwDOADYVqs5wCowS of `issue_comments_page1.json` as comment `comment_id` on issue
    `number` of `REPO`."""
    found = copy.deepcopy(load("issue_comments_page1.json")[1])
    found.update(
        url=f"{API}/repos/{REPO}/issues/comments/{comment_id}",
        html_url=f"https://github.com/{REPO}/issues/{number}#issuecomment-{comment_id}",
        issue_url=f"{API}/repos/{REPO}/issues/{number}",
        id=comment_id,
        node_id=f"IC_kwTEST{comment_id}",
        body=f"Comment {comment_id}",
        created_at=at,
        updated_at=at,
        author_association=association,
    )
    found.update(fields)
    found["user"] = {**found["user"], "login": login}
    return found


def discussion_comment(node: str, *, at: str, login: str = "octocat", association: str = "NONE", **fields: Any) -> dict:
    """The recorded answer of discussion #2993 (`discussion_2993.json`, a DiscussionComment) as comment `node`, with
    the fields the adapter's query selects."""
    answer = load("discussion_2993.json")["data"]["node"]["answer"]
    found = {k: answer[k] for k in ("id", "url", "body", "createdAt", "updatedAt", "lastEditedAt")}
    found.update(id=node, url=f"https://github.com/{REPO}/discussions/7#discussioncomment-{node}", createdAt=at)
    found.update(
        updatedAt=at, authorAssociation=association, author={"login": login, "url": f"https://github.com/{login}"}
    )
    found["replies"] = {"nodes": []}
    found.update(fields)
    return found


def discussion(
    number: int, *, at: str, updated: str | None = None, comments: list[dict] | None = None, **fields: Any
) -> dict:
    """The recorded discussion #2993 (`discussion_2993.json`) as discussion `number` of `REPO`, with the fields the
    adapter's query selects."""
    node = load("discussion_2993.json")["data"]["node"]
    found = {k: node[k] for k in ("id", "number", "title", "body", "url", "createdAt", "updatedAt", "lastEditedAt")}
    found.update(
        id=f"D_kwTEST{number}",
        number=number,
        url=f"https://github.com/{REPO}/discussions/{number}",
        createdAt=at,
        updatedAt=updated or at,
        authorAssociation="NONE",
        author={"login": node["author"]["login"], "url": f"https://github.com/{node['author']['login']}"},
        labels={"nodes": [{"name": label["name"]} for label in node["labels"]["nodes"]]},
        comments={"nodes": comments or []},
    )
    found.update(fields)
    return found


def discussions_answer(nodes: list[dict], *, more: bool = False, end: str | None = "Y3Vyc29yOnYyOpK5") -> dict:
    """A GraphQL answer to the discussions query, in the recorded envelope (`discussions_page.json`)."""
    return {
        "data": {"repository": {"discussions": {"pageInfo": {"hasNextPage": more, "endCursor": end}, "nodes": nodes}}}
    }


def add_list(
    url: str,
    items: Any,
    *,
    headers: dict[str, str] | None = None,
    status: int = 200,
    match: dict[str, str] | None = None,
) -> None:
    matcher = [responses.matchers.query_param_matcher(match, strict_match=False)] if match else []
    responses.get(url, json=items, status=status, headers={**limits(), **(headers or {})}, match=matcher)


def sent_json(request: Any) -> Any:
    """The JSON body a recorded request sent."""
    assert request.body is not None, "the request sent a body"
    return json.loads(request.body)


def add_graphql(answer: Any, *, headers: dict[str, str] | None = None, status: int = 200) -> None:
    responses.post(GRAPHQL_URL, json=answer, status=status, headers={**limits(resource="graphql"), **(headers or {})})


def quiet_repository() -> None:
    """Empty lists and no discussions: a repository where nothing happened."""
    add_list(ISSUES_URL, [])
    add_list(COMMENTS_URL, [])
    add_graphql(discussions_answer([], end=None))
