"""What browsers report about the desk's own security headers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from access.records import client_address
from advocacy.csp_reports import MAX_REPORT_BYTES, csp_report_allowed, csp_report_log, csp_report_parse
from advocacy.request_body import read_terminated


@csrf_exempt  # browsers send reports without our token; nothing is changed by one
@login_not_required  # a signed-out page (the sign-in form) is covered too
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log a Content-Security-Policy violation a browser reports (advocacy.csp_reports), so a page that needs
    a policy change shows up in the logs instead of silently breaking. Throttled per address and in total
    (429), at most MAX_REPORT_BYTES read (413)."""
    if not csp_report_allowed(address=client_address(request)):
        return HttpResponse(status=429, headers={"Retry-After": "60"})
    body = _body_capped(request, MAX_REPORT_BYTES)
    if body is None:
        return HttpResponse(status=413)
    report = csp_report_parse(body)
    if report is None:
        return HttpResponse(status=400)
    csp_report_log(report)
    return HttpResponse(status=204)


def _body_capped(request: HttpRequest, cap: int) -> bytes | None:
    """The body, reading at most cap + 1 bytes whatever Content-Length says; None when it is over `cap`.
    Django reads at most Content-Length bytes (nothing without one); a body the server de-chunked and marked
    as ending by itself (gunicorn's wsgi.input_terminated) is read from the input, still only cap + 1."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isascii() and declared.isdigit() and int(declared) > cap:
        return None
    # META is the WSGI environ itself (WSGIRequest), where the server's flags and input stream are.
    if not declared and request.META.get("wsgi.input_terminated"):
        body = read_terminated(request.META["wsgi.input"], cap + 1)
    else:
        body = request.read(cap + 1)
    return body if len(body) <= cap else None
