"""Zendesk read through its API with an admin's e-mail address and API token, through the desk's HTTP layer
(channels.http: the fetch guard, timeouts, retries and the status ladder): organizations, users and tickets from
the Incremental Export API (cursor-based for users and tickets, time-based for organizations, the only way
Zendesk exports them), each ticket's comments from the Ticket Comments API, and the macros. The token is given
to the session's authentication only: never stored, logged or put in a message."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import requests

from channels.adapters.base import PayloadError, PermanentError
from channels.http import build_session, fetch_json
from imports.models import ExternalRef, ImportRun
from imports.records import Quarantined
from imports.refs import refs_of
from imports.services import MACROS, ORGANIZATIONS, TICKETS, USERS, Page, done
from imports.zendesk import macro_of, organization_of, person_of, ticket_of

SUBDOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
PER_PAGE = 100  # the most the macros' and comments' lists give a page


def subdomain_clean(value: str) -> str:
    """The account's subdomain ("acme" of acme.zendesk.com), checked: it becomes part of the address asked."""
    value = (value or "").strip().lower().removesuffix(".zendesk.com")
    if not SUBDOMAIN.match(value):
        raise ValueError("A Zendesk subdomain: letters, digits and dashes, e.g. acme for acme.zendesk.com.")
    return value


def _objects(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [item for item in data.get(key) or [] if isinstance(item, dict)]


class ZendeskApi:
    def __init__(self, *, subdomain: str, email: str, token: str, session: requests.Session | None = None) -> None:
        self.base = f"https://{subdomain_clean(subdomain)}.zendesk.com/api/v2"
        self.session = session or build_session()
        self.session.auth = (f"{email}/token", token)
        self.token = token

    def get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        label = f"Zendesk {path}"
        _response, data = fetch_json(
            self.session, f"{self.base}{path}", label=label, params=params, secret=self.token, not_json="Zendesk's API"
        )
        if not isinstance(data, dict):
            raise PayloadError(f"{label}: the answer is not a JSON object")
        return data

    def comments(self, ticket_id: Any) -> list[dict[str, Any]]:
        """A ticket's comments, every page of them, oldest first."""
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            data = self.get(f"/tickets/{int(ticket_id)}/comments.json", {"page": page, "per_page": PER_PAGE})
            found += _objects(data, "comments")
            if not data.get("next_page"):
                return found
            page += 1

    def _cursor_stream(self, path: str, cursor: Any, extra: dict[str, Any]) -> Iterator[tuple[dict, Any, bool]]:
        """Each page of a cursor-based incremental export: its JSON, the cursor after it, whether it is the last."""
        params: dict[str, Any] = {"cursor": cursor, **extra} if cursor else {"start_time": 0, **extra}
        while True:
            data = self.get(path, params)
            after, end = data.get("after_cursor"), bool(data.get("end_of_stream"))
            yield data, after or cursor, end or not after
            if end or not after:
                return
            params, cursor = {"cursor": after, **extra}, after

    def pages(self, run: ImportRun) -> Iterator[Page]:
        if not done(run, ORGANIZATIONS):
            start = int(run.cursor.get(ORGANIZATIONS) or 0)
            while True:
                data = self.get("/incremental/organizations.json", {"start_time": start})
                items = [organization_of(o) for o in _objects(data, "organizations")]
                end, following = bool(data.get("end_of_stream")), int(data.get("end_time") or start)
                last = end or following <= start  # a page that moves no further ends the stream too
                yield Page(ORGANIZATIONS, items, cursor=following, done=last)
                if last:
                    break
                start = following
        if not done(run, USERS):
            for data, cursor, end in self._cursor_stream("/incremental/users/cursor.json", run.cursor.get(USERS), {}):
                yield Page(USERS, [person_of(u) for u in _objects(data, "users")], cursor=cursor, done=end)
        if not done(run, MACROS):
            page = int(run.cursor.get(MACROS) or 0) + 1
            while True:
                data = self.get("/macros.json", {"page": page, "per_page": PER_PAGE})
                last = not data.get("next_page")
                yield Page(MACROS, [macro_of(m) for m in _objects(data, "macros")], cursor=page, done=last)
                if last:
                    break
                page += 1
        if not done(run, TICKETS):
            include = {"include": "metric_sets"}
            stream = self._cursor_stream("/incremental/tickets/cursor.json", run.cursor.get(TICKETS), include)
            for data, cursor, end in stream:
                metrics = {m.get("ticket_id"): m for m in _objects(data, "metric_sets")}
                tickets = [t for t in _objects(data, "tickets") if t.get("status") != "deleted"]
                known = refs_of(run.source, ExternalRef.Kind.TICKET, [str(t.get("id")) for t in tickets])
                records = []
                for ticket in tickets:
                    ticket.setdefault("metric_set", metrics.get(ticket.get("id")))
                    # A ticket imported before and unchanged since is skipped by the writer: its comments are not
                    # asked for (a request each, against the account's rate limit, on every later run).
                    stored = known.get(str(ticket.get("id")))
                    unchanged = stored is not None and stored[1] == str(ticket.get("updated_at") or "")
                    records.append(ticket_of(ticket, [] if unchanged else self.comments(ticket["id"])))
                kept = [r for r in records if r is not None]
                unread = [Quarantined("API: tickets", None, "no id, or no readable created_at", str(t.get("id") or ""))
                          for t, r in zip(tickets, records, strict=True) if r is None]  # fmt: skip
                yield Page(TICKETS, kept, cursor=cursor, done=end, quarantined=unread)


def api_pages(token: str, session: requests.Session | None = None) -> Callable[[ImportRun], Iterator[Page]]:
    """The pages function for a run from the API (its subdomain and e-mail on the run, the token given)."""

    def pages(run: ImportRun) -> Iterator[Page]:
        if not token:
            raise PermanentError("No Zendesk API token: set ZENDESK_API_TOKEN.")
        yield from ZendeskApi(subdomain=run.subdomain, email=run.email, token=token, session=session).pages(run)

    return pages
