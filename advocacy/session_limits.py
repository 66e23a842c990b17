"""How long a signed-in session lasts: at most DESK_SESSION_MAX_HOURS after signing in, and no longer
than DESK_SESSION_IDLE_MINUTES after the person last did something.

Background requests (live refreshes, presence pings; the pages mark them `X-Desk-Background: 1`)
are not activity: a tab left open on the queue refreshes all night, and must still time out. The
last-activity time is written at most once a minute, so working the queue costs no session write
per request. An expired session is signed out and sent to the sign-in page (htmx requests through
HX-Redirect, so the page itself goes there rather than a fragment).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect

logger = logging.getLogger(__name__)

SIGNED_IN_AT = "desk_signed_in_at"
SEEN_AT = "desk_seen_at"
SEEN_RESOLUTION_SECONDS = 60
BACKGROUND_HEADER = "HTTP_X_DESK_BACKGROUND"


def _now() -> int:
    return int(time.time())


def session_clock_start(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """user_logged_in: the clocks start at signing in, written with the session login itself (no
    extra session write on the first page)."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[SEEN_AT] = _now()


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY not in session:  # signed out: nothing to limit (and no user row loaded)
            return self.get_response(request)
        now = _now()
        signed_in_at = session.get(SIGNED_IN_AT)
        seen_at = session.get(SEEN_AT)
        if not isinstance(signed_in_at, int) or not isinstance(seen_at, int):
            session[SIGNED_IN_AT] = session[SEEN_AT] = now  # a session from before these limits
        else:
            reason = self._expired(now, signed_in_at, seen_at)
            if reason:
                return self._sign_out(request, reason)
            if now - seen_at >= SEEN_RESOLUTION_SECONDS and request.META.get(BACKGROUND_HEADER) != "1":
                session[SEEN_AT] = now
        return self.get_response(request)

    @staticmethod
    def _expired(now: int, signed_in_at: int, seen_at: int) -> str:
        if now - signed_in_at > settings.DESK_SESSION_MAX_HOURS * 3600:
            return f"signed in more than {settings.DESK_SESSION_MAX_HOURS} h ago"
        if now - seen_at > settings.DESK_SESSION_IDLE_MINUTES * 60:
            return f"idle for more than {settings.DESK_SESSION_IDLE_MINUTES} min"
        return ""

    @staticmethod
    def _sign_out(request: HttpRequest, reason: str) -> HttpResponse:
        user_id = request.session.get(SESSION_KEY)
        logout(request)
        logger.info("session: user %s signed out (%s)", user_id, reason)
        if request.headers.get("HX-Request") == "true":
            # Back to the page after signing in again, not to the fragment it was refreshing.
            page = urlsplit(request.headers.get("HX-Current-URL", ""))
            back = page.path + (f"?{page.query}" if page.query else "") if page.path else "/"
            return HttpResponseClientRedirect(redirect_to_login(back)["Location"])
        return redirect_to_login(request.get_full_path())
