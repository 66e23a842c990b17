"""What browsers report about the desk's own security headers."""

from __future__ import annotations

import json
import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("advocacy.csp")

MAX_REPORT_BYTES = 16_384
FIELDS = ("document-uri", "violated-directive", "effective-directive", "blocked-uri", "source-file", "line-number")


@csrf_exempt  # browsers send reports without our token; nothing is changed by one
@login_not_required  # a signed-out page (the sign-in form) is covered too
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log a Content-Security-Policy violation a browser reports (one line, cut short: its text is
    anyone's), so a page that needs a policy change shows up in the logs instead of silently breaking."""
    body = request.body[:MAX_REPORT_BYTES] if int(request.META.get("CONTENT_LENGTH") or 0) <= MAX_REPORT_BYTES else b""
    try:
        report = json.loads(body or b"{}").get("csp-report") or {}
    except (ValueError, AttributeError):
        report = {}
    if not isinstance(report, dict) or not report:
        return HttpResponse(status=400)
    shown = {key: str(report.get(key, ""))[:200] for key in FIELDS if report.get(key)}
    logger.warning("csp: refused %s", json.dumps(shown, ensure_ascii=True))
    return HttpResponse(status=204)
