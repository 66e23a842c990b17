"""What the ingest stages pass along: one page of mentions and the sets each stage adds to it.

No model instance per row: a stored or new ticket the page touches is a `TicketRow` (the
columns the stages read and write), a mention being stored is an `Item` (the cleaned mention and
what the stages decide about it), a history event is a tuple. The stages fill these in order;
`store` and `history` write them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from django.conf import settings

from channels.adapters.base import IncomingMention
from channels.models import Channel
from intake.pipeline.versions import version_key
from mentions.models import Ticket
from mentions.models.tickets import ticket_path
from mentions.products import DeskProducts, products_read


@dataclass
class IngestResult:
    received: int = 0
    created: int = 0
    duplicates: int = 0
    tickets_created: int = 0
    threaded: int = 0
    our_replies: int = 0
    # Items kept in the dead-letter table instead of stored (intake.services.quarantine).
    quarantined: int = 0
    # Stored items whose text changed on the platform since (an edit, with or without a time).
    edited: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def add(self, other: IngestResult) -> None:
        """Sum another batch's figures into this one (a poll that stores several chunks)."""
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


# The ticket columns a TicketRow carries: what the stages read of a stored ticket and write
# for a new one.
TICKET_ROW_COLUMNS = (
    "channel_id",
    "subject",
    "status",
    "priority",
    "high_priority",
    "assignee_id",
    "requester_handle",
    "requester_name",
    "requester_url",
    "reply_draft",
    "reply_from_role",
    "requested_at",
    "first_reply_at",
    "first_reply_seconds",
    "first_reply_business_seconds",
    "solved_at",
    "sla_due_at",
    "sla_target",
    "sla_breached",
    "followup_at",
    "requester_audience",
    "requester_level",
    "snoozed_until",
    "snoozed_until_reply",
    "snooze_remind_slack",
    "next_reply_due_at",
    "product_id",
)


class TicketRow:
    """A ticket the page opens (`new`) or changes (loaded with its row lock): the columns the
    stages read and write, with the few Ticket methods they use."""

    __slots__ = ("pk", *TICKET_ROW_COLUMNS, "new", "changed", "first_external_id", "tags")

    # The columns' types, as Ticket's fields give them (TICKET_ROW_COLUMNS).
    pk: int  # a new ticket's is reserved by store.ids_take, before any stage reads it
    channel_id: int
    subject: str
    status: str
    priority: str
    high_priority: bool
    assignee_id: int | None
    requester_handle: str
    requester_name: str
    requester_url: str
    reply_draft: str
    reply_from_role: str
    requested_at: datetime
    first_reply_at: datetime | None
    first_reply_seconds: int | None
    first_reply_business_seconds: int | None
    solved_at: datetime | None
    sla_due_at: datetime | None
    sla_target: str
    sla_breached: bool
    followup_at: datetime | None
    requester_audience: int | None
    requester_level: int | None
    snoozed_until: datetime | None
    snoozed_until_reply: bool
    snooze_remind_slack: bool
    next_reply_due_at: datetime | None
    product_id: int | None  # set for a new ticket by the thread stage (mentions.products); empty: the first product
    new: bool
    changed: bool
    first_external_id: str
    tags: dict[str, str]  # tags the rules add: name -> rule

    HIGH_PRIORITIES = Ticket.HIGH_PRIORITIES
    priority_set = Ticket.priority_set

    def __init__(self, **values: Any) -> None:
        self.assignee_id = None
        self.reply_draft = self.reply_from_role = self.sla_target = ""
        self.first_reply_at = self.first_reply_seconds = self.first_reply_business_seconds = None
        self.solved_at = self.sla_due_at = self.followup_at = self.requester_audience = self.requester_level = None
        self.sla_breached = self.snoozed_until_reply = self.snooze_remind_slack = False
        self.snoozed_until = self.next_reply_due_at = self.product_id = None
        self.new = False
        self.changed = False
        self.first_external_id = ""
        self.tags = {}
        for name, value in values.items():
            setattr(self, name, value)

    def get_absolute_url(self) -> str:
        return ticket_path(self.pk)

    def get_desk_url(self) -> str:
        # Reversed once per process and prefix (ticket_path caches the template).
        return f"{settings.DESK_BASE_URL}{self.get_absolute_url()}"


# A mention's place: a stored ticket (its id), a ticket this page opens, or no ticket.
Ref = int | TicketRow | None


def ticket_id(ref: Ref) -> int | None:
    return ref.pk if isinstance(ref, TicketRow) else ref


class Item:
    """One fresh mention being stored: the mention (cleaned once, at the boundary, so its values are the
    columns as stored) and what the stages decide about it."""

    __slots__ = ("kind", "member", "mention", "ours", "pk", "ticket")

    pk: int  # reserved by store.ids_take, before any stage reads it

    def __init__(self, mention: IncomingMention) -> None:
        self.mention = mention
        self.kind = ""
        self.ticket: Ref = None
        self.ours = False
        self.member: Any = None  # a registered team member (an expert, a desk user's account) who wrote it

    @property
    def external_id(self) -> str:
        return self.mention.external_id

    @property
    def created_at(self) -> datetime:
        return self.mention.created_at


Event = tuple[int, str, dict[str, Any]]  # (ticket id, TicketEvent.Kind, data)


@dataclass
class Page:
    channel: Channel
    now: datetime
    result: IngestResult
    coverage_loader: Callable[[], Any]
    # validate
    unique: dict[str, IncomingMention] = field(default_factory=dict)
    # lookup: stored external id -> ticket id (None: stored outside any ticket)
    known: dict[str, int | None] = field(default_factory=dict)
    refs: dict[str, Ref] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    # thread
    new_tickets: list[TicketRow] = field(default_factory=list)
    answered_new: list[TicketRow] = field(default_factory=list)  # new tickets whose latest message is ours
    stored_tickets: dict[int, TicketRow] = field(default_factory=dict)  # locked and loaded by clocks
    followed: dict[int, list[Item]] = field(default_factory=dict)  # stored ticket -> its inbound follow-ups
    replied: dict[int, Item] = field(default_factory=dict)  # stored ticket -> earliest reply of ours
    ours_latest: dict[Any, datetime] = field(default_factory=dict)
    inbound_latest: dict[Any, datetime] = field(default_factory=dict)
    linked: list[tuple[Any, IncomingMention]] = field(default_factory=list)  # desk replies now seen
    # authors: what the people hook said of the page's authors, by handle as written
    author_facts: dict[str, Any] = field(default_factory=dict)
    # triage and clocks
    notes: list[tuple[TicketRow, str, str, str]] = field(default_factory=list)  # (ticket, author, body, rule)
    # (destination, ticket, rule, permalink)
    rule_notices: list[tuple[str, TicketRow, str, str]] = field(default_factory=list)
    tag_ids: dict[str, int] = field(default_factory=dict)  # the rules' tags
    late: list[TicketRow] = field(default_factory=list)  # first reply after the due time
    events: list[Event] = field(default_factory=list)
    rule_events: list[Event] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)  # tickets judged for urgency after commit
    # The next reply's clocks (mentions.services.next_reply): waits the follow-ups start, our replies that end them
    waits: list[Any] = field(default_factory=list)
    wait_answers: list[tuple[int, datetime]] = field(default_factory=list)
    woken: list[Any] = field(default_factory=list)  # snoozed tickets a follow-up woke, their owner to remind in Slack

    @cached_property
    def coverage(self) -> Any:
        return self.coverage_loader()

    @cached_property
    def _posts(self) -> dict[Any, list[Item]]:
        # Read after the thread stage has placed every item (page.items is final then).
        posts: dict[Any, list[Item]] = {}
        for item in self.items:
            if item.ticket is not None and (item.ours or not item.mention.deleted):
                posts.setdefault(item.ticket, []).append(item)
        return posts

    def posts_of(self, ref: int | TicketRow) -> list[Item]:
        """The page's posts on one ticket (a stored one's id, or a new one): ours, and the inbound ones still
        there (a post deleted before we saw it asks nothing)."""
        return self._posts.get(ref, [])

    @cached_property
    def products(self) -> DeskProducts:
        """The desk's products, read once for a page that opens tickets (mentions.products: one query)."""
        return products_read()

    @cached_property
    def target_hours(self) -> dict[str, float]:
        from mentions.models import Target

        return Target.hours()

    @cached_property
    def version_key(self) -> str:
        """The raw key numbering the channel's item versions (X: "id"), or "" (`intake.pipeline.versions`)."""
        return version_key(self.channel.kind)

    def event(self, ticket: TicketRow | int, kind: str, data: dict[str, Any]) -> None:
        self.events.append((ticket if isinstance(ticket, int) else ticket.pk, kind, data))

    @property
    def followups(self) -> list[tuple[TicketRow, Item]]:
        return [(self.stored_tickets[t], item) for t, items in self.followed.items() for item in items]
