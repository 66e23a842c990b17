"""Matching a page of new tickets, in posting order, against the live stories and the window's other tickets.

A ticket joins, in this order:
1. **Same link**: the story whose tickets (or incident) link to a page its first mention links to (normalised,
   stories.detection.text); or, with the window's tickets outside any story that link there, a new story.
2. **The story it reads like**: each live story keeps how many of its tickets use each word; a word two or more
   of them use weighs log(its share in the story / its usual share), so "stacked" in a release story weighs
   far more than "gitlab". The ticket joins the story its words weigh most in, at JOIN_SCORE or more.
3. **The story it means**: the active story nearest in meaning (stories.detection.meaning), when words found none.
4. **A new story of terms**: it and at least two tickets outside any story, within half the window, share the
   same pair of bursting terms (reading.Read.terms); or, failing that, **of meaning**: two loose tickets of the
   last hour near it in meaning. A new story is never made of praise alone (stories.detection.praise).
A ticket whose words choose a story its meaning is far from stays out of it (stories.detection.meaning.VETO_COSINE).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any, TypeGuard

from django.conf import settings
from django.utils import timezone

from stories.detection.bursts import Bursts, form_burst, join_burst
from stories.detection.consolidate import consolidate
from stories.detection.keys import keys_latest, memberships_of
from stories.detection.meaning import JOIN_COSINE, Meanings, form_by_meaning, join_by_meaning, loose_add
from stories.detection.pace import PACE_REF, Pace, told_near
from stories.detection.praise import praise_alone
from stories.detection.products import own_product, product_of
from stories.detection.reading import Read, Usual, rows_copy, rows_insert, rows_update
from stories.detection.whole import MERGE_COSINE, Thresholds, thresholds
from stories.detection.words import as_json, counts_trim, keys_of, shares_reason, stored_reads, story_core, title_choose
from stories.models import Exclusion, Key, Membership, Signature, Story

HITS_PER_KEY = 60  # the latest tickets of a key the matching reads: an everyday word's thousands say no more
FORM_MIN = 3  # tickets sharing the same pair of terms that make a new story
PROFILE_MIN = 2  # a story's word counts once this many of its tickets use it
JOIN_SCORE = 5.0
WEIGHT_CAP = 4.0
QUIET_AFTER = timedelta(hours=1)
QUIET_PENALTY = 1.5
BONUS_MAX = math.log(1 / PACE_REF) + 1e-9  # the most Pace.bonus gives: a story that is the whole hour
HOT_BONUS = 1.0  # a story this far above its share of the hour (pace) may take a ticket on one word


def window() -> timedelta:
    return timedelta(hours=settings.DESK_STORY_WINDOW_HOURS)


@dataclass
class Hit:
    ticket_id: int | None
    story_id: int | None
    at: datetime


@dataclass(slots=True)
class NewMembership:
    """A membership the page makes (a model instance each would cost more than the rest of the join)."""

    story: Story
    ticket_id: int
    via: str
    reason: str


@dataclass
class Matched:
    read: int = 0
    joined: int = 0
    made: int = 0
    merged: int = 0


def _at(hit: Hit) -> datetime:
    return hit.at


class Matcher:
    def __init__(self, page: list[Read], usual: Usual) -> None:
        self.page = page
        self.usual = usual
        self.result = Matched(read=len(page))
        self.window = window()
        self.form_window = self.window / 2
        self.hits: dict[str, list[Hit]] = defaultdict(list)
        self.story_of: dict[int, int] = {}  # ticket id -> story id
        self.stories: dict[int, Story] = {}
        self.by_word: dict[str, set[int]] = defaultdict(set)  # word -> live stories whose profile holds it
        self.excluded: set[tuple[int, int]] = set()
        self.moved_out: set[int] = set()
        self.new_memberships: list[NewMembership] = []
        self.dirty: set[int] = set()
        self.joined_answered: dict[int, list[int]] = defaultdict(list)
        self.pace = Pace([r.at for r in page])
        self.weights: dict[int, tuple[int, dict[str, float]]] = {}  # story -> (its size then, {stem: weight})
        self.meanings = Meanings(page)
        self.thresholds = Thresholds(merge=MERGE_COSINE, join=JOIN_COSINE)
        self.bursts = Bursts(self)

    # -- loading --------------------------------------------------------------------------------------------
    def _load(self) -> None:
        keys = sorted({k for r in self.page for k in keys_of(r)})
        start = self.pace.start - self.window
        for key, ticket_id, story_id, at in keys_latest(keys, since=start, per_key=HITS_PER_KEY):
            self.hits[key].append(Hit(ticket_id, story_id, at))
        for hits in self.hits.values():
            hits.sort(key=_at)
        ticket_ids = {h.ticket_id for hits in self.hits.values() for h in hits if h.ticket_id is not None}
        self.story_of.update(memberships_of(ticket_ids))
        live = Story.objects.filter(merged_into__isnull=True, last_at__gte=start).exclude(state=Story.State.CLOSED)
        self._stories_load({s.pk for s in live} | set(self.story_of.values()) | self._hit_stories())
        self.usual.extend({stem for s in self.stories.values() for stem in s.term_counts})
        for story in self.stories.values():
            self._profile_index(story)
        live_ids = [pk for pk, s in self.stories.items() if not s.merged_into_id]
        self.pace.load(live_ids)
        self.meanings.load()
        self.thresholds = thresholds(JOIN_COSINE)  # this desk's, from the team's merges and move-outs
        self.bursts.load()
        if Exclusion.objects.exists():  # advocates rarely move tickets out: most pages need not ask which
            page_ids = [r.pk for r in self.page]
            self.excluded = set(Exclusion.objects.filter(ticket_id__in=page_ids).values_list("ticket_id", "story_id"))
            self.moved_out = set(Exclusion.objects.filter(ticket_id__in=ticket_ids).values_list("ticket_id", flat=True))

    def _hit_stories(self) -> set[int]:
        return {h.story_id for hits in self.hits.values() for h in hits if h.story_id is not None}

    def _stories_load(self, story_ids: set[int]) -> None:
        pending = set(story_ids)
        while pending:
            loaded = {s.pk: s for s in Story.objects.filter(pk__in=pending)}
            self.stories.update(loaded)
            pending = {s.merged_into_id for s in loaded.values() if s.merged_into_id} - set(self.stories)

    def _profile_index(self, story: Story) -> None:
        if story.merged_into_id or story.state == Story.State.CLOSED:
            return
        for stem, (_word, n) in story.term_counts.items():
            self.index_word(stem, story, n)

    def index_word(self, stem: str, story: Story, n: int) -> None:
        if n >= PROFILE_MIN:
            self.by_word[stem].add(story.pk)

    def profile(self, story: Story) -> dict[str, float]:
        """The story's words that weigh: {stem: weight > 0} for the words PROFILE_MIN of its tickets use."""
        out = {}
        for stem, (_word, n) in story.term_counts.items():
            if n >= PROFILE_MIN and (weight := self._weight(story, stem)) > 0:
                out[stem] = weight
        return out

    def _live(self, story_id: int | None, at: datetime) -> Story | None:
        """The story a hit belongs to, followed through merges, if it can still take tickets."""
        story = self.stories.get(story_id) if story_id is not None else None
        for _ in range(10):
            if story is None or not story.merged_into_id:
                break
            story = self.stories.get(story.merged_into_id)
        if story is None or story.state == Story.State.CLOSED or story.merged_into_id:
            return None
        return story if told_near(story, at, self.window) else None

    # -- matching -------------------------------------------------------------------------------------------
    def run(self) -> Matched:
        self._load()
        for read in self.page:
            joined = (
                self._by_link(read) or self._by_profile(read) or join_by_meaning(self, read) or join_burst(self, read)
            )
            if not joined and not self._form_by_terms(read) and not form_burst(self, read):
                form_by_meaning(self, read)
            loose_add(self, read)
            for key in keys_of(read):
                insort(self.hits[key], Hit(read.pk, None, read.at), key=_at)
        consolidate(self)
        self._save()
        return self.result

    def _near(self, key: str, at: datetime, span: timedelta) -> list[Hit]:
        """The key's hits within `span` of `at`, at most the HITS_PER_KEY latest of them."""
        hits = self.hits.get(key)
        if not hits:
            return []
        low = bisect_left(hits, at - span, key=_at)
        high = bisect_right(hits, at + span, key=_at)
        return hits[max(low, high - HITS_PER_KEY) : high]

    def is_loose(self, ticket_id: int | None) -> TypeGuard[int]:
        return ticket_id is not None and ticket_id not in self.story_of and ticket_id not in self.moved_out

    def _by_link(self, read: Read) -> bool:
        for link in read.links:
            near = self._near("l:" + link, read.at, self.window)
            stories = {
                s.pk: s
                for h in near
                if (s := self._live(h.story_id or self.story_of.get(h.ticket_id or 0), read.at)) is not None
                and (read.pk, s.pk) not in self.excluded
            }
            reason = f"links to the same URL: {link}"[:300]
            if stories:
                story = max(stories.values(), key=lambda s: (own_product(s, read), s.size, -s.pk))
                self.join(story, read, Membership.Via.LINK, reason, link=link)
                return True
            loose = [
                h.ticket_id for h in near if self.is_loose(h.ticket_id) and abs(h.at - read.at) <= self.form_window
            ]
            members = self.reads_of([t for t in dict.fromkeys(loose) if t is not None]) if loose else []
            if members and not praise_alone(self, [*members, read]):
                story = self.make(Story.Origin.LINK, [*members, read], links=[link])
                for member in (*members, read):
                    self.join(story, member, Membership.Via.LINK, reason, link=link)
                return True
        return False

    def _weight(self, story: Story, stem: str) -> float:
        n = story.term_counts[stem][1]
        share = (n + 0.5) / (story.size + 1)
        return min(WEIGHT_CAP, math.log(share / self.usual.share(stem)))

    def _weights(self, story: Story) -> dict[str, float]:
        """The story's word weights, computed again once it grew by a tenth (a big story's weights barely move
        with one more ticket, and reading every word's weight for every ticket would cost more than the rest)."""
        cached = self.weights.get(story.id)  # .id, not .pk: called for each story a ticket shares a word with
        if cached is None or story.size > cached[0] * 1.1 + 1:
            cached = (story.size, self.profile(story))
            self.weights[story.id] = cached
        return cached[1]

    def _by_profile(self, read: Read) -> bool:
        scores: dict[int, list[tuple[float, str]]] = {}
        by_word = self.by_word
        words = read.words
        common = words.keys() & by_word.keys()  # the few words some story weighs, found in C
        touched: set[int] = set().union(*(by_word[stem] for stem in common))
        floor, ceiling = read.at - self.window, read.at + self.window
        excluded = self.excluded
        for story_id in touched:
            story = self.stories[story_id]
            # What _live says of a story itself (one merged into another is not it), inline: a busy day has
            # hundreds of live stories, each looked at for each ticket that shares a word with it.
            if story.merged_into_id or story.state == Story.State.CLOSED or story.last_at < floor:
                continue
            if story.first_at > ceiling or (excluded and (read.pk, story_id) in excluded):
                continue
            weights = self._weights(story)  # every stem it holds weighs > 0 (profile)
            found = [(weights[stem], stem) for stem in weights.keys() & words.keys()]
            if found:
                scores[story_id] = found
        return self.join_best(read, scores)

    def _quiet(self, story_id: int, at: datetime) -> float:
        """A story quiet for a while takes a ticket on more evidence: the wave may be over."""
        return QUIET_PENALTY if at - self.stories[story_id].last_at > QUIET_AFTER else 0.0

    def join_best(self, read: Read, scores: dict[int, list[tuple[float, str]]]) -> bool:
        """Join the story the ticket's words weigh most in ({story id: [(weight, stem)]}), at JOIN_SCORE or more."""
        # A story whose words and the largest bonus the pace can give stay below JOIN_SCORE is never chosen:
        # not asking its pace is the same answer for less (a ticket shares a common word with many stories).
        weighed = {pk: sum(w for w, _s in found) for pk, found in scores.items()}
        scores = {pk: found for pk, found in scores.items() if weighed[pk] + BONUS_MAX >= JOIN_SCORE}
        bonus = {pk: self.pace.bonus(pk, read.at) for pk in scores}
        # One word alone is too little, unless the story is what the hour is about.
        totals = {
            pk: weighed[pk] + bonus[pk] - self._quiet(pk, read.at)
            for pk, found in scores.items()
            if (len(found) >= 2 or bonus[pk] >= HOT_BONUS) and not self.meanings.vetoed(read.pk, self.stories[pk])
        }
        own = {pk for pk, total in totals.items() if total >= JOIN_SCORE and own_product(self.stories[pk], read)}
        chosen = max(totals.items(), key=lambda item: (item[0] in own, item[1], -item[0]), default=None)
        if chosen is None or chosen[1] < JOIN_SCORE:
            return False
        story = self.stories[chosen[0]]
        shared = [stem for _w, stem in sorted(scores[chosen[0]], reverse=True)]
        self.join(story, read, Membership.Via.TERMS, shares_reason(shared, read.words))
        return True

    def _form_by_terms(self, read: Read) -> bool:
        shared_with: dict[int, set[str]] = defaultdict(set)
        for stem in read.terms:
            for h in self._near("t:" + stem, read.at, self.form_window):
                if self.is_loose(h.ticket_id) and h.ticket_id != read.pk:
                    shared_with[h.ticket_id].add(stem)
        pairs: Counter[tuple[str, str]] = Counter()
        for stems in shared_with.values():
            if len(stems) >= 2:
                pairs.update(combinations(sorted(stems), 2))
        if not pairs:
            return False
        pair, count = max(pairs.items(), key=lambda item: (item[1], item[0]))
        if count + 1 < FORM_MIN:
            return False
        members = self.reads_of([t for t, stems in shared_with.items() if set(pair) <= stems])
        if praise_alone(self, [*members, read]):
            return False
        story = self.make(Story.Origin.TERMS, [*members, read], links=[])
        for member in (*members, read):
            self.join(story, member, Membership.Via.TERMS, shares_reason(list(pair), member.words))
        return True

    # -- writing --------------------------------------------------------------------------------------------
    def reads_of(self, ticket_ids: list[int]) -> list[Read]:
        """The tickets as read, this page's from memory, earlier ones from their signatures in one query."""
        wanted = set(ticket_ids)
        mine = {r.pk: r for r in self.page if r.pk in wanted}
        stored = stored_reads([t for t in ticket_ids if t not in mine])
        return [mine.get(t) or stored[t] for t in ticket_ids]

    def make(self, origin: str, members: list[Read], *, links: list[str]) -> Story:
        counts: dict[str, list[Any]] = {}
        for member in members:
            for stem, word in member.words.items():
                counts.setdefault(stem, [word, 0])[1] += 1
        at = [m.at for m in members]
        story = Story(title="", origin=origin, links=links, size=0, first_at=min(at), last_at=max(at))
        story.product_id = product_of(members)  # issue 71: its first ticket's
        story.title = title_choose(members, counts)
        story.terms = {stem: counts[stem][0] for stem in story_core(counts, len(members))}
        story.term_counts = {}  # each member's words are counted as it joins
        story.save()
        self.stories[story.pk] = story
        self.result.made += 1
        return story

    def join(self, story: Story, read: Read, via: str, reason: str, *, link: str = "") -> None:
        if read.pk in self.story_of:
            return
        self.story_of[read.pk] = story.pk
        self.new_memberships.append(NewMembership(story, read.pk, via, reason))
        story.size += 1
        story.first_at = min(story.first_at, read.at)
        story.last_at = max(story.last_at, read.at)
        if link and link not in story.links and len(story.links) < 10:
            story.links = [*story.links, link]
        counts = story.term_counts
        for stem, word in read.words.items():
            entry = counts.setdefault(stem, [word, 0])
            entry[1] += 1
            if entry[1] == PROFILE_MIN:
                self.by_word[stem].add(story.pk)
        self.dirty.add(story.pk)
        self.meanings.added(story, read.pk)
        self.pace.joined(story.pk, read.at)
        self.result.joined += 1
        # An answered story's answer goes to its new tickets as their draft; so does a release story's approved
        # answer, set the day before the release (stories.releases.opening), before anyone sent it.
        if story.state == Story.State.ANSWERED or (story.origin == Story.Origin.RELEASE and story.answer):
            self.joined_answered[story.pk].append(read.pk)

    def _save(self) -> None:
        now = timezone.now()
        rows_insert(
            Signature,
            ["ticket_id", "at", "platform", "links", "terms", "created_at", "updated_at"],
            [
                (r.pk, r.at, r.platform, as_json(r.links), as_json({s: r.words[s] for s in r.terms}), now, now)
                for r in self.page
                if r.pk not in self.story_of  # a ticket in a story is marked read by its membership
            ],
            tail=" ON CONFLICT (ticket_id) DO NOTHING",
        )
        # Links index every ticket (a later one sharing it joins its story); terms only those left outside a story,
        # which is all that forming a story of terms and re-attaching look for.
        rows_copy(
            Key,
            ["key", "ticket_id", "at"],
            [(k, r.pk, r.at) for r in self.page for k in keys_of(r, terms=r.pk not in self.story_of)],
        )
        rows_insert(
            Membership,
            ["story_id", "ticket_id", "via", "reason", "created_at", "updated_at"],
            [(m.story.pk, m.ticket_id, m.via, m.reason, now, now) for m in self.new_memberships],
            tail=" ON CONFLICT (ticket_id) DO NOTHING",
        )
        changed = [self.stories[pk] for pk in self.dirty]
        self.meanings.pending_read(self.stories)
        for story in changed:
            story.term_counts = counts_trim(story.term_counts)
            story.terms = {stem: story.term_counts[stem][0] for stem in story_core(story.term_counts, story.size)}
        rows_update(
            changed,
            ["size", "reattached_size", "first_at", "last_at", "links", "term_counts", "terms", "merged_into", "state",
             "answer", "answer_link", "meaning", "meaning_n", "updated_at"],
        )  # fmt: skip
        if self.joined_answered:
            from stories.answering.drafts import answered_story_joined

            for story_id, ticket_ids in self.joined_answered.items():
                answered_story_joined(story=self.stories[story_id], ticket_ids=ticket_ids)
