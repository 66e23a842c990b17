"""Whole stories: the pieces of one story found apart put together, and what the team's merges and splits teach.

A story is often found in pieces: the release's stacked-MR posts form one, its breaking change another, the
outage's "502"s one and its "can't push"s another, each on its own words. Their words differ; their meaning does
not. So after each page, a story the page changed is merged with the live story whose centroid (usual meaning
taken away, stories.detection.meaning) is nearest, when that is MERGE_COSINE or more and their times overlap (within
MERGE_GAP): on the three afternoons, a third of one story against another third of it sits at 0.35-0.72, two
different stories at 0.18 at most. Two problem stories (stories.detection.bursts) at the same time merge from
PROBLEM_COSINE: an outage told as "admin is down" and as "my newsletter is stuck sending" is two symptoms of one
failure (0.31 apart on the Ghost afternoon; its release and outage 0.2), and two outages of one product within
half an hour are rare.

The team corrects what it sees: an advocate who merges two stories says they were one (the detector's
threshold was too high for them); one who moves a ticket out says it did not belong (the join was too lax).
Each such action is recorded (StoryFeedback: which, and the meaning cosine it undid or would have made) and the
detector's thresholds for this desk follow them (thresholds()), within bounds; a pair an advocate separated (a
ticket moved out of one story and now in the other) is never merged by meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np

from stories.models import Exclusion, Membership, Story, StoryFeedback

if TYPE_CHECKING:
    from stories.detection.matching import Matcher

MERGE_COSINE = 0.35  # two stories' centroids this near tell one story
MERGE_GAP = timedelta(hours=2)  # and their spans of time overlap, or are at most this far apart
PROBLEM_COSINE = 0.25  # two problem stories at once (an outage's "admin is down" and its "newsletter stuck") this near
PROBLEM_GAP = timedelta(minutes=30)  # and this near in time: one outage told as two symptoms
MERGE_FLOOR = 0.25  # the team's merges lower MERGE_COSINE no further than this
JOIN_CEILING = 0.45  # the team's move-outs raise the meaning join threshold no further than this
FEEDBACK_KEPT = 50  # the team's latest actions that count (older ones describe an older desk)
MARGIN = 0.02


@dataclass(frozen=True)
class Thresholds:
    merge: float  # stories' centroids at least this near are merged
    join: float  # a ticket at least this near an active story's centroid joins it


def thresholds(join_default: float) -> Thresholds:
    """This desk's thresholds, from the team's latest merges and move-outs (one query).

    A merge the team made at cosine c (below the threshold, or the detector would have made it) lowers the merge
    threshold to just below the median of such merges; a ticket moved out of a story it sat at cosine c from
    raises the join threshold above the median of those: half the team's corrections would then not be needed."""
    rows = list(
        StoryFeedback.objects.order_by("-pk").values_list("kind", "cosine")[:FEEDBACK_KEPT]
    )  # fmt: skip
    merges = [c for k, c in rows if k == StoryFeedback.Kind.MERGE and c is not None]
    splits = [c for k, c in rows if k == StoryFeedback.Kind.MOVE_OUT and c is not None]
    merge = MERGE_COSINE
    if merges:
        merge = min(MERGE_COSINE, max(MERGE_FLOOR, float(np.median(merges)) - MARGIN))
    join = join_default
    if splits:
        join = max(join_default, min(JOIN_CEILING, float(np.median(splits)) + MARGIN))
    return Thresholds(merge=merge, join=join)


def _overlap(a: Story, b: Story, gap: timedelta = MERGE_GAP) -> bool:
    return a.first_at - gap <= b.last_at and b.first_at - gap <= a.last_at


def _threshold(m: Matcher, a: Story, b: Story) -> float | None:
    """How near two stories' centroids must be to merge, or None when their times are apart."""
    if not _overlap(a, b):
        return None
    bursts = m.bursts
    if _overlap(a, b, PROBLEM_GAP) and bursts.problem_story(a) and bursts.problem_story(b):
        return min(m.thresholds.merge, PROBLEM_COSINE)
    return m.thresholds.merge


def _separated(m: Matcher, a: Story, b: Story) -> bool:
    """An advocate moved a ticket out of one of the two, and it is in the other now: they are not one story."""
    rows = list(Exclusion.objects.filter(story_id__in=[a.pk, b.pk]).values_list("ticket_id", "story_id"))
    if not rows:
        return False
    wanted = {t for t, _s in rows if t not in m.story_of}
    where = dict(m.story_of)
    where.update(Membership.objects.filter(ticket_id__in=wanted).values_list("ticket_id", "story_id"))
    for ticket_id, story_id in rows:
        now_in = m.stories.get(where.get(ticket_id, 0))
        while now_in is not None and now_in.merged_into_id:
            now_in = m.stories.get(now_in.merged_into_id)
        other = b if story_id == a.pk else a
        if now_in is other:
            return True
    return False


def meaning_merges(m: Matcher) -> list[tuple[Story, Story]]:
    """Pairs (smaller, larger) of live stories to merge: one the page changed and the nearest other in meaning."""
    if m.meanings.usual is None:
        return []
    live = [s for s in m.stories.values() if not s.merged_into_id and s.state != Story.State.CLOSED]
    centroids = {s.pk: c for s in live if (c := m.meanings.centroid(s)) is not None}
    if len(centroids) < 2:
        return []
    taken: set[int] = set()
    pairs: list[tuple[Story, Story]] = []
    for story in sorted((s for s in live if s.pk in m.dirty and s.pk in centroids), key=lambda s: (s.size, s.pk)):
        if story.pk in taken:
            continue
        best: tuple[float, Story] | None = None
        for other in live:
            if other.pk == story.pk or other.pk in taken or other.pk not in centroids:
                continue
            threshold = _threshold(m, story, other)
            cosine = float(centroids[story.pk] @ centroids[other.pk])
            if threshold is not None and cosine >= threshold and (best is None or cosine > best[0]):
                best = (cosine, other)
        if best is None or _separated(m, story, best[1]):
            continue
        small, big = sorted((story, best[1]), key=lambda s: (s.size, -s.pk))
        taken.update({small.pk, big.pk})
        pairs.append((small, big))
    return pairs
