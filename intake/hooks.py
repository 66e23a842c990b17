"""Apps above intake take part in ingestion without intake knowing them: the hooks intake calls, declared
here as Protocols (advocacy.hooks), registered in the registering app's `AppConfig.ready()`.

- experts registers who else counts as our team on a platform (the experts' own accounts and those tied to
  a desk user, `TeamMembersHook`) and what happens when one of them answers in a ticket (`TeamAnswersHook`: the
  outreach is answered, the ticket tagged and solved). Both run inside the ingest's transaction; the
  answer hook returns history events for the ingest to insert with its own.
- people ties every inbound message of the page to the person who wrote it and each new ticket to its
  requester (`AuthorsHook`), inside the ingest's transaction, before the triage rules run; it answers with
  what the rules and the tickets need to know of those people (their tags). It also credits the helpers whose
  accepted answers marked tickets answered by the community (`CommunityAnswersHook`: a forum-answer
  contribution on their person).
- notifications registers what a team member's answer after a share to Slack settles (`TeamAnswersHook`),
  the page's notices (`TicketNoticesHook`: Slack lines for new tickets and the
  rules that asked for one, queued inside the ingest's transaction), what is judged after an ingest
  committed (`AfterIngestHook`: urgent tickets, pinged after hours) and what a poll's front-page stories
  mean (`FrontPageHook`).

docs/architecture.md lists them with the other apps' hooks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from django.db import transaction

from advocacy.enqueue import task_enqueue
from advocacy.hooks import Hooks
from mentions.rules import handle_key

if TYPE_CHECKING:
    import requests

    from channels.models import Channel
    from intake.pipeline.page import TicketRow
    from mentions.coverage import Coverage
    from mentions.models import TicketEvent

logger = logging.getLogger(__name__)

AFTER_INGEST_TASK = "intake.tickets_ingested"
JUDGEMENT_TASK = "mentions.judgement_run"


class StoredReply(Protocol):
    """A message of the page just stored, as the answers hook reads it."""

    pk: int
    ticket_id: int | None
    external_id: str
    platform_created_at: datetime
    permalink: str


@dataclass(frozen=True, slots=True)
class Author:
    """An inbound message of the page, by someone outside the team, as the people hook reads it."""

    message_id: int
    ticket_id: int | None
    opens_ticket: bool  # the first message of a ticket this page opens: its author is the requester
    handle: str
    name: str
    url: str
    at: datetime
    # The account's weight as the item carries it (X followers, Stack Exchange reputation), else None.
    audience: int | None = None
    audience_kind: str = ""


@dataclass(frozen=True, slots=True)
class AuthorFacts:
    """What the page's rules and tickets take from an author's person."""

    labels: frozenset[str] = frozenset()  # the person's tags, for the rules' "author tags" condition
    ticket_tags: frozenset[str] = frozenset()  # tags their tickets take as they arrive (spam)
    # The person's weight: the largest audience of their identities (this page's figure included), for the
    # rules' "author audience at least" condition and the ticket's requester_audience (Play's order).
    audience: int | None = None
    # The order of the person's level in the contributor journey (people.journey), this page's activities
    # counted: for the rules' "requester level at least" and the ticket's requester_level (Play's order).
    level: int | None = None


@dataclass(frozen=True, slots=True)
class CommunityAnswered:
    """An answer by someone outside the team, accepted or thanked for by the asker, that marked its ticket answered
    by the community (intake.pipeline.accepted), as the community hook reads it."""

    message_id: int
    ticket_id: int
    link: str  # the answer's permalink
    at: datetime  # when it was posted on the platform
    thanks_id: int | None = None  # the asker's reply that thanked for it, where no accepting marked it


class AuthorsHook(Protocol):
    """Tie `authors` (the page's inbound messages by people outside the team) to their people inside the
    ingest's transaction; answer {author handle as written: facts} for the authors whose person has any."""

    def __call__(self, *, channel: Channel, authors: list[Author]) -> dict[str, AuthorFacts]: ...


class KarmaHook(Protocol):
    """After a poll stored its pages: weigh the authors (`handles`, as written) whose items did not carry their
    weight (Hacker News, Reddit: their karma), at most `budget` lookups through `session`. Returns the lookups
    made. Outside the ingest's transaction: never a request inside it, never one per mention."""

    def __call__(self, *, channel: Channel, handles: list[str], session: requests.Session, budget: int) -> int: ...


@dataclass(frozen=True, slots=True)
class TeamMember:
    """Who a team member is, as far as the desk knows: the expert in the directory and the desk user the
    account is tied to. Either may be unknown, never both (such an author is not a member)."""

    expert_id: int | None = None
    user_id: int | None = None


class TeamMembersHook(Protocol):
    """Who among `handles` (as written on `kind`) answers for the team besides the channel's own accounts:
    {lowercased handle without "@": member}. Inside the ingest's transaction."""

    def __call__(self, *, kind: str, handles: set[str]) -> dict[str, TeamMember]: ...


class TeamAnswersHook(Protocol):
    """The replies members wrote in this page, (stored reply, member): what they settle. Returns unsaved
    TicketEvents for the ingest to insert with its own. Inside the ingest's transaction."""

    def __call__(self, *, replies: list[tuple[StoredReply, TeamMember]]) -> list[TicketEvent]: ...


class CommunityAnswersHook(Protocol):
    """The page's accepted answers that marked their tickets answered by the community, each once: what they
    credit their authors with. Inside the ingest's transaction."""

    def __call__(self, *, answers: list[CommunityAnswered]) -> object: ...


class TicketNoticesHook(Protocol):
    """What the page's new tickets, (ticket row, permalink of its first message), and the rules' notices,
    (destination, ticket row, rule, permalink), tell people: queued inside the ingest's transaction (in a
    savepoint: a failure is logged, the mentions are stored)."""

    def __call__(
        self,
        *,
        channel: Channel,
        new_tickets: list[tuple[TicketRow, str]],
        rule_notices: list[tuple[str, TicketRow, str, str]],
    ) -> object: ...


class AfterIngestHook(Protocol):
    """In a worker, after an ingest committed and the SLA clocks moved: what the tickets' new state means
    (urgency). Returns its figures, {name: count}."""

    def __call__(self, *, ticket_ids: list[int], now: datetime | None, coverage: Coverage) -> dict[str, int]: ...


class FrontPageHook(Protocol):
    """A poll saw these stories of the channel on the platform's front page (Hacker News)."""

    def __call__(self, *, channel: Channel, story_ids: Iterable[str]) -> object: ...


authors_hooks: Hooks[AuthorsHook] = Hooks(AuthorsHook)
team_members_hooks: Hooks[TeamMembersHook] = Hooks(TeamMembersHook)
team_answers_hooks: Hooks[TeamAnswersHook] = Hooks(TeamAnswersHook)
community_answers_hooks: Hooks[CommunityAnswersHook] = Hooks(CommunityAnswersHook)
ticket_notices_hooks: Hooks[TicketNoticesHook] = Hooks(TicketNoticesHook)
after_ingest_hooks: Hooks[AfterIngestHook] = Hooks(AfterIngestHook)
front_page_hooks: Hooks[FrontPageHook] = Hooks(FrontPageHook)
karma_hooks: Hooks[KarmaHook] = Hooks(KarmaHook)


def authors_tie(*, channel: Channel, authors: list[Author]) -> dict[str, AuthorFacts]:
    facts: dict[str, AuthorFacts] = {}
    for hook in authors_hooks:
        for handle, found in hook(channel=channel, authors=authors).items():
            known = facts.get(handle)
            facts[handle] = (
                found
                if known is None
                else AuthorFacts(known.labels | found.labels, known.ticket_tags | found.ticket_tags)
            )
    return facts


def team_members(*, kind: str, handles: Iterable[str]) -> dict[str, TeamMember]:
    """Who among `handles` answers for the team on `kind` besides the channel's own accounts: the one
    decision, for the ingest and the thread watcher alike."""
    wanted = {h for h in handles if h}
    found: dict[str, TeamMember] = {}
    for hook in team_members_hooks:
        found.update(hook(kind=kind, handles=wanted))
    return found


def team_member(handle: str, members: dict[str, TeamMember]) -> TeamMember | None:
    return members.get(handle_key(handle))


def team_answers_record(*, replies: list[tuple[StoredReply, TeamMember]]) -> list[TicketEvent]:
    events: list[TicketEvent] = []
    for hook in team_answers_hooks:
        events.extend(hook(replies=replies))
    return events


def community_answers_record(*, answers: list[CommunityAnswered]) -> None:
    """Inside the ingest's transaction: each registered hook takes the page's new community answers."""
    for hook in community_answers_hooks:
        hook(answers=answers)


def notices_enqueue(
    *, channel: Channel, new_tickets: list[tuple[TicketRow, str]], rule_notices: list[tuple[str, TicketRow, str, str]]
) -> None:
    """Inside the ingest's transaction: each registered hook queues what it tells about the page."""
    for hook in ticket_notices_hooks:
        hook(channel=channel, new_tickets=new_tickets, rule_notices=rule_notices)


def tickets_ingested_enqueue(*, ticket_ids: list[int]) -> None:
    """Inside the ingest's transaction: judge the tickets (SLA clocks, registered hooks) once it has
    committed, in a worker; and judge what each new mention is (mentions.judgement), in its own task so the
    embedding never delays the clocks and a failure there never holds them."""
    ids = list(ticket_ids)

    def enqueue() -> None:
        # One callback for both: a broker that is down is logged (robust) and beat's runs catch up.
        task_enqueue(AFTER_INGEST_TASK, ids)
        task_enqueue(JUDGEMENT_TASK, ids)

    transaction.on_commit(enqueue, robust=True)


def tickets_after_ingest(*, ticket_ids: list[int], now: datetime | None = None) -> dict[str, int]:
    """After an ingest committed: move SLA clocks for what the triage rules changed, then what the
    registered hooks do with the tickets (urgency). Returns the figures of each."""
    from mentions.coverage import coverage_load
    from mentions.services.sla import SlaContext, tickets_sla_refresh

    coverage = coverage_load()
    figures = {"sla_moved": tickets_sla_refresh(ticket_ids=ticket_ids, context=SlaContext(coverage=coverage))}
    for hook in after_ingest_hooks:
        figures.update(hook(ticket_ids=ticket_ids, now=now, coverage=coverage))
    return figures


def front_page_seen(*, channel: Channel, story_ids: Iterable[str]) -> None:
    """A poll saw these stories of the channel on the platform's front page. A hook that fails is
    logged and never loses the poll: the next poll asks again."""
    for hook in front_page_hooks:
        try:
            hook(channel=channel, story_ids=story_ids)
        except Exception:
            logger.exception("poll: channel=%s front-page stories could not be marked", channel.slug)


def authors_weigh(*, channel: Channel, handles: list[str], session: requests.Session, budget: int) -> int:
    """A poll's authors weighed by the apps registered for it (people: their karma); the lookups made. A hook
    that fails is logged and never loses the poll: the next poll asks again for those still unknown."""
    made = 0
    for hook in karma_hooks:
        try:
            made += hook(channel=channel, handles=handles, session=session, budget=budget)
        except Exception:
            logger.exception("poll: channel=%s its authors' karma could not be looked up", channel.slug)
    return made
