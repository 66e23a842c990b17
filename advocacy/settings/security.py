"""Sessions and browser-facing security: session limits, security headers, the Content-Security-Policy and its
reports, and what production adds (secure cookies, SSL redirect, HSTS, the TLS proxy header)."""

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .environment import PRODUCTION, env

# --- Sessions ----------------------------------------------------------------------------
# Sessions are read from the cache (Redis, or the file cache on the embedded default), written
# through to the database: no page, and no live refresh, pays a session query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
# A session lasts at most DESK_SESSION_MAX_HOURS after signing in and ends after DESK_SESSION_IDLE_MINUTES
# without activity (advocacy/session_limits.py; live refreshes are not activity). The cookie itself
# lives as long as the longest a session can.
DESK_SESSION_MAX_HOURS = env.int("DESK_SESSION_MAX_HOURS", default=12)
DESK_SESSION_IDLE_MINUTES = env.int("DESK_SESSION_IDLE_MINUTES", default=120)
if DESK_SESSION_MAX_HOURS < 1 or not 5 <= DESK_SESSION_IDLE_MINUTES <= DESK_SESSION_MAX_HOURS * 60:
    raise ImproperlyConfigured(
        "DESK_SESSION_MAX_HOURS must be at least 1 and DESK_SESSION_IDLE_MINUTES between 5 and that many hours "
        f"in minutes (got {DESK_SESSION_MAX_HOURS} h and {DESK_SESSION_IDLE_MINUTES} min)."
    )
SESSION_COOKIE_AGE = DESK_SESSION_MAX_HOURS * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Content-Security-Policy -------------------------------------------------------------
# Content-Security-Policy (django-csp): only the desk's own scripts, styles, images and requests. No inline
# script or style anywhere (htmx runs with allowEval off, without its injected indicator styles, and settles
# no style attribute onto swapped elements: base.html's htmx-config), so neither 'unsafe-inline' nor
# 'unsafe-eval' is needed. Browsers report
# what they refuse to /csp-report/, which logs it. form-action is left open: signing in through a
# company's identity provider posts a form that redirects to it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "report-uri": "/csp-report/",
    },
}
# /csp-report/ takes anyone's reports (advocacy.csp_reports): each client address may send this many a
# minute, everyone together this many (further ones are answered 429 and not logged), and a report logged
# within DESK_CSP_REPORT_REPEAT_SECONDS (same directive, blocked URI and page) is counted, not logged again.
DESK_CSP_REPORTS_PER_ADDRESS = env.int("DESK_CSP_REPORTS_PER_ADDRESS", default=20)
DESK_CSP_REPORTS_PER_MINUTE = env.int("DESK_CSP_REPORTS_PER_MINUTE", default=300)
DESK_CSP_REPORT_REPEAT_SECONDS = env.int("DESK_CSP_REPORT_REPEAT_SECONDS", default=600)

# --- System checks silenced on purpose -----------------------------------------------------
# ticket_unreplied_idx INCLUDEs columns for index-only KPI reads on PostgreSQL; SQLite (the
# embedded default) builds it without them, which is fine for a one-box desk.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Production -------------------------------------------------------------------------
# Behind a reverse proxy that terminates TLS: trust its X-Forwarded-Proto (production only). Name the proxy
# too (DESK_TRUSTED_PROXIES or DESK_PROXY_HOPS, auth.py), or `check` warns.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The health check is asked over plain HTTP from inside (a container's HEALTHCHECK, a load balancer's probe
    # on the private side): a redirect to https would read as "unhealthy". It answers nothing private.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if BEHIND_TLS_PROXY:
        # Only trust X-Forwarded-Proto when a proxy we run sets it.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Silence the SSL-redirect check only when an operator turned it off on purpose
    # (TLS terminated by a proxy that already redirects).
    if not SECURE_SSL_REDIRECT:
        SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W008"]
