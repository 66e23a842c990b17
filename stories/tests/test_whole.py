"""Learning from the team (stories.detection.whole, stories.detection.feedback): an advocate's merge and move-out are
recorded with how near in meaning the stories (or the ticket and its story) were, the stories' centroids stay the sum of
their tickets' vectors through them, and the detector's meaning thresholds follow the team's latest corrections
within bounds."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from django.urls import reverse

from mentions.models import TicketMeaning
from stories.detection.whole import JOIN_CEILING, MERGE_COSINE, MERGE_FLOOR, meaning_merges, thresholds
from stories.models import Exclusion, Membership, Story, StoryFeedback
from stories.tests.test_story_page import _outage
from stories.tests.wave import release_wave

pytestmark = pytest.mark.django_db


def _centroid_is_its_tickets(story: Story) -> None:
    ids = Membership.objects.filter(story=story).values_list("ticket_id", flat=True)
    vectors = [np.frombuffer(bytes(v), dtype=np.float16).astype(np.float32)
               for v in TicketMeaning.objects.filter(ticket_id__in=ids).values_list("vector", flat=True)]  # fmt: skip
    assert story.meaning_n == len(vectors) == story.size
    assert np.allclose(np.frombuffer(bytes(story.meaning), dtype=np.float32), np.sum(vectors, axis=0), atol=1e-3)


def test_a_merge_is_recorded_with_its_distance_and_the_centroid_holds_both_stories(advocate_client):
    release = release_wave(x=2, reddit=1, hn=1)
    outage = _outage(n=3)
    advocate_client.post(reverse("stories:merge", args=[outage.pk]), {"into": str(release.story.pk)})

    (feedback,) = StoryFeedback.objects.all()
    assert feedback.kind == StoryFeedback.Kind.MERGE
    assert feedback.cosine is not None and -1.0 <= feedback.cosine < MERGE_COSINE  # apart: the detector kept them so
    target, merged = Story.objects.get(pk=release.story.pk), Story.objects.get(pk=outage.pk)
    _centroid_is_its_tickets(target)
    assert merged.meaning_n == 0 and bytes(merged.meaning) == b""  # its tickets' meaning is counted once


def test_a_move_out_is_recorded_and_the_centroid_leaves_the_ticket_out(advocate_client):
    wave = release_wave(x=3, reddit=2, hn=1)
    out = wave.tickets["reddit"][0]
    advocate_client.post(reverse("stories:move-out", args=[wave.story.pk, out.pk]))

    (feedback,) = StoryFeedback.objects.all()
    assert feedback.kind == StoryFeedback.Kind.MOVE_OUT and feedback.cosine is not None
    story = Story.objects.get(pk=wave.story.pk)
    assert story.size == 5
    _centroid_is_its_tickets(story)


def test_the_thresholds_follow_the_teams_latest_corrections_within_bounds():
    assert thresholds(0.3).merge == MERGE_COSINE and thresholds(0.3).join == 0.3  # nothing learnt yet

    StoryFeedback.objects.bulk_create(
        [StoryFeedback(kind=StoryFeedback.Kind.MERGE, cosine=c) for c in (0.28, 0.30, 0.32)]
        + [StoryFeedback(kind=StoryFeedback.Kind.MOVE_OUT, cosine=c) for c in (0.40, 0.42)]
        + [StoryFeedback(kind=StoryFeedback.Kind.MOVE_OUT, cosine=None)]  # no vectors: nothing to learn
    )
    learnt = thresholds(0.3)
    assert learnt.merge == pytest.approx(0.28)  # the median merge, less a margin: most of them made by itself
    assert learnt.join == pytest.approx(0.43)  # above the median move-out: most of them kept out

    StoryFeedback.objects.bulk_create(
        [StoryFeedback(kind=StoryFeedback.Kind.MERGE, cosine=-0.2) for _ in range(10)]
        + [StoryFeedback(kind=StoryFeedback.Kind.MOVE_OUT, cosine=0.9) for _ in range(10)]
    )
    bounded = thresholds(0.3)
    assert bounded.merge == MERGE_FLOOR and bounded.join == JOIN_CEILING  # a few odd corrections move it so far


def _pieces(n: int, vector: np.ndarray) -> list[Story]:
    """Stories of `n` tickets each, all near `vector` in meaning and at the same time."""
    from django.utils import timezone

    from mentions.tests.factories import TicketFactory

    now = timezone.now()
    stories = []
    for i in range(2):
        story = Story.objects.create(title=f"piece {i}", origin=Story.Origin.MEANING, size=n, first_at=now, last_at=now)
        story.meaning, story.meaning_n = (vector * n).astype(np.float32).tobytes(), n
        story.save()
        for _ in range(n):
            Membership.objects.create(story=story, ticket=TicketFactory(), via=Membership.Via.MEANING, reason="-")
        stories.append(story)
    return stories


def _matcher(stories: list[Story]) -> Any:
    """What stories.detection.whole reads of a page's Matcher: its stories, which changed, the meanings and
    thresholds."""
    from stories.detection.meaning import Meanings
    from stories.detection.whole import Thresholds

    meanings = Meanings([])
    meanings.usual = np.zeros(4, dtype=np.float32)
    return SimpleNamespace(
        stories={s.pk: s for s in stories},
        dirty={stories[0].pk},
        story_of={},
        meanings=meanings,
        thresholds=Thresholds(merge=MERGE_COSINE, join=0.3),
        bursts=SimpleNamespace(problem_story=lambda story: False),
    )


def test_pieces_near_in_meaning_merge_unless_an_advocate_separated_them(advocate_client):
    vector = np.array([1.0, 0.2, 0.0, 0.0], dtype=np.float32)
    a, b = _pieces(3, vector)
    assert [(small.pk, big.pk) for small, big in meaning_merges(_matcher([a, b]))] == [(b.pk, a.pk)]

    # An advocate moved a ticket of `a` into `b`: the two are not one story, whatever their meaning says.
    moved = Membership.objects.filter(story=a).first()
    assert moved is not None
    Exclusion.objects.create(story=a, ticket_id=moved.ticket_id, by=advocate_client.user)
    moved.story = b
    moved.save()
    assert meaning_merges(_matcher([a, b])) == []
