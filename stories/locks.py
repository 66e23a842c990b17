"""Who may change a story, and the locks a change takes.

A change of a story's tickets (move out, move in, merge) takes the detector's row first: the detector writes a
page's stories (their sizes) from what it read at the start of its page, so a membership changed meanwhile would
be written over; runs and changes queue on the same row instead, and sizes stay right. Stories are then locked
in id order (a merge locks two), so two changes never wait on each other crosswise.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from stories.models import DetectorState, Story


def ensure_can_work(user: Any) -> None:
    if not user.has_perm("mentions.work_queue"):
        raise PermissionDenied("You cannot work stories.")


def state_locked() -> DetectorState:
    """The detector's state row, locked until the transaction ends: detector runs, incidents and advocates' edits
    of stories take it first, so none overwrites another's changes to a story."""
    state = DetectorState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        DetectorState.objects.get_or_create(pk=1)  # once per desk; a concurrent first run may have made it
        state = DetectorState.objects.select_for_update().get(pk=1)
    return state


def stories_locked(*pks: int) -> list[Story]:
    """The stories, row-locked in id order; ValidationError if one is gone."""
    found = {s.pk: s for s in Story.objects.select_for_update().filter(pk__in=pks).order_by("pk")}
    missing = [pk for pk in pks if pk not in found]
    if missing:
        raise ValidationError(f"Story {missing[0]} is gone: reload the page.")
    return [found[pk] for pk in pks]


def story_live(story: Story) -> None:
    """A story merged into another takes no more changes: its tickets are there now."""
    if story.merged_into_id:
        raise ValidationError(f"This story was merged into story {story.merged_into_id}: work it there.")
