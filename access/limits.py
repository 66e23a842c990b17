"""How long a sign-in attempt must wait, computed from the SignIn records (OWASP ASVS V2.2).

Failed passwords slow down where they come from; nothing locks an account everywhere:

- **Per account and place**: a place is the client's address (IPv6 by its /64), or a browser that signed
  in to this account before (its device cookie, access.devices), counted apart so that someone guessing
  from the same office cannot hold up the owner's own browser. DESK_SIGNIN_FAILURES failures are free; then
  each attempt waits DESK_SIGNIN_DELAY_SECONDS after the last failure, doubling with each further failure,
  up to DESK_SIGNIN_MAX_DELAY_MINUTES. A success from that place starts it over.
- **Per account, from places it never signed in from** (a guess spread over many addresses): past
  DESK_SIGNIN_ACCOUNT_FAILURES failures, each address counting at most DESK_SIGNIN_FAILURES (one flooding
  address is the first rule's business), a wait from 1 s doubling up to DESK_SIGNIN_ACCOUNT_MAX_DELAY_SECONDS.
  Addresses the account signed in from within KNOWN_FOR, and its own browsers, are not held by it, and
  their failures do not count (they are the owner's typos, or the first rule's business).
- **Per address, across accounts** (one place trying many names): DESK_SIGNIN_FAILURES_PER_ADDRESS failures
  within DESK_SIGNIN_WINDOW_MINUTES, then that address waits until the oldest leaves the window. Browsers
  with a device cookie for the account typed are not held by it.

A refused attempt is not a failure (its password is never checked) and grows nothing. Failures older than
FORGET_AFTER are forgotten. The state is the SignIn table rather than the cache: the rows are written for
every attempt anyway, survive a cache flush or a restart (which must not hand an attacker a fresh
allowance), read the same on PostgreSQL and on the embedded SQLite default, and "places this account
signed in from" needs them. Each check is a few indexed queries, on sign-in attempts only.

Two attempts checked at the same instant would both see the same rows; once a place or an account is at
the edge of its allowance, an attempt holds it in the cache while its password is checked, and a second
one meanwhile is refused: parallel connections add no guesses (access/tests/test_sign_in_limits.py).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypedDict

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Lower

from access.models import SignIn

FORGET_AFTER = timedelta(hours=24)  # longer than the longest delay, so the doubling never starts over by waiting
KNOWN_FOR = timedelta(days=90)  # how long an address the account signed in from counts as its own
HOLD_SECONDS = 30  # a hold outlives any password check; a process that dies holding one frees it by then


@dataclass(frozen=True)
class Attempt:
    login: str  # the username typed, lower case: allauth matches usernames without regard to case
    source: str  # access.client_address.address_source; "" when the address is unknown
    device: str = ""  # access.devices: a browser this account signed in from before


@dataclass(frozen=True)
class Wait:
    seconds: int
    limit: str  # which rule: for the log, never for the person (it would tell what is known of the account)


@dataclass
class Admission:
    attempt: Attempt
    wait: Wait | None = None
    holds: list[str] = field(default_factory=list)

    def release(self) -> None:
        for key in self.holds:
            cache.delete(key)
        self.holds.clear()


class Policy(TypedDict):
    """How `delay_after` grows: the failures that are free, the first wait, the longest (seconds)."""

    free: int
    first: float
    cap: float


def login_key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def delay_after(*, failures: int, free: int, first: float, cap: float) -> float:
    """Seconds to wait after the last of `failures`: none within `free`, then `first` doubling, capped."""
    if failures < free:
        return 0.0
    return min(cap, first * 2 ** min(failures - free, 32))


def attempt_admit(*, attempt: Attempt, now: datetime) -> Admission:
    """Whether the attempt may have its password checked now; if so, with the holds it must release after."""
    admission = Admission(attempt=attempt)
    waits = []
    place_failures, place_last = _place_failures(attempt, now)
    place_wait = _wait_until(now, place_last, delay_after(failures=place_failures, **_place_policy()), "place")
    waits.append(place_wait)
    account = None if attempt.device else _account_failures(attempt, now)
    if account is not None:
        counted, last = account
        waits.append(_wait_until(now, last, delay_after(failures=counted, **_account_policy()), "account"))
    if not attempt.device and attempt.source:
        waits.append(_address_wait(attempt, now))
    waiting = [w for w in waits if w is not None]
    if waiting:
        admission.wait = max(waiting, key=lambda w: w.seconds)
        return admission
    # At the edge (the next failure would bring a wait): one attempt at a time.
    if place_failures >= settings.DESK_SIGNIN_FAILURES - 1:
        seconds = delay_after(failures=place_failures + 1, **_place_policy())
        if not _hold(admission, f"place:{attempt.login}|{attempt.source}|{attempt.device}"):
            admission.wait = Wait(max(1, math.ceil(seconds)), "place, another attempt in flight")
    if admission.wait is None and account is not None and account[0] >= settings.DESK_SIGNIN_ACCOUNT_FAILURES - 1:
        seconds = delay_after(failures=account[0] + 1, **_account_policy())
        if not _hold(admission, f"account:{attempt.login}"):
            admission.wait = Wait(max(1, math.ceil(seconds)), "account, another attempt in flight")
    if admission.wait is not None:
        admission.release()
    return admission


def _place_policy() -> Policy:
    return {
        "free": settings.DESK_SIGNIN_FAILURES,
        "first": settings.DESK_SIGNIN_DELAY_SECONDS,
        "cap": settings.DESK_SIGNIN_MAX_DELAY_MINUTES * 60,
    }


def _account_policy() -> Policy:
    return {
        "free": settings.DESK_SIGNIN_ACCOUNT_FAILURES,
        "first": 1,
        "cap": settings.DESK_SIGNIN_ACCOUNT_MAX_DELAY_SECONDS,
    }


def _rows(login: str) -> QuerySet[SignIn]:
    return SignIn.objects.alias(login=Lower("username")).filter(login=login)  # signin_login_at_idx


def _place_failures(attempt: Attempt, now: datetime) -> tuple[int, datetime | None]:
    """Failures from this place since its last success (within FORGET_AFTER), and when the last was."""
    place = Q(device=attempt.device) if attempt.device else Q(device="", source=attempt.source)
    rows = _rows(attempt.login).filter(place, at__gt=now - FORGET_AFTER)
    # "Since" by row id: a success and a failure can share a timestamp.
    since = rows.filter(outcome=SignIn.Outcome.SUCCEEDED).aggregate(pk=Max("pk"))["pk"] or 0
    found = rows.filter(outcome=SignIn.Outcome.FAILED, pk__gt=since).aggregate(n=Count("pk"), last=Max("at"))
    return found["n"], found["last"]


def _account_failures(attempt: Attempt, now: datetime) -> tuple[int, datetime | None] | None:
    """Failures on the account within FORGET_AFTER from places it never signed in from, each address
    counting at most DESK_SIGNIN_FAILURES; None when this address is one of its own."""
    successes = _rows(attempt.login).filter(outcome=SignIn.Outcome.SUCCEEDED, at__gt=now - KNOWN_FOR)
    known = set(successes.exclude(source="").values_list("source", flat=True).distinct())
    if attempt.source in known:
        return None
    # Not started over by the owner's success elsewhere: that would hand the guessers a fresh allowance
    # each time the owner signs in.
    per_address = (
        _rows(attempt.login)
        .filter(outcome=SignIn.Outcome.FAILED, device="", at__gt=now - FORGET_AFTER)
        .exclude(source__in=known)
        .values("source")
        .annotate(n=Count("pk"), last=Max("at"))
    )
    counted = sum(min(row["n"], settings.DESK_SIGNIN_FAILURES) for row in per_address)
    return counted, max((row["last"] for row in per_address), default=None)


def _address_wait(attempt: Attempt, now: datetime) -> Wait | None:
    """Until the DESK_SIGNIN_FAILURES_PER_ADDRESS-th newest failure from this address leaves the window."""
    window = timedelta(minutes=settings.DESK_SIGNIN_WINDOW_MINUTES)
    limit = settings.DESK_SIGNIN_FAILURES_PER_ADDRESS
    oldest_counted = (
        SignIn.objects.filter(source=attempt.source, device="", outcome=SignIn.Outcome.FAILED, at__gt=now - window)
        .order_by("-at")
        .values_list("at", flat=True)[limit - 1 : limit]
    )  # signin_source_at_idx
    return next((_wait_until(now, at, window.total_seconds(), "address") for at in oldest_counted), None)


def _wait_until(now: datetime, last: datetime | None, delay: float, limit: str) -> Wait | None:
    if last is None or delay <= 0:
        return None
    seconds = math.ceil((last + timedelta(seconds=delay) - now).total_seconds())
    return Wait(seconds, limit) if seconds > 0 else None


def _hold(admission: Admission, name: str) -> bool:
    key = "access:signin-hold:" + hashlib.sha256(name.encode()).hexdigest()
    if cache.add(key, 1, timeout=HOLD_SECONDS):
        admission.holds.append(key)
        return True
    return False


def wait_text(seconds: int) -> str:
    """ "40 seconds", "1 second", "3 minutes": what the refusal says."""
    if seconds < 120:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    return f"{math.ceil(seconds / 60)} minutes"
