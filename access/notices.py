"""Telling an account's owner about failed sign-in attempts on it: by e-mail once it passes
DESK_SIGNIN_FAILURES failures since their last sign-in (at most once per DESK_SIGNIN_WINDOW_MINUTES, after
commit, sent by a Celery task), and as a message after their next successful sign-in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.db.models import Max
from django.db.models.functions import Lower

from access.models import SignIn
from advocacy.enqueue import task_enqueue_on_commit

logger = logging.getLogger(__name__)

NOTIFY_TASK = "access.sign_in_failures_notify"
SHOWN_ADDRESSES = 5


@dataclass(frozen=True)
class Failures:
    count: int
    addresses: list[str]  # the most recent first, at most SHOWN_ADDRESSES
    more_addresses: int


def failures_since_last_sign_in(*, user: Any) -> Failures:
    # "Since" by row id: a success and a failure can share a timestamp.
    last = SignIn.objects.filter(user=user, outcome=SignIn.Outcome.SUCCEEDED).aggregate(pk=Max("pk"))["pk"]
    rows = SignIn.objects.alias(login=Lower("username")).filter(
        login=user.username.lower(), outcome=SignIn.Outcome.FAILED, pk__gt=last or 0
    )
    count = rows.count()
    if not count:
        return Failures(0, [], 0)
    by_address = list(
        rows.exclude(address=None).values("address").annotate(last=Max("at")).order_by("-last", "address")
    )
    # The query left out rows without an address; the test says so to the type checker.
    shown = [address for row in by_address[:SHOWN_ADDRESSES] if (address := row["address"]) is not None]
    return Failures(count, shown, max(0, len(by_address) - SHOWN_ADDRESSES))


def failures_text(failures: Failures) -> str:
    """ "3 failed sign-in attempts on your account since your last sign-in, from 203.0.113.5 and 2 more." """
    attempts = "1 failed sign-in attempt" if failures.count == 1 else f"{failures.count} failed sign-in attempts"
    places = ", ".join(failures.addresses) or "an unknown address"
    if failures.more_addresses:
        places += f" and {failures.more_addresses} more"
    return f"{attempts} on your account since your last sign-in, from {places}."


def owner_notice_consider(*, login: str, now: datetime) -> None:
    """After a failure on `login`: e-mail the account's owner when it has reached DESK_SIGNIN_FAILURES since
    their last sign-in, once per window (the first failure past the threshold claims the window)."""
    for user in get_user_model().objects.filter(username__iexact=login, is_active=True).exclude(email=""):
        if failures_since_last_sign_in(user=user).count < settings.DESK_SIGNIN_FAILURES:
            continue
        # Fixed windows: the first failure past the threshold in a window claims it (an atomic add).
        window = settings.DESK_SIGNIN_WINDOW_MINUTES * 60
        if cache.add(f"access:signin-notice:{user.pk}:{int(now.timestamp() // window)}", 1, timeout=window):
            logger.info("sign-in: failures on user %s's account reached the threshold; telling them", user.pk)
            task_enqueue_on_commit(NOTIFY_TASK, user.pk)


def owner_notify(*, user_id: int) -> bool:
    """The e-mail itself (the task's work): False when there is no one or nothing to tell."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return False
    failures = failures_since_last_sign_in(user=user)
    if not failures.count:
        return False
    body = (
        f"Hello {user.get_username()},\n\n"
        f"{failures_text(failures)}\n\n"
        "Further attempts from those addresses are being slowed down; your own sign-in from the places and "
        "browsers you usually use is not.\n"
        "If this was you, there is nothing to do. If not, someone is guessing your password: choose a long, "
        "unique one, and turn on two-factor authentication from the user menu.\n"
    )
    send_mail("Failed sign-in attempts on your Triage Desk account", body, None, [user.email])
    logger.info("sign-in: told user %s about %s failed attempts", user.pk, failures.count)
    return True
