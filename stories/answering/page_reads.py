"""Reads for the story pages, the ticket page's story panel and the queue's stories: a fixed number of queries
whatever a story's size."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils import timezone

from advocacy.prepared import Prepared
from channels.adapters.registry import platform_or_default
from channels.models import Channel
from mentions.models import Message, Ticket
from mentions.products import of_product
from stories.answering.drafts import reply_rule
from stories.models import Membership, Story, StoryReply

FIRST_LINES = 280  # of a ticket's first mention, on the story page
STALLED_AFTER = timedelta(minutes=2)
SHORT_LIMIT = 1000  # a platform whose replies are at most this long shows a draft's length
DRAFT_LINE = 52  # characters a draft's box shows on a line


def platform_short(kind: str) -> str:
    """The platform's name as a line of counts says it ("X 8, Reddit 4, HN 2"): its declared short label."""
    return platform_or_default(kind).counted_name


@dataclass(frozen=True)
class PlatformCount:
    kind: str
    label: str
    tickets: int

    def __str__(self) -> str:
        return f"{self.label} {self.tickets}"


def _waiting_tickets(product_id: int | None) -> QuerySet[Ticket]:
    """The tickets Play can still serve (waiting, unassigned), of one product when narrowed (issue 71: the desk's
    first product holds the tickets without one, DeskProducts.tickets_q)."""
    return of_product(Ticket.objects.filter(status__in=Ticket.WAITING_STATUSES, assignee__isnull=True), product_id)


def stories_counts(
    story_ids: list[int], *, product_id: int | None = None
) -> dict[int, tuple[list[PlatformCount], int]]:
    """Each story's tickets per platform (most first) and how many of its tickets Play can still serve (waiting,
    unassigned; narrowed to a product, that product's only): two queries, over those stories' memberships only (the
    membership story index), never the whole queue, then their channels' kinds. Each membership's ticket is looked
    up by primary key (its channel) and in ticket_waiting_id_idx (waiting?, index-only): as a join, the planner
    hashed every ticket of the table (4 times slower at 200,000 tickets), and reading the tickets into Python cost
    more than the join."""
    channel = Subquery(Ticket.objects.filter(pk=OuterRef("ticket_id")).order_by().values("channel_id")[:1])
    waits = Exists(_waiting_tickets(product_id).filter(pk=OuterRef("ticket_id")))
    rows = list(
        Membership.objects.filter(story_id__in=story_ids)
        .annotate(channel=channel, waits=waits)
        .values_list("story_id", "channel")
        .annotate(n=Count("pk"), waiting=Count("pk", filter=Q(waits=True)))
        .order_by()
    )
    kinds = dict(Channel.objects.filter(pk__in={c for _s, c, _n, _w in rows}).values_list("pk", "kind"))
    per_kind: dict[int, Counter[str]] = defaultdict(Counter)  # two channels of one platform count as one
    waiting: Counter[int] = Counter()
    for story_id, channel_id, n, waits_n in rows:
        per_kind[story_id][kinds[channel_id]] += n
        waiting[story_id] += waits_n
    return {
        pk: (
            sorted(
                (PlatformCount(kind=k, label=platform_short(k), tickets=n) for k, n in counts.items()),
                key=lambda c: (-c.tickets, c.label),
            ),
            waiting[pk],
        )
        for pk, counts in per_kind.items()
    }


def story_platforms(story_id: int) -> list[PlatformCount]:
    """One story's tickets per platform, most first: one query (the ticket page's story panel; a join is right for
    one story's tickets, stories_counts for many)."""
    rows = (
        Membership.objects.filter(story_id=story_id)
        .values_list("ticket__channel__kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = (PlatformCount(kind=kind, label=platform_short(kind), tickets=n) for kind, n in rows)
    return sorted(counts, key=lambda c: (-c.tickets, c.label))


def _counts_attach(stories: list[Story], *, product_id: int | None = None) -> list[Story]:
    counts = stories_counts([s.pk for s in stories], product_id=product_id)
    for story in stories:
        platforms, waiting = counts.get(story.pk, ([], 0))
        setattr(story, "platforms", platforms)  # noqa: B010 - for the template (docs/typing.md)
        setattr(story, "waiting", waiting)  # noqa: B010
    return stories


STORY_LIST = 100  # the newest live stories the list shows


def story_list(*, state: str = "") -> list[Story]:
    """Live stories (not merged into another), newest activity first, with `platforms` and `waiting` attached.
    Two queries whatever the number of stories and tickets: the newest STORY_LIST stories (story_live_idx, or
    story_state_last_idx for one state), then their memberships' counts (stories_counts)."""
    stories: QuerySet[Story] = Story.objects.filter(merged_into__isnull=True, size__gt=0)
    if state in Story.State.values:
        stories = stories.filter(state=state)
    return _counts_attach(list(stories.order_by("-last_at", "-pk")[:STORY_LIST]))


def queue_stories(*, limit: int = 8, product_id: int | None = None) -> list[Story]:
    """Stories not closed with tickets Play can still serve (waiting, unassigned), newest activity first. Three
    queries, none reading the whole queue: the stories walked newest first on story_queue_idx, each kept when one
    of its tickets waits (its newest memberships first, on membership_story_idx, each ticket by primary key),
    stopping at `limit`; then their counts (stories_counts).

    Narrowed to a product (the queue's ?product=, issue 71): the stories of that product and the desk-wide ones (no
    product: the desk's, any product, as Story.product says), each kept when one of that product's tickets waits,
    and counting only those. Another product's story is left out even when a ticket of this one joined it (the
    detector lets a ticket join another product's story when no other fits): it is that product's wave."""
    # A subquery with LIMIT stays a probe per story; EXISTS became a semi-join that read every waiting ticket.
    member = Membership.objects.filter(
        story_id=OuterRef("pk"), ticket__status__in=Ticket.WAITING_STATUSES, ticket__assignee__isnull=True
    )
    stories = Story.objects.filter(merged_into__isnull=True).exclude(state=Story.State.CLOSED)
    member = of_product(member, product_id, field="ticket__product")
    if product_id is not None:
        stories = stories.filter(Q(product_id=product_id) | Q(product__isnull=True))
    waiting_member = member.order_by("-created_at").values("pk")[:1]
    found: list[Story] = list(
        stories.alias(waiting_member=Subquery(waiting_member))
        .filter(waiting_member__isnull=False)
        .order_by("-last_at", "-pk")[:limit]
    )
    return _counts_attach(found, product_id=product_id) if found else found


def merge_targets(story: Story) -> list[Story]:
    """The live stories this one may be merged into, the most recent first."""
    return list(
        Story.objects.filter(merged_into__isnull=True, size__gt=0)
        .exclude(pk=story.pk)
        .exclude(state=Story.State.CLOSED)
        .order_by("-last_at")
        .only("pk", "title", "size", "last_at")[:50]
    )


@dataclass
class TimelineRow:
    membership: Membership
    ticket: Ticket
    platform: str
    first_lines: str
    reply: StoryReply | None = None
    handle: str = ""  # the requester's handle as the platform writes it (X: "@name")


@dataclass
class DraftRow:
    reply: StoryReply
    ticket: Ticket
    platform: str
    length: int
    limit: int | None
    uncertain: bool  # a post whose outcome is unknown: never posted again, mark it replied
    assigned_elsewhere: bool  # to another advocate: skipped unless a manager sends

    @property
    def posts(self) -> bool:
        return bool(self.reply.handle) and not self.uncertain

    @property
    def over(self) -> bool:
        return bool(self.posts and self.limit and self.length > self.limit)

    @property
    def show_length(self) -> bool:
        """The count matters where replies are short (X's 280) or this one is too long."""
        return bool(self.posts and self.limit and (self.limit <= SHORT_LIMIT or self.over))

    @property
    def rows(self) -> int:
        """Lines for the whole draft to show without scrolling, within reason."""
        lines = sum(1 + len(line) // DRAFT_LINE for line in self.reply.body.splitlines() or [""])
        return max(3, min(12, lines))

    @property
    def ticked(self) -> bool:
        """Sent to unless the advocate unticks it: tickets still waiting, not marked by an earlier skip."""
        return self.ticket.status in Ticket.WAITING_STATUSES and self.reply.status != StoryReply.Status.SKIPPED


@dataclass
class StoryPage:
    story: Story
    timeline: list[TimelineRow]
    platforms: list[PlatformCount]
    drafts: list[DraftRow] = field(default_factory=list)
    outcomes: list[TimelineRow] = field(default_factory=list)
    without_draft: int = 0  # tickets that joined after the drafts were made

    @property
    def in_flight(self) -> bool:
        return any(row.reply and row.reply.status in StoryReply.IN_FLIGHT for row in self.outcomes)

    @property
    def retryable(self) -> int:
        """Replies that failed or were skipped: back among the drafts."""
        done_badly = (StoryReply.Status.FAILED, StoryReply.Status.SKIPPED)
        return sum(1 for row in self.outcomes if row.reply and row.reply.status in done_badly)

    @property
    def stalled(self) -> bool:
        """Queued for a while and nothing moved: the worker may be down."""
        since = timezone.now() - STALLED_AFTER
        return any(
            r.reply and r.reply.status == StoryReply.Status.QUEUED and r.reply.updated_at < since for r in self.outcomes
        )

    @property
    def tally(self) -> list[tuple[str, str, int]]:
        """(css class, words, tickets) of the outcomes, in the order a send goes."""
        counts = Counter(row.reply.status for row in self.outcomes if row.reply)
        said = [
            ("on-the-way", "on the way", counts[StoryReply.Status.QUEUED] + counts[StoryReply.Status.SENDING]),
            ("sent", "sent", counts[StoryReply.Status.SENT]),
            ("marked", "marked replied", counts[StoryReply.Status.MARKED]),
            ("failed", "failed", counts[StoryReply.Status.FAILED]),
            ("skipped", "skipped", counts[StoryReply.Status.SKIPPED]),
        ]
        return [item for item in said if item[2]]


def _first_lines(title: str | None, body: str | None) -> str:
    text = "\n".join(part for part in (title or "", body or "") if part)
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    said = " · ".join(lines[:3])
    return said if len(said) <= FIRST_LINES else said[: FIRST_LINES - 1].rstrip() + "…"


def _timeline_query(story_id: int) -> QuerySet[Membership]:
    first = Message.objects.filter(ticket_id=OuterRef("ticket_id"), kind=Message.Kind.INBOUND).order_by(
        "platform_created_at", "pk"
    )
    return (
        Membership.objects.filter(story_id=story_id)
        .select_related("ticket__channel", "ticket__assignee", "added_by")
        .defer(*(f"ticket__channel__{f}" for f in ("config", "cursor", "credentials_encrypted", "usage")))
        .annotate(
            first_title=Subquery(first.values("title")[:1]),
            first_body=Substr(Subquery(first.values("body")[:1]), 1, FIRST_LINES * 2),
        )
        .order_by("ticket__requested_at", "ticket_id")
    )


# Compiled once per process (advocacy.prepared): three joins, two subqueries, on every story page.
_TIMELINE = Prepared(_timeline_query, int)


def story_timeline(story: Story) -> list[TimelineRow]:
    """The story's tickets in the order they were posted, with the first lines of each first mention."""
    memberships: list[Any] = _TIMELINE.all(story.pk)  # with their annotations, the first title and body
    return [
        TimelineRow(
            membership=m,
            ticket=m.ticket,
            platform=platform_short(m.ticket.channel.kind),
            first_lines=_first_lines(m.first_title, m.first_body),
            handle=platform_or_default(m.ticket.channel.kind).handle_shown(m.ticket.requester_handle),
        )
        for m in memberships
    ]


def story_page(story: Story, *, user: Any) -> StoryPage:
    """Everything the story page shows: its timeline, counts per platform, the drafts still to send and the
    outcomes of those sent."""
    from stories.answering.services import SENDABLE, uncertain_keys

    timeline = story_timeline(story)
    replies = {r.ticket_id: r for r in StoryReply.objects.filter(story=story)}
    uncertain = uncertain_keys(list(replies.values()))
    counts: dict[str, int] = defaultdict(int)
    page = StoryPage(story=story, timeline=timeline, platforms=[])
    for row in timeline:
        kind = row.ticket.channel.kind
        counts[kind] += 1
        row.reply = replies.get(row.ticket.pk)
        if row.reply is None:
            page.without_draft += 1 if story.answer else 0
            continue
        if row.reply.status in SENDABLE:
            rule = reply_rule(kind)
            page.drafts.append(
                DraftRow(
                    reply=row.reply,
                    ticket=row.ticket,
                    platform=row.platform,
                    length=rule.length(row.reply.body),
                    limit=rule.limit,
                    uncertain=row.reply.send_key in uncertain,
                    assigned_elsewhere=row.ticket.assignee_id not in (None, user.pk),
                )
            )
        if row.reply.status not in (StoryReply.Status.DRAFT,):
            page.outcomes.append(row)
    page.platforms = sorted(
        (PlatformCount(kind=k, label=platform_short(k), tickets=n) for k, n in counts.items()),
        key=lambda c: (-c.tickets, c.label),
    )
    return page


def ticket_story(ticket: Ticket) -> tuple[Membership, list[PlatformCount]] | None:
    """The story a ticket is in (its membership, the story with it) and the story's tickets per platform."""
    membership = Membership.objects.filter(ticket_id=ticket.pk).select_related("story").first()
    if membership is None:
        return None
    return membership, story_platforms(membership.story_id)
