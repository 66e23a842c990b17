"""Meaning where words fail: the same outage told as "jobs never start", "error pages" and "is it down?" shares no
word, but its mentions are near each other in meaning, and they come in a burst.

Each ticket's vector is the one mentions.meaning stores (all-MiniLM-L6-v2, computed once per ticket and shared
with the judgement). Every mention of the product is somewhat alike ("gitlab", "pipeline"), so the usual meaning
of the weeks before (MeaningDay, the sum of each day's vectors) is taken away first: what is left is what a
mention says beyond everyday talk, as a bursting word is a word beyond its usual rate. Then:

- **joining**: a ticket joins the live story whose centroid (Story.meaning: the sum of its tickets' vectors) is
  nearest, at JOIN_COSINE or more, if that story is active: HOT_MIN of its tickets in the hour before (a burst);
- **forming**: a ticket and at least two tickets of the last hour outside any story, each at FORM_COSINE or more
  from it, make a new story;
- **keeping out**: a ticket whose words choose a story but whose meaning is far from it (below VETO_COSINE) does
  not join it: "502" from someone's own nginx shares the outage's words, not its meaning.

Everything per page is read in three queries (the page's vectors, the days' sums, the last hour's loose tickets'
vectors) and compared with numpy; a story's centroid is kept in its row, so no member is read again.
"""

from __future__ import annotations

import logging
import sys
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
from django.db.models import Exists, OuterRef

from advocacy.embeddings import EmbeddingError
from mentions.meaning import ticket_vectors
from mentions.models import TicketMeaning
from stories.detection.pace import told_near
from stories.detection.praise import praise_alone
from stories.detection.reading import BACKGROUND_DAYS, BACKGROUND_MIN, Read, ahead_covering, rows_insert
from stories.models import MeaningDay, Membership, Signature, Story

if TYPE_CHECKING:
    from stories.detection.matching import Matcher

logger = logging.getLogger(__name__)

JOIN_COSINE = 0.3  # a ticket this near a bursting story's centroid (usual meaning taken away) tells its story
FORM_COSINE = 0.45  # two tickets this near each other say the same thing (pairs are noisier than centroids)
VETO_COSINE = 0.1  # a ticket this far from a story's centroid does not join it on words alone
CENTROID_MIN = 3  # tickets whose vectors a story's centroid needs before it is trusted
BURST = timedelta(hours=1)  # the window a story must be active in, and loose tickets are compared over
HOT_MIN = 3  # tickets of a story in the hour before that make it active
ESTABLISHED_N = 8  # tickets with vectors behind a story's centroid before it takes a ticket when not bursting
ESTABLISHED_QUIET = timedelta(hours=2)  # and its latest ticket at most this long before
ESTABLISHED_COSINE = 0.35  # at this cosine or more
FORM_MIN = 3  # tickets near each other in meaning that make a new story (as stories.detection.matching's FORM_MIN)


def _page_vectors(ids: list[int]) -> dict[int, np.ndarray]:
    """The page's vectors: from a history's read-ahead (the stored vectors of its next pages, read in one query
    and decoded as one array), the few missing ones computed (ticket_vectors); else ticket_vectors."""
    ahead = ahead_covering(ids)
    if ahead is None:
        return ticket_vectors(ids)
    if ahead.vectors is None:
        ahead.vectors = _stored_vectors(sorted(ahead.ids))
    found = {i: ahead.vectors[i] for i in ids if i in ahead.vectors}
    missing = [i for i in ids if i not in found]
    if missing:
        found.update(ticket_vectors(missing))
    return found


def _stored_vectors(ids: list[int]) -> dict[int, np.ndarray]:
    from advocacy.embeddings import model_name

    rows = list(
        TicketMeaning.objects.filter(ticket_id__gte=ids[0], ticket_id__lte=ids[-1], model=model_name()).values_list(
            "ticket_id", "vector"
        )
    )
    wanted = set(ids)
    rows = [(t, bytes(blob)) for t, blob in rows if t in wanted]
    if not rows or len({len(blob) for _t, blob in rows}) != 1:
        from advocacy.embeddings import from_bytes

        return {t: from_bytes(blob) for t, blob in rows}
    # One decoding for the chunk (from_bytes' float16 -> float32, as for each vector alone).
    matrix = np.frombuffer(b"".join(blob for _t, blob in rows), dtype=np.float16).astype(np.float32)
    matrix = matrix.reshape(len(rows), -1)
    return {t: matrix[n] for n, (t, _blob) in enumerate(rows)}


def unit_vector(v: np.ndarray) -> np.ndarray:
    """`v` scaled to length 1 (a vector of about none as it is)."""
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 1e-9 else v


class Meanings:
    """A page's meaning: the vectors of its tickets and of the last hour's loose tickets, usual meaning taken away,
    and the live stories' centroids."""

    def __init__(self, page: list[Read]) -> None:
        self.page = page
        self.vectors: dict[int, np.ndarray] = {}  # ticket -> raw vector (as stored)
        self.centered: dict[int, np.ndarray] = {}  # ticket -> unit vector, usual meaning taken away
        self.usual: np.ndarray | None = None
        self.loose_at: dict[int, datetime] = {}  # the last hour's tickets outside any story that have a vector
        self._loose_by_time: list[tuple[datetime, int]] = []  # loose_at's entries in time order (loose_near)
        self.pending: dict[int, list[int]] = defaultdict(list)  # story -> joined tickets whose vector is unread
        self._centroids: dict[int, tuple[int, np.ndarray]] = {}
        self.hourly = 0.0  # the usual number of tickets an hour (the days the usual meaning is taken from)

    # -- loading --------------------------------------------------------------------------------------------
    def load(self) -> None:
        if not self.page:
            return
        try:
            self.vectors = _page_vectors([r.pk for r in self.page])
        except EmbeddingError:
            # The team's endpoint is down: stories form on links and words alone until it is back.
            logger.warning("story detector: no meaning vectors for this page")
            return
        if not self.vectors:
            return
        self.usual = self._usual()
        start = min(r.at for r in self.page) - BURST
        end = max(r.at for r in self.page)
        member = Membership.objects.filter(ticket_id=OuterRef("ticket_id"))
        loose = Signature.objects.filter(at__gte=start, at__lte=end).filter(~Exists(member))
        rows = TicketMeaning.objects.filter(ticket_id__in=loose.values("ticket_id")).values_list(
            "ticket_id", "vector", "ticket__requested_at"
        )
        dims = len(next(iter(self.vectors.values())))
        from advocacy.embeddings import from_bytes

        for ticket_id, blob, at in rows:
            vector = from_bytes(blob)
            if len(vector) == dims:
                self.vectors.setdefault(ticket_id, vector)
                self.loose_set(ticket_id, at)
        for ticket_id, vector in self.vectors.items():
            self.centered[ticket_id] = self._center(vector)

    def _usual(self) -> np.ndarray | None:
        """The mean vector of the weeks before the page (MeaningDay), or of its own days on a new desk; the page's
        vectors added to their days' sums (one read, one write)."""
        first = min(r.at for r in self.page).date()
        last = max(r.at for r in self.page).date()
        dims = len(next(iter(self.vectors.values())))
        days: dict[date, tuple[int, np.ndarray]] = {}
        for day, n, blob in MeaningDay.objects.filter(
            day__gte=first - timedelta(days=BACKGROUND_DAYS), day__lte=last
        ).values_list("day", "tickets", "total"):
            total = np.frombuffer(bytes(blob), dtype=np.float32)
            if len(total) == dims:
                days[day] = (n, total.copy())
        for read in self.page:
            vector = self.vectors.get(read.pk)
            if vector is not None:
                n, total = days.get(read.at.date(), (0, np.zeros(dims, dtype=np.float32)))
                days[read.at.date()] = (n + 1, total + vector)
        rows_insert(
            MeaningDay,
            ["day", "tickets", "total"],
            [(day, n, total.astype(np.float32).tobytes()) for day, (n, total) in sorted(days.items()) if day >= first],
            tail=" ON CONFLICT (day) DO UPDATE SET tickets = excluded.tickets, total = excluded.total",
        )
        before = [(n, t) for day, (n, t) in days.items() if day < first]
        chosen = before if sum(n for n, _t in before) >= BACKGROUND_MIN else [(n, t) for n, t in days.values()]
        count = sum(n for n, _t in chosen)
        if not count:
            return None
        self.hourly = count / (24 * max(1, len(chosen)))
        mean: np.ndarray = sum((t for _n, t in chosen), np.zeros(dims, dtype=np.float32)) / count
        return mean

    def _center(self, vector: np.ndarray) -> np.ndarray:
        return unit_vector(vector - self.usual if self.usual is not None else vector)

    def loose_set(self, ticket_id: int, at: datetime) -> None:
        self.loose_at[ticket_id] = at
        insort(self._loose_by_time, (at, ticket_id))

    def loose_near(self, start: datetime, end: datetime) -> list[int]:
        """The loose tickets (as loose_at holds them) posted between start and end: a page's every ticket is
        compared with the hour before it, not with the page's and the hour's hundreds of loose tickets."""
        index = self._loose_by_time
        low = bisect_left(index, (start, -1))
        high = bisect_right(index, (end, sys.maxsize))
        return [t for at, t in index[low:high] if self.loose_at.get(t) == at]

    # -- stories' centroids ---------------------------------------------------------------------------------
    def centroid(self, story: Story) -> np.ndarray | None:
        """The story's centroid, usual meaning taken away, once CENTROID_MIN of its tickets have vectors."""
        if story.meaning_n < CENTROID_MIN or not story.meaning:
            return None
        cached = self._centroids.get(story.id)
        if cached is None or cached[0] != story.meaning_n:
            total = np.frombuffer(bytes(story.meaning), dtype=np.float32)
            if self.usual is not None and len(total) != len(self.usual):
                return None
            cached = (story.meaning_n, self._center(total / story.meaning_n))
            self._centroids[story.id] = cached
        return cached[1]

    def added(self, story: Story, ticket_id: int) -> None:
        """A ticket joined `story`: its vector goes into the centroid (read at the end if not in memory)."""
        vector = self.vectors.get(ticket_id)
        if vector is None:
            self.pending[story.pk].append(ticket_id)
            return
        _story_add(story, vector, 1)
        self.loose_at.pop(ticket_id, None)

    def merged(self, small: Story, big: Story) -> None:
        if small.meaning_n and small.meaning:
            _story_add(big, np.frombuffer(bytes(small.meaning), dtype=np.float32), small.meaning_n)
        small.meaning, small.meaning_n = b"", 0  # its tickets' meaning is kept once, in the story it went into
        self.pending[big.pk].extend(self.pending.pop(small.pk, []))

    def pending_read(self, stories: dict[int, Story]) -> None:
        """The vectors of tickets that joined from earlier pages (a story of terms or links formed with them), read
        in one query and added to their stories' centroids."""
        wanted = {t for ids in self.pending.values() for t in ids}
        if not wanted or self.usual is None:
            return
        from advocacy.embeddings import from_bytes

        found = {
            t: from_bytes(blob)
            for t, blob in TicketMeaning.objects.filter(ticket_id__in=wanted).values_list("ticket_id", "vector")
        }
        for story_id, ids in self.pending.items():
            story = stories[story_id]
            for t in ids:
                if t in found and len(found[t]) == len(self.usual):
                    _story_add(story, found[t], 1)
        self.pending.clear()

    def cosine(self, ticket_id: int, story: Story) -> float | None:
        vector = self.centered.get(ticket_id)
        centroid = self.centroid(story)
        if vector is None or centroid is None:
            return None
        return float(vector @ centroid)

    def vetoed(self, ticket_id: int, story: Story) -> bool:
        """The ticket's words chose `story`, but its meaning is far from it."""
        cosine = self.cosine(ticket_id, story)
        return cosine is not None and cosine < VETO_COSINE


def _story_add(story: Story, vector: np.ndarray, n: int) -> None:
    if story.meaning and story.meaning_n:
        total = np.frombuffer(bytes(story.meaning), dtype=np.float32)
        if len(total) == len(vector):
            story.meaning = (total + vector).astype(np.float32).tobytes()
            story.meaning_n += n
            return
    story.meaning = np.asarray(vector, dtype=np.float32).tobytes()
    story.meaning_n = n


def join_by_meaning(m: Matcher, read: Read) -> bool:
    """The ticket joins the active live story nearest in meaning, at JOIN_COSINE or more."""
    meanings = m.meanings
    if read.pk not in meanings.centered:
        return False
    active = set(m.pace.active(read.at, HOT_MIN))
    # A story with many tickets' meaning behind it and one in the last hours (a release talked about all
    # afternoon at a slow pace) takes a ticket too, on a stricter cosine: its centroid is trusted, its pace is not.
    established = {
        pk
        for pk, s in m.stories.items()
        if s.meaning_n >= ESTABLISHED_N and read.at - s.last_at <= ESTABLISHED_QUIET and pk not in active
    }
    bars = {
        story_id: m.thresholds.join if story_id in active else max(m.thresholds.join, ESTABLISHED_COSINE)
        for story_id in active | established
        if (story := m.stories.get(story_id)) is not None
        and not story.merged_into_id
        and story.state != Story.State.CLOSED
        and told_near(story, read.at, m.window)
    }
    return join_nearest(m, read, bars, Membership.Via.MEANING, "reads like the story's mentions (meaning {:.2f})")


def join_nearest(m: Matcher, read: Read, bars: dict[int, float], via: str, reason: str) -> bool:
    """The ticket joins the story nearest in meaning of `bars` (each story's id with the cosine it takes at least),
    unless an advocate moved it out of that story; `reason` is said with the cosine. False: none is near enough.
    Of two as near, the first."""
    best: tuple[float, Story] | None = None
    for story_id, bar in bars.items():
        if (read.pk, story_id) in m.excluded:
            continue
        story = m.stories[story_id]
        cosine = m.meanings.cosine(read.pk, story)
        if cosine is not None and cosine >= bar and (best is None or cosine > best[0]):
            best = (cosine, story)
    if best is None:
        return False
    m.join(best[1], read, via, reason.format(best[0]))
    return True


def form_by_meaning(m: Matcher, read: Read) -> bool:
    """The ticket and at least two loose tickets of the last hour near it in meaning make a new story."""
    meanings = m.meanings
    mine = meanings.centered.get(read.pk)
    if mine is None:
        return False
    near = [
        t
        for t in meanings.loose_near(read.at - BURST, read.at)
        if t != read.pk and m.is_loose(t) and float(meanings.centered[t] @ mine) >= FORM_COSINE
    ]
    if len(near) + 1 < FORM_MIN:
        return False
    members = m.reads_of(sorted(near))
    if praise_alone(m, [*members, read]):
        return False
    story = m.make(Story.Origin.MEANING, [*members, read], links=[])
    for member in (*members, read):
        m.join(story, member, Membership.Via.MEANING, "reads like the other mentions of the last hour")
    return True


def loose_add(m: Matcher, read: Read) -> None:
    """A page's ticket left outside any story is compared with the next ones."""
    if read.pk in m.meanings.centered and m.is_loose(read.pk):
        m.meanings.loose_set(read.pk, read.at)


def reattach_by_meaning(m: Matcher) -> None:
    """Loose tickets of the last hour near the centroid of an active story the page changed join it: the first
    mentions of a wave came before it had a centroid to be compared with."""
    meanings = m.meanings
    end = max((r.at for r in m.page), default=None)
    if end is None or not meanings.loose_at:
        return
    active = set(m.pace.active(end, HOT_MIN))
    stories = [
        s
        for s in m.stories.values()
        if s.pk in m.dirty and s.pk in active and not s.merged_into_id and s.state != Story.State.CLOSED
    ]
    centroids = [(s, c) for s in stories if (c := meanings.centroid(s)) is not None]
    loose = [t for t in meanings.loose_at if m.is_loose(t) and t in meanings.centered]
    if not centroids or not loose:
        return
    sims = np.stack([meanings.centered[t] for t in loose]) @ np.stack([c for _s, c in centroids]).T
    chosen: dict[int, tuple[Story, float]] = {}
    for row, ticket_id in enumerate(loose):
        for col in np.argsort(-sims[row]):
            story, cosine = centroids[int(col)][0], float(sims[row, int(col)])
            if cosine < m.thresholds.join:
                break
            if (ticket_id, story.pk) not in m.excluded:
                chosen[ticket_id] = (story, cosine)
                break
    if not chosen:
        return
    for read in sorted(m.reads_of(sorted(chosen)), key=lambda r: (r.at, r.pk)):
        story, cosine = chosen[read.pk]
        m.join(story, read, Membership.Via.MEANING, f"reads like the story's mentions (meaning {cosine:.2f})")
