"""A person's weighed activities (the person page, the API), and the recognition list: people who moved up a
level (people.journey.record makes the rows), for a manager to thank in one click through the existing flows (a
gift requested, people.contributions.gift_add; a code given, people.codes.code_give) or to dismiss. Each decision
locks the row first, so two managers clicking at once send one gift, not two: the second is told it was already
decided."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from people.codes import code_give
from people.contributions import gift_add
from people.models import Activity, ActivityWeight, Recognition

SHOWN = 100  # open recognitions listed, newest first


def recognitions_open() -> QuerySet[Recognition]:
    """The open list, newest first, with what its rows show (one query)."""
    return Recognition.objects.filter(state=Recognition.State.OPEN).select_related(
        "person", "from_level", "to_level", "to_level__discount_batch"
    )[:SHOWN]


def _decide(pk: int, user: Any, act: Any) -> tuple[Recognition, str]:
    with transaction.atomic():
        recognition = Recognition.objects.select_for_update().select_related("person", "to_level").get(pk=pk)
        if recognition.state != Recognition.State.OPEN:
            raise ValidationError(f"Already decided: {recognition.get_state_display().lower()}.")
        state, said = act(recognition)
        recognition.state, recognition.decided_by, recognition.decided_at = state, user, timezone.now()
        recognition.save(update_fields=["state", "decided_by", "decided_at"])
    return recognition, said


def recognition_gift(*, pk: int, user: Any) -> tuple[Recognition, str]:
    """Request the level's suggested gift for the person (a Gift, state requested, in their history)."""

    def act(r: Recognition) -> tuple[str, str]:
        if not r.to_level.gift_item:
            raise ValidationError(f"{r.to_level} suggests no gift: set one in admin (People > Levels).")
        gift_add(person=r.person, item=r.to_level.gift_item, user=user)
        return Recognition.State.GIFT_SENT, f"{r.to_level.gift_item} requested for {r.person}."

    return _decide(pk, user, act)


def recognition_code(*, pk: int, user: Any) -> tuple[Recognition, str]:
    """Give the person the next free code of the level's batch (or of the newest batch with one left)."""

    def act(r: Recognition) -> tuple[str, str]:
        code = code_give(person=r.person, user=user, batch=r.to_level.discount_batch)
        return Recognition.State.CODE_SENT, f"Code {code.code} given to {r.person}: send it to them."

    return _decide(pk, user, act)


def recognition_dismiss(*, pk: int, user: Any) -> tuple[Recognition, str]:
    return _decide(pk, user, lambda r: (Recognition.State.DISMISSED, f"Dismissed for {r.person}."))


def activities_weighed(person_id: int, limit: int | None = None) -> list[Activity]:
    """A person's activities, newest first, each with `weight`: what its kind is worth now (one query)."""
    weight = ActivityWeight.objects.filter(kind=OuterRef("kind")).values("points")[:1]
    rows = Activity.objects.filter(person_id=person_id).annotate(weight=Coalesce(Subquery(weight), 0))
    return list(rows[:limit] if limit else rows)
