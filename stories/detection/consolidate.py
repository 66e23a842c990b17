"""After a page is matched: one story told as several, and tickets that came before their story, put right.

A wave does not start in one place: the first tweets about an outage share "502", the next ones "down", the
status page's link forms a third group. Each may become a story before the others are big enough to recognise.
So after every page, the stories it changed are compared with the other live stories, and two whose distinctive
words weigh MERGE_SCORE or more in both, and are a good part of each one's words (cosine), become one (the
smaller into the larger, its tickets saying why). Then
tickets of the window outside any story that now read like a changed story join it: the early mentions that
came before the story had words to recognise them by.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from stories.detection.keys import keys_latest, memberships_of
from stories.detection.meaning import reattach_by_meaning
from stories.detection.reading import Read
from stories.detection.whole import meaning_merges
from stories.detection.words import counts_merged
from stories.models import Exclusion, Key, Membership, Signature, StatusIncident, Story

if TYPE_CHECKING:
    from stories.detection.matching import Matcher

MERGE_SCORE = 3.0  # the shared words' weight, in both
MERGE_COSINE = 0.2  # and how much of each story's weight they are: two big stories share a few words anyway
PROFILE_READ = 15  # the words of a story the loose tickets are looked up by
REATTACH_PER_KEY = 60
REATTACH_GROWTH = 1.1  # a story is compared with the loose tickets again once it grew by a tenth


def consolidate(m: Matcher) -> None:
    if not m.dirty:
        return
    m.usual.extend({stem for pk in m.dirty for stem in m.stories[pk].term_counts})
    _merge_alike(m)
    for small, big in meaning_merges(m):  # pieces of one story whose words differ but whose meaning is one
        if not small.merged_into_id and not big.merged_into_id:
            story_merge_into(m, small, big)
    _reattach(m)
    reattach_by_meaning(m)


def _live(m: Matcher) -> list[Story]:
    return [s for s in m.stories.values() if not s.merged_into_id and s.state != Story.State.CLOSED]


def _merge_alike(m: Matcher) -> None:
    live = _live(m)
    m.usual.extend({stem for s in live for stem in s.term_counts})
    # A story's profile is the same until a merge changes its words (a new dict) and size: computed once per
    # version, not once per pair (hundreds of live stories in a history's busy day).
    profiles: dict[int, tuple[int, int, dict[str, float], float]] = {}

    def profile(story: Story) -> tuple[dict[str, float], float]:
        cached = profiles.get(story.id)
        if cached is None or cached[0] != story.size or cached[1] != id(story.term_counts):
            weights = m.profile(story)
            cached = (story.size, id(story.term_counts), weights, _norm(weights))
            profiles[story.id] = cached
        return cached[2], cached[3]

    for story in sorted((s for s in live if s.pk in m.dirty), key=lambda s: (s.size, s.pk)):
        if story.merged_into_id:
            continue
        mine, mine_norm = profile(story)
        best: tuple[float, Story] | None = None
        for other in live:
            if other is story or other.merged_into_id or abs(other.last_at - story.last_at) > m.window:
                continue
            theirs, theirs_norm = profile(other)
            shared = mine.keys() & theirs.keys()
            if not shared:
                continue
            score = sum(min(mine[t], theirs[t]) for t in shared)
            if score < MERGE_SCORE:
                continue
            cosine = sum(mine[t] * theirs[t] for t in shared) / (mine_norm * theirs_norm)
            if cosine >= MERGE_COSINE and (best is None or cosine > best[0]):
                best = (cosine, other)
        if best is not None:
            small, big = sorted((story, best[1]), key=lambda s: (s.size, -s.pk))
            story_merge_into(m, small, big)


def _norm(profile: dict[str, float]) -> float:
    return math.sqrt(sum(w * w for w in profile.values())) or 1.0


def story_merge_into(m: Matcher, small: Story, big: Story) -> None:
    """`small`'s tickets, words and links go to `big`; `small` stays, pointing at it."""
    small.merged_into = big
    m.meanings.merged(small, big)
    big.reattached_size = 0  # its words changed: the loose tickets are compared with it again
    big.size += small.size
    big.first_at = min(big.first_at, small.first_at)
    big.last_at = max(big.last_at, small.last_at)
    big.links = list(dict.fromkeys([*big.links, *small.links]))[:10]
    big.term_counts = counts_merged(big.term_counts, small.term_counts)
    for stem, (_word, n) in big.term_counts.items():
        m.index_word(stem, big, n)
    small.size = 0
    for ticket_id, story_id in list(m.story_of.items()):
        if story_id == small.pk:
            m.story_of[ticket_id] = big.pk
    for membership in m.new_memberships:
        if membership.story is small:
            membership.story = big
    Membership.objects.filter(story=small).update(story=big, via=Membership.Via.MERGE)
    Key.objects.filter(story=small).update(story=big)
    StatusIncident.objects.filter(story=small).update(story=big)
    if small.state == Story.State.ANSWERED and big.state == Story.State.OPEN:
        big.state, big.answer, big.answer_link = small.state, small.answer, small.answer_link
    m.dirty.update({small.pk, big.pk})
    m.result.merged += 1


def _reattach(m: Matcher) -> None:
    """Loose tickets of the window that read like a story changed by this page join it."""
    changed = [s for s in _live(m) if s.pk in m.dirty and s.size > s.reattached_size * REATTACH_GROWTH + 1]
    if not changed:
        return
    for story in changed:
        story.reattached_size = story.size
    profiles = {s.pk: m.profile(s) for s in changed}
    words = {t for p in profiles.values() for t, _w in sorted(p.items(), key=lambda i: -i[1])[:PROFILE_READ]}
    start = min(s.first_at for s in changed) - m.window
    rows = keys_latest([f"t:{stem[:290]}" for stem in words], since=start, per_key=REATTACH_PER_KEY, tickets_only=True)
    candidates = {t for _key, t, _story, _at in rows if t is not None and m.is_loose(t)}
    candidates -= {r.pk for r in m.page}
    m.story_of.update(memberships_of(candidates))
    m.moved_out |= set(Exclusion.objects.filter(ticket_id__in=candidates).values_list("ticket_id", flat=True))
    candidates = {t for t in candidates if m.is_loose(t)}
    if not candidates:
        return
    reads = _reads(candidates)
    for read in sorted(reads, key=lambda r: (r.at, r.pk)):
        scores: dict[int, list[tuple[float, str]]] = defaultdict(list)
        for story in changed:
            pk = story.id  # not .pk (a property): this runs for each loose ticket and changed story
            if story.merged_into_id or abs(read.at - story.last_at) > m.window:
                continue
            if (read.pk, pk) in m.excluded:
                continue
            profile = profiles[pk]
            for stem in read.words:
                weight = profile.get(stem, 0.0)
                if weight > 0:
                    scores[pk].append((weight, stem))
        m.join_best(read, scores)


def _reads(ids: set[int]) -> list[Read]:
    rows: list[Any] = list(
        Signature.objects.filter(ticket_id__in=ids).values_list(
            "ticket_id", "at", "platform", "links", "terms", "ticket__subject"
        )
    )
    return [
        Read(pk=pk, at=at, platform=platform, subject=subject, links=list(links), words=dict(terms), terms=list(terms))
        for pk, at, platform, links, terms, subject in rows
    ]
