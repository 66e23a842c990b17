"""The team's corrections of stories, kept for the detector to learn from (stories.detection.whole.thresholds), and a
story's meaning centroid kept right through them.

Called inside the editing services' transactions, before the change: a merge records how near the two stories
were in meaning, a move-out how near the ticket was to the story it leaves; both with the usual meaning taken
away, as the detector compares them."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from django.utils import timezone

from advocacy.embeddings import from_bytes
from mentions.models import TicketMeaning
from stories.detection.meaning import unit_vector
from stories.detection.reading import BACKGROUND_DAYS
from stories.models import MeaningDay, Membership, Story, StoryFeedback


def _usual(dims: int) -> np.ndarray | None:
    """The mean vector of the weeks before today (as the detector's usual meaning), None without any."""
    today = timezone.now().date()
    days = MeaningDay.objects.filter(day__gte=today - timedelta(days=BACKGROUND_DAYS), day__lte=today)
    total, count = np.zeros(dims, dtype=np.float32), 0
    for n, blob in days.values_list("tickets", "total"):
        vector = np.frombuffer(bytes(blob), dtype=np.float32)
        if len(vector) == dims:
            total, count = total + vector, count + n
    return total / count if count else None


def _centroid(story: Story) -> np.ndarray | None:
    if not story.meaning or not story.meaning_n:
        return None
    return np.frombuffer(bytes(story.meaning), dtype=np.float32) / story.meaning_n


def _cosine(a: np.ndarray | None, b: np.ndarray | None) -> float | None:
    if a is None or b is None or len(a) != len(b):
        return None
    usual = _usual(len(a))
    if usual is None:
        return None
    return float(unit_vector(a - usual) @ unit_vector(b - usual))


def merge_recorded(source: Story, target: Story) -> None:
    """An advocate merged `source` into `target`: they were one story at this distance."""
    StoryFeedback.objects.create(kind=StoryFeedback.Kind.MERGE, cosine=_cosine(_centroid(source), _centroid(target)))


def move_out_recorded(story: Story, ticket_id: int) -> None:
    """An advocate moved the ticket out of `story`: it did not belong at this distance."""
    blob = TicketMeaning.objects.filter(ticket_id=ticket_id).values_list("vector", flat=True).first()
    vector = from_bytes(blob) if blob is not None else None
    StoryFeedback.objects.create(kind=StoryFeedback.Kind.MOVE_OUT, cosine=_cosine(vector, _centroid(story)))


def meaning_recount(story: Story) -> None:
    """The story's centroid from its members' vectors (one query; the caller saves `meaning`, `meaning_n`)."""
    member = Membership.objects.filter(story=story).values("ticket_id")
    vectors = [
        from_bytes(b) for b in TicketMeaning.objects.filter(ticket_id__in=member).values_list("vector", flat=True)
    ]
    dims = {len(v) for v in vectors}
    if not vectors or len(dims) != 1:
        story.meaning, story.meaning_n = b"", 0
        return
    story.meaning = np.sum(vectors, axis=0).astype(np.float32).tobytes()
    story.meaning_n = len(vectors)
