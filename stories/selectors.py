"""Reads of stories that pages and the API share: a page of live stories with their tickets and platforms in a
fixed number of queries, whatever the stories' sizes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Q, QuerySet

from stories.models import Membership, Story


@dataclass
class StoryRow:
    story: Story
    tickets: list[int] = field(default_factory=list)  # oldest membership first
    platforms: Counter[str] = field(default_factory=Counter)


@dataclass
class StoryPage:
    rows: list[StoryRow]
    next_cursor: str  # "" at the end


def cursor_encode(story: Story) -> str:
    """A position in the list: the story's last activity in microseconds since the epoch, then its id."""
    return f"{round(story.last_at.timestamp() * 1_000_000)}.{story.pk}"


def cursor_decode(cursor: str) -> tuple[datetime, int]:
    """Any "<digits>.<digits>" is a position (a time far past the calendar reads as its end)."""
    micros, pk = cursor.split(".")
    try:
        at = datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC)
    except (OverflowError, ValueError, OSError):
        at = datetime.max.replace(tzinfo=UTC)
    return at, int(pk)


def stories_live(*, state: str = "") -> QuerySet[Story]:
    """Stories not merged into another, newest activity first."""
    stories = Story.objects.filter(merged_into__isnull=True)
    if state:
        stories = stories.filter(state=state)
    return stories.order_by("-last_at", "-pk")


def story_rows(stories: list[Story]) -> list[StoryRow]:
    """Each story with its ticket ids and tickets per platform: one query for the whole list."""
    rows = {story.pk: StoryRow(story) for story in stories}
    members = (
        Membership.objects.filter(story_id__in=list(rows))
        .order_by("created_at", "pk")
        .values_list("story_id", "ticket_id", "ticket__channel__kind")
    )
    for story_id, ticket_id, kind in members:
        rows[story_id].tickets.append(ticket_id)
        rows[story_id].platforms[kind] += 1
    return list(rows.values())


def story_page(*, state: str = "", cursor: str = "", size: int = 50) -> StoryPage:
    """A page of live stories after `cursor` (keyset on last activity: a story that grows while a client pages
    moves to the front and is seen again on the next pass, never skipped twice)."""
    stories = stories_live(state=state)
    if cursor:
        at, pk = cursor_decode(cursor)
        stories = stories.filter(Q(last_at__lt=at) | Q(last_at=at, pk__lt=pk))
    found = list(stories[: size + 1])
    more = len(found) > size
    found = found[:size]
    return StoryPage(rows=story_rows(found), next_cursor=cursor_encode(found[-1]) if more and found else "")
