"""The story detector: reads each new ticket once and puts it in a story when it tells the same story as others.

A ticket joins a story (in this order):
1. **Same link**: its first mention links to a page (normalised, stories.text) that a live story's tickets, or
   an incident, link to; or that tickets outside any story link to within the window: they become a story.
2. **Shared terms**: it shares two or more of a live story's core terms (the terms most of its tickets use).
3. **A new story of terms**: it and at least two tickets outside any story, within the window, share the same
   pair of distinctive terms.

A term is distinctive when it is rare in the weeks before (TermDay; on a new desk without weeks behind it, when
it is not in most of the day's tickets); each ticket keeps its most bursting terms, those used today well above
their usual rate, so a release's or an outage's words win over a long post's rare words. Everything a page of
new tickets needs is read in a few queries (the inverted index, Key), and written with one statement per table.

Runs after each ingest committed (intake's after-ingest hook, in the worker), from beat for anything missed,
and at once with `manage.py stories_update`. Runs are serialised on the DetectorState row, and a ticket is read
once (its Signature), so running twice at once or again is harmless.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import combinations
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Sum
from django.utils import timezone

from mentions.coverage import Coverage
from mentions.models import Message, Ticket
from stories.models import DetectorState, Exclusion, Key, Membership, Signature, Story, TermDay
from stories.text import text_links, text_words

logger = logging.getLogger(__name__)

BATCH = 500
TERMS_PER_TICKET = 8  # the most bursting distinctive terms kept per ticket
BACKGROUND_DAYS = 28
BACKGROUND_MIN = 200  # tickets in the weeks before for their shares to mean something
BACKGROUND_SHARE = 0.02  # a term in more than 2% of the weeks' tickets is everyday vocabulary
COLD_MIN = 30
COLD_SHARE = 0.2  # without weeks behind: a term in more than 20% of the day's tickets is everyday vocabulary
CORE_SHARE = 0.3  # a story's core terms: used by 30% of its tickets (and at least two)
CORE_MAX = 10
STORY_TERMS_KEPT = 40
FORM_MIN = 3  # tickets sharing the same pair of terms that make a new story
SAFE_LAG = timedelta(minutes=15)  # older tickets are committed: the detector never looks below them again
ANY_TICKET = ""  # TermDay's row per day that counts the day's tickets


def window() -> timedelta:
    return timedelta(hours=settings.DESK_STORY_WINDOW_HOURS)


@dataclass
class DetectResult:
    read: int = 0
    joined: int = 0
    made: int = 0

    def add(self, other: DetectResult) -> None:
        self.read += other.read
        self.joined += other.joined
        self.made += other.made


@dataclass
class _Read:
    """A new ticket as the detector read it."""

    pk: int
    at: datetime
    platform: str
    subject: str
    links: list[str]
    words: dict[str, str]  # every usable term: stem -> word as written
    terms: list[str] = field(default_factory=list)  # its distinctive terms, most bursting first


@dataclass
class _Hit:
    ticket_id: int | None
    story_id: int | None
    at: datetime


def stories_after_ingest(*, ticket_ids: list[int], now: datetime | None, coverage: Coverage) -> dict[str, int]:
    """intake's after-ingest hook: read what was just stored (and anything earlier still unread)."""
    if not ticket_ids:
        return {}
    result = stories_detect()
    from stories.spikes import spikes_after_detect  # spikes read what detection just wrote

    figures = {"stories_read": result.read, "stories_joined": result.joined, "stories_made": result.made}
    return {**figures, **spikes_after_detect()}


def stories_detect(*, batch: int = BATCH) -> DetectResult:
    """Read every ticket not read yet, a page at a time, each page in its own transaction."""
    total = DetectResult()
    while True:
        with transaction.atomic():
            state = _state_locked()
            unread = _unread(state, batch)
            if not unread:
                _watermark_advance(state)
                return total
            total.add(_page_detect(unread))
            state.runs += 1
            state.save(update_fields=["runs", "updated_at"])


def _state_locked() -> DetectorState:
    DetectorState.objects.get_or_create(pk=1)
    return DetectorState.objects.select_for_update().get(pk=1)


def _unread(state: DetectorState, batch: int) -> list[Any]:
    read = Signature.objects.filter(ticket_id=OuterRef("pk"))
    return list(
        Ticket.objects.filter(pk__gt=state.last_ticket_id, merged_into__isnull=True)
        .filter(~Exists(read))
        .order_by("pk")
        .values("pk", "subject", "requested_at", "channel__kind")[:batch]
    )


def _watermark_advance(state: DetectorState) -> None:
    """Nothing is left unread: tickets stored before SAFE_LAG ago are never looked at again."""
    safe = Ticket.objects.filter(pk__gt=state.last_ticket_id, created_at__lt=timezone.now() - SAFE_LAG).aggregate(
        top=Max("pk")
    )["top"]
    if safe:
        state.last_ticket_id = safe
        state.save(update_fields=["last_ticket_id", "updated_at"])


def _first_mentions(ids: list[int]) -> dict[int, str]:
    text: dict[int, str] = {}
    rows = (
        Message.objects.filter(ticket_id__in=ids, kind=Message.Kind.INBOUND)
        .order_by("ticket_id", "platform_created_at", "pk")
        .values_list("ticket_id", "title", "body")
    )
    for ticket_id, title, body in rows:
        if ticket_id is not None and ticket_id not in text:
            text[ticket_id] = f"{title}\n{body}" if title else body
    return text


def _page_detect(rows: list[dict[str, Any]]) -> DetectResult:
    texts = _first_mentions([row["pk"] for row in rows])
    page = [
        _Read(
            pk=row["pk"],
            at=row["requested_at"],
            platform=row["channel__kind"],
            subject=row["subject"],
            links=text_links(texts.get(row["pk"], "")),
            words=text_words(texts.get(row["pk"], "")),
        )
        for row in rows
    ]
    _terms_count(page)
    _terms_choose(page)
    page.sort(key=lambda r: (r.at, r.pk))
    return _Matcher(page).run()


def _terms_count(page: list[_Read]) -> None:
    """Add the page's tickets to each day's term counts: one upsert statement per few thousand rows."""
    counts: Counter[tuple[str, date]] = Counter()
    for read in page:
        day = read.at.date()
        counts[(ANY_TICKET, day)] += 1
        for stem in read.words:
            counts[(stem[:100], day)] += 1
    table = TermDay._meta.db_table
    items = list(counts.items())
    for start in range(0, len(items), 3000):
        chunk = items[start : start + 3000]
        values = ", ".join(["(%s, %s, %s)"] * len(chunk))
        params: list[Any] = []
        for (term, day), n in chunk:
            params += [term, day, n]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (term, day, tickets) VALUES {values} "  # noqa: S608 (table name from the model)
                f"ON CONFLICT (term, day) DO UPDATE SET tickets = {table}.tickets + excluded.tickets",
                params,
            )


def _sums(terms: list[str], start: date, end: date) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in range(0, len(terms), 2000):
        chunk = terms[i : i + 2000]
        rows = (
            TermDay.objects.filter(term__in=chunk, day__gte=start, day__lte=end)
            .values("term")
            .annotate(n=Sum("tickets"))
            .values_list("term", "n")
        )
        out.update(rows)
    return out


def _terms_choose(page: list[_Read]) -> None:
    """Each ticket's distinctive terms, most bursting first: used today well above their usual share."""
    first = min(r.at for r in page).date()
    last = max(r.at for r in page).date()
    stems = sorted({stem[:100] for r in page for stem in r.words} | {ANY_TICKET})
    background = _sums(stems, first - timedelta(days=BACKGROUND_DAYS), first - timedelta(days=1))
    today = _sums(stems, first, last)
    n_bg = background.get(ANY_TICKET, 0)
    n_today = max(1, today.get(ANY_TICKET, 0))
    for read in page:
        scored = []
        for stem in read.words:
            df_bg = background.get(stem[:100], 0)
            df_today = today.get(stem[:100], 0)
            if n_bg >= BACKGROUND_MIN:
                if df_bg / n_bg > BACKGROUND_SHARE:
                    continue
            elif n_today >= COLD_MIN and df_today / n_today > COLD_SHARE:
                continue
            usual = (df_bg + 1) / (n_bg + 1)
            burst = (df_today + 1) / (usual * n_today + 1)
            scored.append((-burst, -len(stem), stem))
        read.terms = [stem for _b, _l, stem in sorted(scored)[:TERMS_PER_TICKET]]


def story_core(counts: dict[str, list[Any]], size: int) -> list[str]:
    """The terms most of a story's tickets use: at least CORE_SHARE of them and two tickets."""
    floor = max(2.0, CORE_SHARE * size)
    ranked = sorted(((n, stem) for stem, (_word, n) in counts.items() if n >= floor), reverse=True)
    return [stem for _n, stem in ranked[:CORE_MAX]]


class _Matcher:
    """Matches a page of new tickets, in posting order, against the window and each other."""

    def __init__(self, page: list[_Read]) -> None:
        self.page = page
        self.result = DetectResult(read=len(page))
        self.window = window()
        self.form_window = self.window / 2
        self.hits: dict[str, list[_Hit]] = defaultdict(list)
        self.story_of: dict[int, int] = {}  # ticket id -> story id
        self.stories: dict[int, Story] = {}
        self.excluded: set[tuple[int, int]] = set()
        self.new_memberships: list[Membership] = []
        self.dirty: set[int] = set()
        self.joined_answered: dict[int, list[int]] = defaultdict(list)

    # -- loading --------------------------------------------------------------------------------------------
    def _load(self) -> None:
        keys = sorted({k for r in self.page for k in _keys(r)})
        start = min(r.at for r in self.page) - self.window
        for i in range(0, len(keys), 2000):
            rows = Key.objects.filter(key__in=keys[i : i + 2000], at__gte=start).values_list(
                "key", "ticket_id", "story_id", "at"
            )
            for key, ticket_id, story_id, at in rows:
                self.hits[key].append(_Hit(ticket_id, story_id, at))
        ticket_ids = {h.ticket_id for hits in self.hits.values() for h in hits if h.ticket_id is not None}
        for ticket_id, story_id in Membership.objects.filter(ticket_id__in=ticket_ids).values_list(
            "ticket_id", "story_id"
        ):
            self.story_of[ticket_id] = story_id
        story_ids = set(self.story_of.values()) | {
            h.story_id for hits in self.hits.values() for h in hits if h.story_id is not None
        }
        self._stories_load(story_ids)
        self.excluded = set(
            Exclusion.objects.filter(ticket_id__in=[r.pk for r in self.page]).values_list("ticket_id", "story_id")
        )

    def _stories_load(self, story_ids: set[int]) -> None:
        pending = set(story_ids)
        while pending:
            loaded = {s.pk: s for s in Story.objects.filter(pk__in=pending)}
            self.stories.update(loaded)
            pending = {s.merged_into_id for s in loaded.values() if s.merged_into_id} - set(self.stories)

    def _live(self, story_id: int | None, at: datetime) -> Story | None:
        """The story a hit belongs to, followed through merges, if it can still take tickets."""
        seen = 0
        story = self.stories.get(story_id) if story_id is not None else None
        while story is not None and story.merged_into_id and seen < 10:
            story = self.stories.get(story.merged_into_id)
            seen += 1
        if story is None or story.state == Story.State.CLOSED or story.merged_into_id:
            return None
        if story.last_at < at - self.window:
            return None
        return story

    # -- matching -------------------------------------------------------------------------------------------
    def run(self) -> DetectResult:
        self._load()
        for read in self.page:
            self._match(read)
            for key in _keys(read):
                self.hits[key].append(_Hit(read.pk, None, read.at))
        self._save()
        return self.result

    def _near(self, key: str, at: datetime, span: timedelta) -> list[_Hit]:
        return [h for h in self.hits.get(key, ()) if abs(h.at - at) <= span]

    def _match(self, read: _Read) -> None:
        if self._by_link(read) or self._by_story_terms(read):
            return
        self._form_by_terms(read)

    def _by_link(self, read: _Read) -> bool:
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
                story = max(stories.values(), key=lambda s: (s.size, -s.pk))
                self._join(story, read, Membership.Via.LINK, reason, link=link)
                return True
            loose = [
                h.ticket_id
                for h in near
                if h.ticket_id is not None
                and h.ticket_id not in self.story_of
                and abs(h.at - read.at) <= self.form_window
            ]
            if loose:
                members = [self._read_of(t) for t in dict.fromkeys(loose)]
                story = self._make(Story.Origin.LINK, [*members, read], links=[link])
                for member in (*members, read):
                    self._join(story, member, Membership.Via.LINK, reason, link=link)
                return True
        return False

    def _by_story_terms(self, read: _Read) -> bool:
        candidates: dict[int, Story] = {}
        for stem in read.terms:
            for h in self._near("t:" + stem, read.at, self.window):
                story = self._live(h.story_id or self.story_of.get(h.ticket_id or 0), read.at)
                if story is not None and (read.pk, story.pk) not in self.excluded:
                    candidates[story.pk] = story
        best: tuple[int, int, Story, list[str]] | None = None
        for story in candidates.values():
            shared = [stem for stem in story_core(story.term_counts, story.size) if stem in read.words]
            if len(shared) >= 2 and (best is None or (len(shared), story.size) > best[:2]):
                best = (len(shared), story.size, story, shared)
        if best is None:
            return False
        story, shared = best[2], best[3]
        self._join(story, read, Membership.Via.TERMS, _shares(shared, read.words))
        return True

    def _form_by_terms(self, read: _Read) -> None:
        shared_with: dict[int, set[str]] = defaultdict(set)
        for stem in read.terms:
            for h in self._near("t:" + stem, read.at, self.form_window):
                if h.ticket_id is not None and h.ticket_id != read.pk and h.ticket_id not in self.story_of:
                    shared_with[h.ticket_id].add(stem)
        pairs: Counter[tuple[str, str]] = Counter()
        for stems in shared_with.values():
            if len(stems) >= 2:
                pairs.update(combinations(sorted(stems), 2))
        if not pairs:
            return
        (pair, count) = max(pairs.items(), key=lambda item: (item[1], item[0]))
        if count + 1 < FORM_MIN:
            return
        members = [self._read_of(t) for t, stems in shared_with.items() if set(pair) <= stems]
        story = self._make(Story.Origin.TERMS, [*members, read], links=[])
        for member in (*members, read):
            self._join(story, member, Membership.Via.TERMS, _shares(_common(member, story), member.words))

    # -- writing --------------------------------------------------------------------------------------------
    def _read_of(self, ticket_id: int) -> _Read:
        for read in self.page:
            if read.pk == ticket_id:
                return read
        return _stored_read(ticket_id)

    def _make(self, origin: str, members: list[_Read], *, links: list[str]) -> Story:
        counts: dict[str, list[Any]] = {}
        for member in members:
            for stem, word in member.words.items():
                counts.setdefault(stem, [word, 0])[1] += 1
        story = Story(
            title="",
            origin=origin,
            links=links,
            term_counts=_trim(counts),
            size=0,
            first_at=min(m.at for m in members),
            last_at=max(m.at for m in members),
        )
        story.title = _title(members, story)
        story.terms = {stem: counts[stem][0] for stem in story_core(counts, len(members))}
        story.term_counts = {}  # each member's terms are counted as it joins
        story.save()
        self.stories[story.pk] = story
        self.result.made += 1
        return story

    def _join(self, story: Story, read: _Read, via: str, reason: str, *, link: str = "") -> None:
        if read.pk in self.story_of:
            return
        self.story_of[read.pk] = story.pk
        self.new_memberships.append(Membership(story=story, ticket_id=read.pk, via=via, reason=reason))
        story.size += 1
        story.first_at = min(story.first_at, read.at)
        story.last_at = max(story.last_at, read.at)
        if link and link not in story.links and len(story.links) < 10:
            story.links = [*story.links, link]
        counts = story.term_counts
        for stem, word in read.words.items():
            counts.setdefault(stem, [word, 0])[1] += 1
        story.term_counts = _trim(counts) if len(counts) > STORY_TERMS_KEPT * 2 else counts
        self.dirty.add(story.pk)
        self.result.joined += 1
        if story.state == Story.State.ANSWERED:
            self.joined_answered[story.pk].append(read.pk)

    def _save(self) -> None:
        Signature.objects.bulk_create(
            [
                Signature(
                    ticket_id=r.pk, at=r.at, platform=r.platform, links=r.links, terms={s: r.words[s] for s in r.terms}
                )
                for r in self.page
            ],
            ignore_conflicts=True,
        )
        Key.objects.bulk_create([Key(key=k, ticket_id=r.pk, at=r.at) for r in self.page for k in _keys(r)])
        Membership.objects.bulk_create(self.new_memberships, ignore_conflicts=True)
        changed = [self.stories[pk] for pk in self.dirty]
        for story in changed:
            story.term_counts = _trim(story.term_counts)
            story.terms = {stem: story.term_counts[stem][0] for stem in story_core(story.term_counts, story.size)}
        Story.objects.bulk_update(
            changed, ["size", "first_at", "last_at", "links", "term_counts", "terms", "updated_at"]
        )
        if self.joined_answered:
            from stories.drafts import answered_story_joined

            for story_id, ticket_ids in self.joined_answered.items():
                answered_story_joined(story=self.stories[story_id], ticket_ids=ticket_ids)


def _keys(read: _Read) -> list[str]:
    return [f"l:{link}" for link in read.links] + [f"t:{stem[:290]}" for stem in read.terms]


def _trim(counts: dict[str, list[Any]]) -> dict[str, list[Any]]:
    kept = sorted(counts.items(), key=lambda item: (-item[1][1], item[0]))[:STORY_TERMS_KEPT]
    return dict(kept)


def _common(read: _Read, story: Story) -> list[str]:
    return [stem for stem in story.terms if stem in read.words]


def _shares(stems: list[str], words: dict[str, str]) -> str:
    return ("shares: " + ", ".join(words.get(stem, stem) for stem in stems[:5]))[:300]


def _title(members: list[_Read], story: Story) -> str:
    """The subject that says most of the story: a post's title when one links to it, else the subject using the
    most of its core terms (the earliest on a tie)."""
    core = set(story_core(story.term_counts, len(members)))
    best = max(
        members,
        key=lambda m: (len(core & set(m.words)), bool(m.subject and m.platform in {"reddit", "hackernews"}), -m.pk),
    )
    title = " ".join((best.subject or "").split())
    return (title or (story.links[0] if story.links else "Story"))[:300]


def _stored_read(ticket_id: int) -> _Read:
    """A ticket of an earlier page, read back from its signature (its words are its distinctive terms)."""
    signature = Signature.objects.select_related("ticket").get(ticket_id=ticket_id)
    return _Read(
        pk=ticket_id,
        at=signature.at,
        platform=signature.platform,
        subject=signature.ticket.subject,
        links=list(signature.links),
        words=dict(signature.terms),
        terms=list(signature.terms),
    )
