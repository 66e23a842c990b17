"""Apps that build on mentions take part in ingestion without mentions knowing them.

experts registers who else counts as our team on a platform (the experts' own accounts) and what
happens when one of them answers in a ticket (the outreach is answered, the ticket tagged and
solved): experts.apps. Both run inside the ingest's transaction; the answer hook returns history
events for the ingest to insert with its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# (*, kind, handles) -> {lowercased handle: member id}
MembersHook = Callable[..., dict[str, Any]]
# (*, replies: [(stored Message, member id)]) -> [TicketEvent]
AnswersHook = Callable[..., list[Any]]

_members: list[MembersHook] = []
_answers: list[AnswersHook] = []


def team_hooks_register(*, members: MembersHook, answers: AnswersHook) -> None:
    if members not in _members:
        _members.append(members)
    if answers not in _answers:
        _answers.append(answers)


def team_members(*, kind: str, handles: Iterable[str]) -> dict[str, Any]:
    """Who among `handles` answers for the team on `kind` besides the channel's own accounts."""
    handles = set(handles)
    found: dict[str, Any] = {}
    for hook in _members:
        found.update(hook(kind=kind, handles=handles))
    return found


def team_member(handle: str, members: dict[str, Any]) -> Any | None:
    return members.get((handle or "").strip().lstrip("@").casefold())


def team_answers_record(*, replies: list[tuple[Any, Any]]) -> list[Any]:
    events: list[Any] = []
    for hook in _answers:
        events.extend(hook(replies=replies))
    return events
