"""A status page's incident in the stories: recorded once per feed, and, while it is going on, the story that the
tickets about it join.

A new unresolved incident (started within the story window) joins a live story that already tells it (a ticket of
the story links to the incident's page, or two or more of the story's core terms are words of the incident's
name) or opens a story of its own (origin "incident", its title the incident's name). Either way the story gets
story-level `Key` rows for the incident's page and the words of its name, so the detector (stories.detection.detector,
`_Matcher`: a Key with a story matches like a ticket of that story) puts the tickets that follow, linking to the
page or sharing the words, into it. Tickets that arrived before the incident are not read again: they stay where
the detector put them (loose, or in a story of their own).

An incident seen again updates its status and resolution; a resolved one stays recorded, with `resolved_at`. While
an incident is unresolved its story's keys are kept fresh, so a long outage keeps collecting its tickets.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from stories.detection.detector import story_core, window
from stories.detection.text import link_normalise, text_words
from stories.incidents.parse import ParsedIncident
from stories.locks import state_locked
from stories.models import Key, Membership, StatusFeed, StatusIncident, Story

logger = logging.getLogger(__name__)

KEEP_LIVE_EVERY = timedelta(hours=1)
MIN_SHARED = 2  # core terms of a story an incident's name must share to join it
NOT_YET = frozenset({"scheduled"})  # announced maintenance that has not begun


def incidents_record(feed: StatusFeed, parsed: list[ParsedIncident], *, now: datetime) -> dict[str, int]:
    """Record what the feed lists (in the caller's transaction, the feed locked). Returns counts."""
    items = {p.external_id: p for p in reversed(parsed)}  # the first listed (newest) wins a repeated id
    known = {i.external_id: i for i in StatusIncident.objects.filter(feed=feed, external_id__in=list(items))}
    counts: Counter[str] = Counter()
    for external_id, item in items.items():
        incident = known.get(external_id)
        if incident is None:
            incident = StatusIncident.objects.create(
                feed=feed,
                external_id=external_id,
                name=item.name,
                status=item.status,
                url=item.url,
                started_at=item.started_at,
                resolved_at=item.resolved_at,
            )
            counts["new"] += 1
        elif _update(incident, item):
            counts["updated"] += 1
        if item.over or item.status in NOT_YET:
            continue
        if incident.story_id is None and item.started_at >= now - window():
            story, made = incident_story(incident, item, now=now)
            incident.story = story
            incident.save(update_fields=["story", "updated_at"])
            counts["stories_made" if made else "stories_joined"] += 1
            logger.info(
                "status feed %s: incident %s %s story %s",
                feed.pk,
                incident.pk,
                "opened" if made else "joined",
                story.pk,
            )
        elif incident.story_id is not None:
            _keep_live(incident, item, now)
    return dict(counts)


def _update(incident: StatusIncident, item: ParsedIncident) -> bool:
    fields = {"name": item.name, "status": item.status, "url": item.url, "resolved_at": item.resolved_at}
    changed = [name for name, value in fields.items() if getattr(incident, name) != value]
    for name in changed:
        setattr(incident, name, fields[name])
    if changed:
        incident.save(update_fields=[*changed, "updated_at"])
    return bool(changed)


def incident_story(incident: StatusIncident, item: ParsedIncident, *, now: datetime) -> tuple[Story, bool]:
    """The live story the incident joins, or a new one; its keys written. Returns (story, made)."""
    state_locked()  # detector runs and advocates' edits take it too
    words = text_words(incident.name)
    links = [key for key in dict.fromkeys(link_normalise(u) for u in item.links) if key]
    story = story_by_link(links, now) or _by_terms(words, now)
    made = story is None
    if story is None:
        counts: dict[str, list[Any]] = {stem: [word, 2] for stem, word in words.items()}
        story = Story.objects.create(
            title=incident.name[:300],
            origin=Story.Origin.INCIDENT,
            links=links[:10],
            term_counts=counts,
            terms={stem: counts[stem][0] for stem in story_core(counts, 0)},
            size=0,
            first_at=min(incident.started_at, now),
            last_at=now,
        )
    else:
        added = [link for link in links if link not in story.links]
        if added and len(story.links) < 10:
            story.links = [*story.links, *added][:10]
            story.save(update_fields=["links", "updated_at"])
    story_keys_write(story, links, words, now)
    return story, made


def _keys(links: list[str], words: dict[str, str]) -> list[str]:
    # As the detector writes a ticket's keys (stories.detection.detector._keys).
    return list(dict.fromkeys([f"l:{link}" for link in links] + [f"t:{stem[:290]}" for stem in words]))


def story_keys_write(story: Story, links: list[str], words: dict[str, str], now: datetime) -> None:
    wanted = _keys(links, words)
    have = set(Key.objects.filter(key__in=wanted, story=story, ticket__isnull=True).values_list("key", flat=True))
    Key.objects.filter(key__in=list(have), story=story, ticket__isnull=True).update(at=now)
    Key.objects.bulk_create([Key(key=key, story=story, at=now) for key in wanted if key not in have])


def _keep_live(incident: StatusIncident, item: ParsedIncident, now: datetime) -> None:
    """An incident still going on keeps its story open to new tickets past the window (at most hourly)."""
    story = incident.story
    if story is None or story.merged_into_id or story.state == Story.State.CLOSED:
        return
    if story.last_at >= now - KEEP_LIVE_EVERY:
        return
    state_locked()  # detector runs and advocates' edits take it too
    Story.objects.filter(pk=story.pk).update(last_at=now)
    links = [key for key in dict.fromkeys(link_normalise(u) for u in item.links) if key]
    story_keys_write(story, links, text_words(incident.name), now)


def _hit_stories(keys: list[str], now: datetime) -> set[int]:
    """The stories behind recent keys: a story's own keys, and the stories of tickets' keys."""
    rows = list(Key.objects.filter(key__in=keys, at__gte=now - window()).values_list("ticket_id", "story_id"))
    ids = {story_id for _ticket, story_id in rows if story_id is not None}
    tickets = {ticket_id for ticket_id, _story in rows if ticket_id is not None}
    if tickets:
        ids |= set(Membership.objects.filter(ticket_id__in=tickets).values_list("story_id", flat=True))
    return ids


def _live(story_ids: set[int], now: datetime) -> list[Story]:
    """The stories, followed through merges, that can still take tickets."""
    found: dict[int, Story] = {}
    pending = set(story_ids)
    for _ in range(10):
        if not pending:
            break
        loaded = list(Story.objects.filter(pk__in=pending))
        found.update({s.pk: s for s in loaded if not s.merged_into_id})
        pending = {s.merged_into_id for s in loaded if s.merged_into_id} - set(found)
    since = now - window()
    return [s for s in found.values() if s.state != Story.State.CLOSED and s.last_at >= since]


def story_by_link(links: list[str], now: datetime) -> Story | None:
    if not links:
        return None
    stories = _live(_hit_stories([f"l:{link}" for link in links], now), now)
    return max(stories, key=lambda s: (s.size, -s.pk), default=None)


def _by_terms(words: dict[str, str], now: datetime) -> Story | None:
    if len(words) < MIN_SHARED:
        return None
    best: tuple[int, int, int] | None = None
    chosen = None
    # Every live story, not only those a recent key names: a story's tickets are indexed by their links alone once
    # they are in it (stories.detection.matching), and live stories are few.
    live = Story.objects.filter(merged_into__isnull=True, last_at__gte=now - window()).values_list("pk", flat=True)
    for story in _live(set(live), now):
        shared = sum(1 for stem in story_core(story.term_counts, story.size) if stem in words)
        rank = (shared, story.size, -story.pk)
        if shared >= MIN_SHARED and (best is None or rank > best):
            best, chosen = rank, story
    return chosen
