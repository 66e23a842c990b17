"""Content-Security-Policy violation reports: what browsers send to /csp-report/, throttled and logged once.

Anyone can post a report (browsers send them without a session or token), so the endpoint must cost little
whoever posts: a body is read up to MAX_REPORT_BYTES and no further, each client address may send
DESK_CSP_REPORTS_PER_ADDRESS reports a minute and everyone together DESK_CSP_REPORTS_PER_MINUTE (the rest
are answered 429 and not logged), and a report already logged in the last DESK_CSP_REPORT_REPEAT_SECONDS
(same directive, blocked URI and page) is counted instead of logged again; the count goes out with the next
line for it. The counters live in the cache (Redis in production, the file cache on the embedded default),
so every web process shares them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

from advocacy.counters import window_count

logger = logging.getLogger("advocacy.csp")

MAX_REPORT_BYTES = 16_384
FIELDS = ("document-uri", "violated-directive", "effective-directive", "blocked-uri", "source-file", "line-number")
WINDOW_SECONDS = 60


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "backslashreplace")).hexdigest()[:32]


def csp_report_allowed(*, address: str | None, now: float | None = None) -> bool:
    """Count one report from `address` (None: unknown, one shared bucket) in this minute's window; False once
    the address or everyone together is over their share."""
    window = int((now if now is not None else time.time()) // WINDOW_SECONDS)
    timeout = WINDOW_SECONDS * 2
    mine = window_count(f"csp:addr:{window}:{_digest(address or '?')}", timeout=timeout)
    if mine > settings.DESK_CSP_REPORTS_PER_ADDRESS:
        return False  # not counted in the total: one noisy address does not use up everyone's share
    return window_count(f"csp:all:{window}", timeout=timeout) <= settings.DESK_CSP_REPORTS_PER_MINUTE


def csp_report_parse(body: bytes) -> dict[str, Any] | None:
    """The report object of a `{"csp-report": {...}}` body, else None."""
    try:
        report = json.loads(body or b"{}").get("csp-report") or {}
    except (ValueError, AttributeError, RecursionError):
        return None
    return report if isinstance(report, dict) and report else None


def csp_report_log(report: dict[str, Any]) -> bool:
    """Log the report as one line (its fields cut short: the text is anyone's), unless the same violation
    was logged within DESK_CSP_REPORT_REPEAT_SECONDS; then it is counted, and the count is logged with the
    next line for it. Returns whether a line was written."""
    shown = {key: str(report.get(key, ""))[:200] for key in FIELDS if report.get(key)}
    directive = shown.get("effective-directive") or shown.get("violated-directive", "")
    key = _digest(directive, shown.get("blocked-uri", ""), shown.get("document-uri", ""))
    repeat = settings.DESK_CSP_REPORT_REPEAT_SECONDS
    if not cache.add(f"csp:seen:{key}", 1, timeout=repeat):
        window_count(f"csp:repeats:{key}", timeout=repeat * 3)  # outlives the mark, so the next line can say it
        return False
    repeats = cache.get(f"csp:repeats:{key}") or 0
    if repeats:
        cache.delete(f"csp:repeats:{key}")
        shown["repeats_not_logged"] = str(repeats)
    logger.warning("csp: refused %s", json.dumps(shown, ensure_ascii=True))
    return True
