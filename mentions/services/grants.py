""" "Advocate for a day": time-limited advocate access for a team member.

A grant gives the Advocates group's permissions through mentions.permissions.backends while
`starts_at <= now < expires_at`. Nothing is added to or removed from groups, so a permanent
advocate never loses access when a grant of theirs ends, and access ends on the second even
if beat is down. Beat only marks ended grants and logs it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mentions.models import AdvocateGrant

logger = logging.getLogger(__name__)

MAX_GRANT = timedelta(days=14)


def advocate_grant_create(
    *,
    user: Any,
    granted_by: Any,
    hours: float = 24,
    starts_at: datetime | None = None,
    reason: str = "",
) -> AdvocateGrant:
    starts_at = starts_at or timezone.now()
    if hours <= 0:
        raise ValidationError("A grant lasts some time: give a positive number of hours.")
    duration = timedelta(hours=hours)
    if duration > MAX_GRANT:
        raise ValidationError("Grants last at most 14 days: make the person an advocate instead.")
    if not user.is_active:
        raise ValidationError(f"{user.get_username()} is not an active user.")
    grant = AdvocateGrant.objects.create(
        user=user, granted_by=granted_by, reason=reason.strip(), starts_at=starts_at, expires_at=starts_at + duration
    )
    advocate_grant_log(grant=grant, action="granted", by=granted_by)
    return grant


def advocate_grant_log(*, grant: AdvocateGrant, action: str, by: Any = None) -> None:
    logger.info(
        "advocate grant %s %s: user=%s by=%s from %s until %s reason=%r",
        grant.pk,
        action,
        grant.user.get_username(),
        by.get_username() if by is not None else "system",
        grant.starts_at.isoformat(),
        grant.expires_at.isoformat(),
        grant.reason,
    )


def advocate_grant_end(*, grant: AdvocateGrant, by: Any, now: datetime | None = None) -> AdvocateGrant:
    """End a grant early (an admin's "End now")."""
    now = now or timezone.now()
    with transaction.atomic():
        grant = AdvocateGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
        if grant.expires_at <= now:
            return grant
        grant.expires_at = max(now, grant.starts_at + timedelta(microseconds=1))
        grant.ended_at = now
        grant.save(update_fields=["expires_at", "ended_at", "updated_at"])
    advocate_grant_log(grant=grant, action="revoked", by=by)
    return grant


def advocate_grants_expire(*, now: datetime | None = None) -> int:
    """Beat: mark grants that ran out (access already stopped at expiry) and log each once."""
    now = now or timezone.now()
    ended = 0
    expired = AdvocateGrant.objects.select_related("user").filter(ended_at__isnull=True, expires_at__lte=now)
    for grant in expired:
        if AdvocateGrant.objects.filter(pk=grant.pk, ended_at__isnull=True).update(ended_at=now):
            advocate_grant_log(grant=grant, action="expired", by=None)
            ended += 1
    return ended
