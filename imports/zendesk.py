"""Zendesk's shapes read into the importer's records (imports.records). Every field used here is in Zendesk's
documented JSON (imports/SOURCES.md): tickets and users as the Incremental Export API and the JSON export give
them, comments as the Ticket Comments API gives them, macros' actions as the Actions reference lists them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from channels.text import html_to_text
from imports.records import (
    INBOUND,
    NOTE,
    PRIORITIES,
    PUBLIC,
    STATUSES,
    MacroRecord,
    MessageRecord,
    PersonRecord,
    TicketRecord,
)

AGENT_ROLES = {"agent", "admin"}
# Zendesk's placeholders that the desk's macro templates have (mentions.services.actions.template_render): the
# others stay as written, where an advocate sees them before sending.
PLACEHOLDERS = {
    "ticket.id": "{ticket_id}",
    "ticket.url": "{ticket_url}",
    "ticket.link": "{ticket_url}",
    "ticket.requester.name": "{requester}",
    "ticket.requester.first_name": "{requester}",
    "current_user.name": "{user}",
    "current_user.first_name": "{user}",
}
_PLACEHOLDER = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")


def when(value: Any) -> datetime | None:
    """Zendesk's ISO 8601 times ("2009-07-20T22:55:29Z"); None for a missing or unreadable one."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def organization_of(organization: Mapping[str, Any]) -> tuple[str, str, str]:
    return _key(organization.get("id")), str(organization.get("name") or ""), str(organization.get("updated_at") or "")


def _key(value: Any) -> str:
    return "" if value is None else str(value)


def person_of(user: Mapping[str, Any]) -> PersonRecord:
    return PersonRecord(
        key=_key(user.get("id")),
        name=str(user.get("name") or "")[:200],
        email=str(user.get("email") or "").strip().lower(),
        organization_key=_key(user.get("organization_id")),
        agent=user.get("role") in AGENT_ROLES,
        stamp=str(user.get("updated_at") or ""),
    )


def _body(comment: Mapping[str, Any]) -> str:
    # plain_body is the text without the HTML; older exports and the JSON export carry only body.
    return str(comment.get("plain_body") or comment.get("body") or "")


def message_of(comment: Mapping[str, Any]) -> MessageRecord | None:
    at = when(comment.get("created_at"))
    if at is None or comment.get("id") is None:
        return None
    kind = NOTE if comment.get("public") is False else PUBLIC
    return MessageRecord(_key(comment["id"]), _key(comment.get("author_id")), kind, _body(comment), at)


def _solved_at(ticket: Mapping[str, Any], status: str) -> datetime | None:
    # The ticket's metric set (sideloaded with include=metric_sets) says when it was solved; without it, a solved
    # ticket's last update is the nearest the export tells.
    metric = ticket.get("metric_set")
    if isinstance(metric, Mapping) and (solved := when(metric.get("solved_at"))):
        return solved
    return when(ticket.get("updated_at")) if status == "solved" else None


def ticket_of(ticket: Mapping[str, Any], comments: Iterable[Mapping[str, Any]] | None = None) -> TicketRecord | None:
    """The ticket and its conversation: `comments` from the Ticket Comments API, or None where the export carries
    them inline ("comments", the JSON export) or not at all (the description is then its one message)."""
    created = when(ticket.get("created_at"))
    if ticket.get("id") is None or created is None or ticket.get("status") == "deleted":
        return None
    key = _key(ticket["id"])
    status = STATUSES.get(str(ticket.get("status") or ""), "open")
    requester = _key(ticket.get("requester_id"))
    listed = comments if comments is not None else ticket.get("comments")
    messages = [m for c in (listed or []) if isinstance(c, Mapping) and (m := message_of(c))]
    if not messages and ticket.get("description"):
        messages = [MessageRecord(f"{key}-description", requester, INBOUND, str(ticket["description"]), created)]
    messages.sort(key=lambda m: (m.at, m.key))
    return TicketRecord(
        key=key,
        subject=str(ticket.get("subject") or ticket.get("raw_subject") or "")[:300],
        status=status,
        priority=PRIORITIES.get(str(ticket.get("priority") or ""), "normal"),
        created_at=created,
        requester_key=requester,
        solved_at=_solved_at(ticket, status),
        tags=[str(t) for t in ticket.get("tags") or [] if t],
        messages=messages,
        stamp=str(ticket.get("updated_at") or ""),
    )


def _template(text: str) -> str:
    return _PLACEHOLDER.sub(lambda m: PLACEHOLDERS.get(m.group(1), m.group(0)), text)


def _comment_text(value: Any) -> str:
    # comment_value is the text, or [channel, text] where the macro says which channel the comment is for.
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value or "")


def macro_of(macro: Mapping[str, Any]) -> MacroRecord:
    """A macro and the actions the desk has an equivalent of; the rest named in `unmapped` (docs/importing.md)."""
    actions: list[tuple[str, str]] = []
    unmapped: list[str] = []
    raw = [a for a in macro.get("actions") or [] if isinstance(a, Mapping)]
    private = any(a.get("field") == "comment_mode_is_public" and str(a.get("value")).lower() == "false" for a in raw)
    for action in raw:
        name, value = str(action.get("field") or ""), action.get("value")
        if name == "status" and STATUSES.get(str(value)):
            actions.append(("set_status", STATUSES[str(value)]))
        elif name in ("set_tags", "current_tags") and str(value or "").split():
            actions.append(("add_tags", " ".join(str(value).split())))
        elif name == "remove_tags" and str(value or "").split():
            actions.append(("remove_tags", " ".join(str(value).split())))
        elif name in ("comment_value", "comment_value_html") and _comment_text(value).strip():
            text = _comment_text(value)
            if name == "comment_value_html":
                # The text as the customer would read it: paragraphs and breaks kept, entities ("&amp;") decoded.
                text = html_to_text(text)
            actions.append(("add_note" if private else "prefill_reply", _template(text)))
        elif name == "assignee_id" and value == "current_user":
            actions.append(("assign_to_me", ""))
        elif name != "comment_mode_is_public":
            unmapped.append(f"{name} = {value}")
    return MacroRecord(
        key=_key(macro.get("id")),
        title=str(macro.get("title") or "")[:120],
        description=str(macro.get("description") or ""),
        active=macro.get("active") is not False,
        position=int(macro.get("position") or 0),
        actions=actions,
        unmapped=unmapped,
        stamp=str(macro.get("updated_at") or ""),
    )
