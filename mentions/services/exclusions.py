"""A person's decision on an exclusion term the desk suggested (mentions.models.ExclusionSuggestion): accept it (the
worker's judgement then reads it: mentions.judgement.exclusions) or decline it (the daily recompute keeps it
declined). Nothing else changes a suggestion's state: the desk never accepts one by itself."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from mentions.models import ExclusionSuggestion

DECISIONS = (ExclusionSuggestion.State.ACCEPTED, ExclusionSuggestion.State.DECLINED)


def exclusions_decide(ids: Iterable[int], state: str, actor: Any) -> int:
    """Set the suggestions `ids` to `state` (accepted or declined), recording who and when; one UPDATE. A row
    already in that state is left as it was (its first decider kept). Returns the rows changed."""
    if state not in DECISIONS:
        raise ValidationError(f"A suggestion is accepted or declined, not {state!r}.")
    return (
        ExclusionSuggestion.objects.filter(pk__in=list(ids))
        .exclude(state=state)
        .update(state=state, decided_by=actor, decided_at=timezone.now())
    )
