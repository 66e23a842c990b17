"""Bursts: an outage told in many words and almost no links.

An outage arrives as many short, mostly negative posts about the product failing, within minutes, on every
platform: "is it down?", "jobs never start", "502 again", "can't log in". They share neither a link nor a pair of
words, and one pair of them is only loosely near in meaning. What they share is the moment, the intent and a
looser meaning, so a burst is found on the three together:

- **intent**: the ticket is a problem report (a bug, an outage or a complaint). The judgement's intent when the
  ticket was judged already (mentions.judgement); otherwise the intent of its nearest shipped examples in meaning
  (the same examples and vectors the judgement reads: a cheap nearest-neighbour vote, PROBLEM_SHARE of K);
- **time**: the last hour brought at least RATE_FACTOR times the desk's usual hourly number of tickets (the four
  weeks before, MeaningDay), and BURST_MIN problem reports near each other in it;
- **meaning**: those reports are at BURST_COSINE or more from the ticket (usual meaning taken away), a looser bar
  than stories.detection.meaning's FORM_COSINE, which any two mentions must clear whatever they are.

Then they make a story (origin "burst"), and a later problem report joins the active burst story nearest in
meaning at JOIN_COSINE or more, again looser than an ordinary meaning join. A praise or a question near the
outage in meaning does not join on this path (it may still on links and words).
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from mentions.models import Ticket
from stories.detection.meaning import BURST, HOT_MIN, join_nearest
from stories.models import Membership, Story

if TYPE_CHECKING:
    from stories.detection.matching import Matcher
    from stories.detection.reading import Read

logger = logging.getLogger(__name__)

PROBLEM_INTENTS = frozenset({"bug", "outage", "complaint"})
K = 7  # nearest shipped examples that vote on a ticket's intent
PROBLEM_SHARE = 0.5  # of them problem reports: the ticket is one
BURST_MIN = 3  # problem reports near each other within the hour that make a burst
BURST_COSINE = 0.3  # how near each other (usual meaning taken away); FORM_COSINE is 0.45 for any mentions
JOIN_COSINE = 0.2  # how near an active burst story's centroid a later problem report must be
RATE_FACTOR = 2.0  # the hour's tickets against the usual hourly number


class Bursts:
    """A page's problem reports (the page's tickets and the last hour's loose ones) and the hour's arrivals."""

    def __init__(self, m: Matcher) -> None:
        self.m = m
        self.problem: set[int] = set()
        self.arrivals: list[datetime] = []
        self.seeds: Any = None
        self._stories: dict[int, tuple[int, bool]] = {}  # story -> (its meaning_n then, a problem story)

    def problem_story(self, story: Story) -> bool:
        """A burst, or a story whose mean meaning reads as a problem report (an outage found on its words)."""
        if story.origin == Story.Origin.BURST:
            return True
        if self.seeds is None or not story.meaning_n or not story.meaning:
            return False
        cached = self._stories.get(story.id)
        if cached is None or cached[0] != story.meaning_n:
            mean = np.frombuffer(bytes(story.meaning), dtype=np.float32)
            cached = (story.meaning_n, problem_shares(self.seeds, [mean])[0] >= PROBLEM_SHARE)
            self._stories[story.id] = cached
        return cached[1]

    def load(self) -> None:
        meanings = self.m.meanings
        ids = list(meanings.centered)
        if not ids:
            return
        judged = dict(
            Ticket.objects.filter(pk__in=ids, judged_at__isnull=False).exclude(intent="").values_list("pk", "intent")
        )
        unjudged = [t for t in ids if t not in judged]
        self.problem = {t for t, intent in judged.items() if intent in PROBLEM_INTENTS}
        self.seeds = seeds_load() if unjudged or self.m.stories else None
        if self.seeds is not None:
            shares = problem_shares(self.seeds, [meanings.vectors[t] for t in unjudged])
            self.problem |= {t for t, share in zip(unjudged, shares, strict=True) if share >= PROBLEM_SHARE}
        start = min(r.at for r in self.m.page) - BURST
        end = max(r.at for r in self.m.page)
        self.arrivals = sorted(
            Ticket.objects.filter(requested_at__gte=start, requested_at__lte=end).values_list("requested_at", flat=True)
        )

    def surging(self, at: datetime) -> bool:
        """The hour before `at` brought RATE_FACTOR times the usual hourly number of tickets."""
        hour = bisect_right(self.arrivals, at) - bisect_left(self.arrivals, at - BURST)
        return hour >= max(BURST_MIN, RATE_FACTOR * self.m.meanings.hourly)


def seeds_load() -> Any:
    """The judgement's shipped examples for this desk's product, embedded once per process (shared with it)."""
    from mentions.judgement.examples import shipped
    from mentions.judgement.product import product_load

    try:
        product = product_load()
        return shipped(product.name, product.description)
    except Exception:  # the embedder failed: no intent, so no burst on this page (links and words still work)
        logger.warning("story detector: no intent for this page's bursts", exc_info=True)
        return None


def problem_shares(seeds: Any, vectors: list[np.ndarray]) -> list[float]:
    """For each vector, the share of its K nearest shipped examples (mentions.judgement.seeds) that are problem
    reports; 0 for a vector of another model's size."""
    return intent_shares(seeds, vectors, PROBLEM_INTENTS)


def intent_shares(seeds: Any, vectors: list[np.ndarray], intents: frozenset[str]) -> list[float]:
    """For each vector, the share of its K nearest shipped examples whose intent is one of `intents`."""
    dims = seeds.vectors.shape[1]
    usable = [i for i, v in enumerate(vectors) if len(v) == dims]
    out = [0.0] * len(vectors)
    if not usable:
        return out
    sims = np.stack([vectors[i] / max(float(np.linalg.norm(vectors[i])), 1e-9) for i in usable]) @ seeds.vectors.T
    wanted = np.array([intent in intents for intent in seeds.intents])
    shares = wanted[np.argsort(-sims, axis=1)[:, :K]].mean(axis=1)
    for i, share in zip(usable, shares, strict=True):
        out[i] = float(share)
    return out


def join_burst(m: Matcher, read: Read) -> bool:
    """A problem report joins the active burst story nearest in meaning, at JOIN_COSINE or more."""
    if read.pk not in m.bursts.problem:
        return False
    bars = {
        story_id: JOIN_COSINE
        for story_id in m.pace.active(read.at, HOT_MIN)
        if (story := m.stories.get(story_id)) is not None
        and story.origin == Story.Origin.BURST
        and not story.merged_into_id
        and story.state != Story.State.CLOSED
    }
    return join_nearest(m, read, bars, Membership.Via.BURST, "a problem report during the burst (meaning {:.2f})")


def form_burst(m: Matcher, read: Read) -> bool:
    """The ticket and at least BURST_MIN - 1 loose problem reports of the last hour near it make a burst story,
    when the hour's traffic is well above the usual."""
    meanings, problem = m.meanings, m.bursts.problem
    mine = meanings.centered.get(read.pk)
    if mine is None or read.pk not in problem or not m.bursts.surging(read.at):
        return False
    near = [
        t
        for t, at in meanings.loose_at.items()
        if t != read.pk
        and t in problem
        and read.at - BURST <= at <= read.at
        and m.is_loose(t)
        and float(meanings.centered[t] @ mine) >= BURST_COSINE
    ]
    if len(near) + 1 < BURST_MIN:
        return False
    members = m.reads_of(sorted(near))
    story = m.make(Story.Origin.BURST, [*members, read], links=[])
    minutes = max(1, round((read.at - min(r.at for r in members)).total_seconds() / 60))
    # What an advocate checks first: how many reports, how fast (the burst), and that they read alike.
    reason = f"one of {len(members) + 1} problem reports in {minutes} min, alike in meaning"
    for member in (*members, read):
        m.join(story, member, Membership.Via.BURST, reason)
    return True
