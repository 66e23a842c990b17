"""Apps that build on mentions take part in ingestion without mentions knowing them.

- experts registers who else counts as our team on a platform (the experts' own accounts) and what
  happens when one of them answers in a ticket (the outreach is answered, the ticket tagged and
  solved): experts.apps. Both run inside the ingest's transaction; the answer hook returns history
  events for the ingest to insert with its own.
- notifications registers the page's notices (Slack lines for new tickets and the rules that asked
  for one, queued inside the ingest's transaction), what is judged after an ingest committed (urgent
  tickets, pinged after hours) and what a poll's front-page stories mean: notifications.apps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from advocacy.enqueue import task_enqueue_on_commit

logger = logging.getLogger(__name__)

# (*, kind, handles) -> {lowercased handle: member id}
MembersHook = Callable[..., dict[str, Any]]
# (*, replies: [(stored Message, member id)]) -> [TicketEvent]
AnswersHook = Callable[..., list[Any]]
# (*, channel, new_tickets: [(ticket row, permalink)], rule_notices: [(destination, ticket row, rule, permalink)])
NoticesHook = Callable[..., Any]
# (*, ticket_ids, now, coverage) -> {figure: count}, in the worker after the ingest committed
AfterIngestHook = Callable[..., dict[str, int]]
# (*, channel, story_ids) -> Any, after a poll saw the channel's stories on a front page
FrontPageHook = Callable[..., Any]

_members: list[MembersHook] = []
_answers: list[AnswersHook] = []
_notices: list[NoticesHook] = []
_after_ingest: list[AfterIngestHook] = []
_front_page: list[FrontPageHook] = []

AFTER_INGEST_TASK = "intake.tickets_ingested"


def _add(hooks: list, hook: Callable | None) -> None:
    if hook is not None and hook not in hooks:
        hooks.append(hook)


def team_hooks_register(*, members: MembersHook, answers: AnswersHook) -> None:
    _add(_members, members)
    _add(_answers, answers)


def notice_hooks_register(
    *,
    notices: NoticesHook | None = None,
    after_ingest: AfterIngestHook | None = None,
    front_page: FrontPageHook | None = None,
) -> None:
    _add(_notices, notices)
    _add(_after_ingest, after_ingest)
    _add(_front_page, front_page)


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


def notices_enqueue(*, channel: Any, new_tickets: list[tuple[Any, str]], rule_notices: list[Any]) -> None:
    """Inside the ingest's transaction: each registered hook queues what it tells about the page."""
    for hook in _notices:
        hook(channel=channel, new_tickets=new_tickets, rule_notices=rule_notices)


def tickets_ingested_enqueue(*, ticket_ids: list[int]) -> None:
    """Inside the ingest's transaction: judge the tickets (SLA clocks, registered hooks) once it has
    committed, in a worker."""
    task_enqueue_on_commit(AFTER_INGEST_TASK, list(ticket_ids))


def tickets_after_ingest(*, ticket_ids: list[int], now: datetime | None = None) -> dict[str, int]:
    """After an ingest committed: move SLA clocks for what the triage rules changed, then what the
    registered hooks do with the tickets (urgency). Returns the figures of each."""
    from mentions.coverage import coverage_load
    from mentions.services.sla import SlaContext, tickets_sla_refresh

    coverage = coverage_load()
    figures = {"sla_moved": tickets_sla_refresh(ticket_ids=ticket_ids, context=SlaContext(coverage=coverage))}
    for hook in _after_ingest:
        figures.update(hook(ticket_ids=ticket_ids, now=now, coverage=coverage))
    return figures


def front_page_seen(*, channel: Any, story_ids: Iterable[str]) -> None:
    """A poll saw these stories of the channel on the platform's front page. A hook that fails is
    logged and never loses the poll: the next poll asks again."""
    for hook in _front_page:
        try:
            hook(channel=channel, story_ids=story_ids)
        except Exception:
            logger.exception("poll: channel=%s front-page stories could not be marked", channel.slug)
