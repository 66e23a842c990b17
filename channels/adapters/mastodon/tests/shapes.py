"""Mastodon statuses, notifications and answers for the tests, built from the recorded responses in `fixtures/`
(SOURCES.md): a copy of a recorded object with the fields a test is about replaced, nothing added. Headers are the
recorded ones (`Link`, `X-RateLimit-*`), with a reset time in the future.

People: the community member, the bystander and the expert are channels.tests.personas' (their Mastodon handles are
their names on this instance); the team's account is `TEAM`.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import responses
from responses import matchers

from channels.models import Account, Channel
from channels.tests.factories import ChannelFactory
from channels.tests.personas import BYSTANDER, EXPERT, MEMBER

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://social.example"
DOMAIN = "social.example"
TEAM = "gitlab"  # the team's account on the instance
ALICE, BOB, ERIN = MEMBER.name.lower(), BYSTANDER.name.lower(), EXPERT.name.split()[0].lower()
TOKEN = "desk-token-abc123"
# Our account's own replies are a stream of their own (test_mastodon_poll reads it); the other tests leave it out.
CONFIG: dict[str, Any] = {"base_url": BASE, "hashtags": ["gitlab"], "handles": [TEAM], "own_replies": False}
NOTIFICATIONS = f"{BASE}/api/v1/notifications"
TAG = f"{BASE}/api/v1/timelines/tag/gitlab"
SEARCH = f"{BASE}/api/v2/search"
STATUSES = f"{BASE}/api/v1/statuses"
ME = f"{BASE}/api/v1/accounts/verify_credentials"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def iso(at: datetime) -> str:
    """A time as Mastodon writes it: milliseconds and Z."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def ago(minutes: float) -> str:
    return iso(datetime.now(tz=UTC) - timedelta(minutes=minutes))


def rate(remaining: int = 299, *, limit: int = 300, reset_in: int = 240) -> dict[str, str]:
    """The recorded rate-limit headers (`_responses_meta.json`), reset `reset_in` seconds from now."""
    reset = (datetime.now(tz=UTC) + timedelta(seconds=reset_in)).isoformat(timespec="microseconds")
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": reset.replace("+00:00", "Z"),
    }


def account(acct: str, *, followers: int = 0) -> dict[str, Any]:
    """The recorded account of `tag_timeline_hoot.json` as `acct` (name, or name@server for another server's)."""
    found = copy.deepcopy(load("tag_timeline_hoot.json")[0]["account"])
    name, _, server = acct.partition("@")
    home = f"https://{server}" if server else BASE
    found.update(
        id=str(int(hashlib.sha256(acct.encode()).hexdigest()[:12], 16)),
        username=name,
        acct=acct,
        display_name=name.capitalize(),
        url=f"{home}/@{name}",
        uri=f"{home}/users/{name}",
        followers_count=followers,
    )
    return found


def status(
    status_id: int | str,
    *,
    at: str,
    acct: str = ALICE,
    html: str = "<p>Is the runner down?</p>",
    visibility: str = "public",
    reply_to: int | str | None = None,
    followers: int = 0,
    **fields: Any,
) -> dict[str, Any]:
    """The recorded status of `tag_timeline_hoot.json` as status `status_id` by `acct`."""
    found = copy.deepcopy(load("tag_timeline_hoot.json")[0])
    author = account(acct, followers=followers)
    found.update(
        id=str(status_id),
        created_at=at,
        content=html,
        visibility=visibility,
        in_reply_to_id=None if reply_to is None else str(reply_to),
        account=author,
        uri=f"{author['uri']}/statuses/{status_id}",
        url=f"{author['url']}/{status_id}",
        tags=[],
        **fields,
    )
    return found


def mention(notification_id: int, status_: dict[str, Any]) -> dict[str, Any]:
    """The recorded mention notification (`notifications_mentions.json`) carrying `status_`."""
    found = copy.deepcopy(load("notifications_mentions.json")[0])
    found.update(
        id=str(notification_id),
        created_at=status_["created_at"],
        group_key=f"ungrouped-{notification_id}",
        account=status_["account"],
        status=status_,
    )
    return found


def search_result(statuses: list[dict[str, Any]]) -> dict[str, Any]:
    """The recorded search answer (`search_statuses_empty.json`) with `statuses` in it."""
    return {**load("search_statuses_empty.json"), "statuses": statuses}


def link(url: str, items: list[dict[str, Any]], params: dict[str, str] | None = None) -> dict[str, str]:
    """Mastodon's `Link` header for a page of `items` (newest first): rel next `max_id`, rel prev `min_id`."""
    if not items:
        return {}
    query = params or {}
    older = f"{url}?{urlencode({**query, 'max_id': items[-1]['id']})}"
    newer = f"{url}?{urlencode({**query, 'min_id': items[0]['id']})}"
    return {"Link": f'<{older}>; rel="next", <{newer}>; rel="prev"'}


def answer(url: str, items: Any, query: dict[str, str] | None = None, *, headers: dict[str, str] | None = None) -> None:
    """`url` answers `items` (a list: with its `Link`) when asked with at least `query`."""
    more = link(url, items) if isinstance(items, list) else {}
    match = [matchers.query_param_matcher(query, strict_match=False)] if query else []
    responses.get(url, json=items, headers={**rate(), **more, **(headers or {})}, match=match)


def channel(*, config: dict[str, Any] | None = None, our_accounts: list[str] | None = None, **options: Any) -> Channel:
    made = ChannelFactory(
        kind="mastodon",
        name=options.pop("name", "Mastodon"),
        slug=options.pop("slug", "mastodon"),
        config=dict(config or CONFIG),
        our_accounts=our_accounts if our_accounts is not None else [],
        **options,
    )
    made.credentials = {"access_token": TOKEN}
    made.save()
    return made


def connected(made: Channel, username: str = f"{TEAM}@{DOMAIN}", token: str = "account-token-1") -> Account:  # noqa: S107
    """An account of `made` connected with `token` (what the OAuth flow or the channel's token stores)."""
    from channels.accounts.oauth import Grant
    from channels.accounts.tokens import account_connect

    found = Account.objects.create(channel=made, username=username)
    return account_connect(account=found, grant=Grant(access_token=token, username=username))
