"""Personal access tokens: made (shown once), checked, revoked."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from access.two_factor import two_factor_required
from api.models import ApiToken

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "tdk_"  # noqa: S105 (not a secret: lets a secret scanner recognise a leaked token)
MAX_DAYS = 366
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


TWO_FACTOR_FIRST = "Set up two-factor authentication on the desk first: your account requires it."


def two_factor_missing(user: Any) -> bool:
    """The user must use two-factor authentication (access.two_factor) and has no authenticator app yet.
    (access.two_factor's middleware asks the same inline; this is its question as a function.)"""
    return (
        two_factor_required(user) and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    )


def tokens_live(*, user: Any) -> int:
    """How many of the user's tokens still work (neither revoked nor expired)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).count()


def token_create(*, user: Any, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """Make a token for `user`; returns it and the secret, which is never stored nor shown again. At most
    DESK_API_TOKENS_PER_USER live tokens per user, counted under a lock on the user's row so two requests
    at once cannot both make the last one."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Name the token after what will use it.")
    if scope not in ApiToken.Scope.values:
        raise ValidationError("Choose read or read-write.")
    if scope == ApiToken.Scope.WRITE and not user.has_perm("mentions.work_queue"):
        raise PermissionDenied("Only people who work tickets can make a read-write token.")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"A token lasts between 1 and {MAX_DAYS} days.")
    if two_factor_missing(user):
        raise PermissionDenied(TWO_FACTOR_FIRST)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    cap = settings.DESK_API_TOKENS_PER_USER
    with transaction.atomic():
        # SELECT ... FOR UPDATE on the user's row: a second token_create for the same user waits here
        # until this one commits, then counts the token this one made.
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        if tokens_live(user=user) >= cap:
            raise ValidationError(
                f"You have {cap} tokens that still work, the most one person may have: "
                "revoke one you no longer use to make another."
            )
        token = ApiToken.objects.create(
            user=user,
            name=name[:80],
            prefix=raw[:12],
            digest=_digest(raw),
            scope=scope,
            expires_at=timezone.now() + timedelta(days=days),
        )
    logger.info("api: token %s (%s) made for user %s", token.pk, scope, user.pk)
    return token, raw


def token_revoke(*, token: ApiToken, user: Any) -> None:
    if token.user_id != user.pk and not user.is_superuser:
        raise PermissionDenied("That is not your token.")
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        logger.info("api: token %s revoked by user %s", token.pk, user.pk)


def token_check(raw: str) -> ApiToken | None:
    """The active token `raw` is, with its user; None when it is unknown, revoked or expired."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
