"""The day before a release (the desk's time zone), its plan opens a story (origin "release") so the mentions of
the release day gather in one place as they arrive.

The story is the one the detector already keeps for the post's address, when there is one; else a new story titled
after the post. Either way it gets story-level index keys (stories.models.Key) for the post's normalised address
and for the words of its title and version, as an incident's story does (stories.incidents.record): the detector
(stories.detection.matching) then puts each new ticket linking the post (scheme, www., trailing slash, utm_ parameters
aside) or reading like the release ("18.6", the title's words) into it, on the ingest's own path. Until the day
after the release its keys and its last activity are kept fresh, so the window (DESK_STORY_WINDOW_HOURS) never
closes it before the day is over.

The plan's answer is the story's once a person approved it: new tickets then get it as their draft, fitted to
their platform (stories.answering.drafts). A plan found after its release day is recorded, never opened.

Beat runs it every five minutes (stories.releases): a plan opens once (its row locked, `story` set in the same
transaction), so two runs or two workers open one story.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from stories.answering.drafts import story_drafts_make
from stories.detection.detector import story_core
from stories.detection.text import text_words
from stories.incidents.record import story_by_link, story_keys_write
from stories.locks import state_locked
from stories.models import Membership, ReleasePlan, Story

logger = logging.getLogger(__name__)

KEEP_LIVE_EVERY = timedelta(hours=1)
OPEN_DAYS_BEFORE = 1


def release_words(plan: ReleasePlan) -> dict[str, str]:
    """The terms a mention discussing the release shares with it: its version and its title's words."""
    return text_words(f"{plan.version} {plan.title}")


def releases_open(*, now: datetime | None = None) -> dict[str, int]:
    """Open the plans due (from the day before their release day through the day itself), keep the open ones live
    until the day after. Returns counts."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    opened = kept = 0
    due = ReleasePlan.objects.filter(
        story__isnull=True,
        release_date__gte=today,
        release_date__lte=today + timedelta(days=OPEN_DAYS_BEFORE),
    ).values_list("pk", flat=True)
    for pk in list(due):
        opened += plan_open(pk, now=now)
    live = ReleasePlan.objects.filter(story__isnull=False, release_date__gte=today - timedelta(days=1))
    for plan in live.select_related("story"):
        kept += _keep_live(plan, now)
    return {k: v for k, v in {"opened": opened, "kept_live": kept}.items() if v}


def plan_open(pk: int, *, now: datetime) -> int:
    """Open one plan's story (1), or nothing when another run did (0)."""
    with transaction.atomic():
        state_locked()  # detector runs, incidents and advocates' edits of stories take it too
        plan = ReleasePlan.objects.select_for_update().filter(pk=pk, story__isnull=True).first()
        if plan is None:
            return 0
        words = release_words(plan)
        links = [plan.url_key]
        story = story_by_link(links, now)
        made = story is None
        if story is None:
            counts: dict[str, list[Any]] = {stem: [word, 2] for stem, word in words.items()}
            story = Story.objects.create(
                title=plan.title[:300],
                origin=Story.Origin.RELEASE,
                product_id=plan.product_id,
                links=links,
                term_counts=counts,
                terms={stem: counts[stem][0] for stem in story_core(counts, 0)},
                size=0,
                first_at=now,
                last_at=now,
            )
        elif story.product_id is None and plan.product_id is not None:  # the detector's story of it
            story.product_id = plan.product_id
            story.save(update_fields=["product", "updated_at"])
        story_keys_write(story, links, words, now)
        plan.story, plan.opened_at = story, now
        plan.save(update_fields=["story", "opened_at", "updated_at"])
        story_answer_set(plan)
    logger.info("release %s: %s story %s for %s", plan.pk, "opened" if made else "joined", story.pk, plan.release_date)
    return 1


def story_answer_set(plan: ReleasePlan) -> bool:
    """The plan's approved answer becomes its story's (drafted for the tickets already in it), unless the story was
    answered meanwhile or already has it. In the caller's transaction."""
    if not plan.approved or plan.story_id is None:
        return False
    story = Story.objects.select_for_update().get(pk=plan.story_id)
    if story.state != Story.State.OPEN or story.merged_into_id or story.answer == plan.answer:
        return False
    story.answer, story.answer_link = plan.answer, plan.url
    story.save(update_fields=["answer", "answer_link", "updated_at"])
    ids = list(Membership.objects.filter(story=story).values_list("ticket_id", flat=True))
    story_drafts_make(story=story, ticket_ids=ids, renew=True)
    return True


def _keep_live(plan: ReleasePlan, now: datetime) -> int:
    story = plan.story
    if story is None or story.merged_into_id or story.state == Story.State.CLOSED:
        return 0
    if story.last_at >= now - KEEP_LIVE_EVERY:
        return 0
    with transaction.atomic():
        state_locked()
        Story.objects.filter(pk=story.pk, last_at__lt=now).update(last_at=now)
        story_keys_write(story, [plan.url_key], release_words(plan), now)
    return 1
