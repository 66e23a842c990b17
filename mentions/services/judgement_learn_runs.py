"""What the last learning of the desk's judgement did, for admin's list of versions (issue 69): "Learn now" said only
that it asked the worker, and a run that learned nothing (too few labelled tickets) left no trace, so the page looked
the same after it as before. The admin view records the ask, the worker's task (mentions.tasks.judgement_learn, also
beat's every six hours) records what it did, and the list says it in one sentence.

Kept in the cache the web, worker and meaning processes share (Redis; the embedded default's file cache on one
machine): a line about the last run, not a record to keep; a version learned is its own row (mentions.JudgementModel).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.dateformat import format as date_format

KEY = "judgement:learn-run"
KEPT = 60 * 60 * 24 * 90  # seconds: a quarter, longer than beat's six hours by far
# Asked this long ago and not finished: the meaning process, which learns, may not be running.
SLOW = timedelta(minutes=30)


def _read() -> dict[str, Any]:
    found = cache.get(KEY)
    return found if isinstance(found, dict) else {}


def learn_asked(*, by: str, now: datetime | None = None) -> None:
    """Someone pressed "Learn now" (the task is queued)."""
    cache.set(KEY, {**_read(), "asked_at": (now or timezone.now()).isoformat(), "asked_by": by}, KEPT)


def learn_finished(result: dict[str, object], *, now: datetime | None = None) -> None:
    """The worker's learning ended with `result` (mentions.judgement.learning.judgement_learn's answer)."""
    finished = {
        "finished_at": (now or timezone.now()).isoformat(),
        "learned": bool(result.get("learned")),
        "version": result.get("version"),
        "active": bool(result.get("active")),
        "why": str(result.get("why") or ""),
    }
    cache.set(KEY, {**_read(), **finished}, KEPT)


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _shown(at: datetime) -> str:
    return date_format(timezone.localtime(at), "j M Y H:i")


def learn_run_said(*, now: datetime | None = None) -> str:
    """The last run in one sentence: still waiting for the worker after "Learn now", or what it did ("" before any)."""
    run = _read()
    asked, finished = _when(run.get("asked_at")), _when(run.get("finished_at"))
    now = now or timezone.now()
    if asked is not None and (finished is None or finished < asked):
        late = (
            " It has not started for a while: check that the meaning process runs (docs/operations.md)."
            if now - asked > SLOW
            else " Reload this page in a minute or two."
        )
        return f"Learn now was asked at {_shown(asked)} by {run.get('asked_by') or 'someone'}: not finished yet.{late}"
    if finished is None:
        return ""
    if not run.get("learned"):
        why = f": {run['why']}" if run.get("why") else ""
        return (
            f"The last learning, at {_shown(finished)}, made no version{why} (replies, solves and corrections label "
            "tickets)."
        )
    used = "it judges new mentions" if run.get("active") else "not used, the line above says why"
    return f"The last learning, at {_shown(finished)}, made version {run.get('version')}: {used}."
