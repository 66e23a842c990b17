"""Settings, read from the environment (and an optional `.env` file).

With nothing set the desk runs on an embedded default: a SQLite file under `var/` and a
filesystem Celery broker, so `make run` works on a bare laptop. Setting `DATABASE_URL` and
`REDIS_URL` switches to PostgreSQL and Redis. `DJANGO_ENV=production` removes every default
that is only safe on a laptop: SECRET_KEY and ALLOWED_HOSTS must then be given.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("DESK_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENVS = ("development", "production")
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in DJANGO_ENVS:
    # A typo ("Production", "prod") must not quietly run with DEBUG and the public default key.
    raise ImproperlyConfigured(
        f"DJANGO_ENV={DJANGO_ENV!r} is not a known environment: use one of {', '.join(DJANGO_ENVS)} "
        "(exactly, lower case), or leave it unset for development."
    )
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    # No default: a production process must fail at start rather than run with a known key.
    SECRET_KEY = env.str("SECRET_KEY")
    DEBUG = env.bool("DJANGO_DEBUG", default=False)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-do-not-use-in-production")
    DEBUG = env.bool("DJANGO_DEBUG", default=True)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    # The OpenID Connect provider is the desk's own (access/provider.py, access/single_sign_on/): allauth's,
    # with the ID token always verified. allauth's stock openid_connect app is deliberately not installed.
    # usersessions indexes each user's sessions, so the desk can end them (and people see theirs).
    "allauth.usersessions",
    "django.contrib.humanize",
    "channels.apps.ChannelsConfig",
    "mentions.apps.MentionsConfig",
    "experts.apps.ExpertsConfig",
    "notifications.apps.NotificationsConfig",
    "metrics.apps.MetricsConfig",
    "access.apps.AccessConfig",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api.apps.ApiConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the live middleware: a live refresh of an expired session signs it out too.
    "advocacy.session_limits.SessionLimitsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Before LoginRequiredMiddleware: an unchanged live page is answered 304 before the user row
    # and permissions are loaded (mentions/live.py).
    "mentions.live.LiveMiddleware",
    "mentions.perm_cache.PermissionCacheMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "access.two_factor.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "advocacy.urls"
WSGI_APPLICATION = "advocacy.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mentions.context_processors.desk_navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "desk.sqlite3"
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # web, worker and beat share one file: WAL lets readers run beside the single writer,
    # IMMEDIATE takes the write lock at BEGIN so two writers queue instead of deadlocking.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Each database gets its own test database (test_<name>), so test runs against different
    # DATABASE_URLs on one server never drop each other's.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
        "TEST_DATABASE_NAME", default=f"test_{DATABASES['default']['NAME']}"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, Celery, cache ---------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # A broker that needs no server: messages are files under var/celery, shared by the
    # worker, beat and web processes that `make run` starts.
    _broker_dir = VAR_DIR / "celery" / "broker"
    _broker_dir.mkdir(parents=True, exist_ok=True)
    # Exchange tables too (kombu's default is ./control in the working directory).
    _control_dir = VAR_DIR / "celery" / "control"
    _control_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"

# One beat schedule, here, reviewed. Each entry expires so a backlog of stale dispatches
# (worker down for an hour) is dropped instead of replayed.
# A channel whose time has come waits up to one tick for its poll: short, because the check is one
# indexed query and every second of it is a second a new mention is not yet visible.
DESK_DISPATCH_SECONDS = env.int("DESK_DISPATCH_SECONDS", default=5)
# SLA breaches, after-hours urgent pings (and their retries), the end-of-day digest and
# advocate-for-a-day expiry all run on this beat; each task is idempotent, so a late or
# doubled run changes nothing.
DESK_CLOCK_SECONDS = env.int("DESK_CLOCK_SECONDS", default=120)
# A follow-up on an assigned ticket that its assignee has not acted on for this long returns
# the ticket to the queue (an hour: most of a working session, well inside the 5 h target).
DESK_FOLLOWUP_RETURN_MINUTES = env.int("DESK_FOLLOWUP_RETURN_MINUTES", default=60)
# An open ticket page tells the desk it is open (and whether a reply is being typed) this often.
DESK_PRESENCE_REFRESH_SECONDS = env.int("DESK_PRESENCE_REFRESH_SECONDS", default=10)
# How often live pages (queue, ticket list, an open ticket) ask whether anything changed; an
# unchanged answer is a 304 that costs one single-row query (mentions/live.py).
DESK_LIVE_REFRESH_SECONDS = env.int("DESK_LIVE_REFRESH_SECONDS", default=10)
# Share rendered results that hold no session data (the ticket list's rows) between everyone asking
# for the same thing, until the change stamp moves (mentions/live.py: fragment_cached).
DESK_FRAGMENT_CACHE = env.bool("DESK_FRAGMENT_CACHE", default=True)
CELERY_BEAT_SCHEDULE = {
    "api.webhooks_run": {"task": "api.webhooks_run", "schedule": timedelta(seconds=10), "options": {"expires": 10}},
    "channels.poll_due": {
        "task": "channels.poll_due",
        "schedule": timedelta(seconds=DESK_DISPATCH_SECONDS),
        "options": {"expires": DESK_DISPATCH_SECONDS},
    },
    "metrics.rollups_refresh": {
        "task": "metrics.rollups_refresh",
        "schedule": timedelta(seconds=60),
        "options": {"expires": 60},
    },
    "mentions.watch_threads": {
        "task": "mentions.watch_threads",
        "schedule": timedelta(seconds=60),
        "options": {"expires": 60},
    },
    "mentions.urgent_sweep": {
        "task": "mentions.urgent_sweep",
        "schedule": timedelta(seconds=DESK_CLOCK_SECONDS),
        "options": {"expires": DESK_CLOCK_SECONDS},
    },
    "mentions.sla_sweep": {
        "task": "mentions.sla_sweep",
        "schedule": timedelta(seconds=DESK_CLOCK_SECONDS),
        "options": {"expires": DESK_CLOCK_SECONDS},
    },
    "mentions.coverage_digest": {
        "task": "mentions.coverage_digest",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 300},
    },
    # Follow-ups on assigned tickets nobody acted on go back to the queue (mentions.services.followups).
    "mentions.followups_return": {
        "task": "mentions.followups_return",
        "schedule": timedelta(seconds=60),
        "options": {"expires": 60},
    },
    "mentions.advocate_grants_expire": {
        "task": "mentions.advocate_grants_expire",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 300},
    },
    # Connected accounts: tokens refreshed before they expire (channels.accounts.tokens).
    "channels.accounts_refresh": {
        "task": "channels.accounts_refresh",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 300},
    },
    # Replies whose worker died mid-send become "unknown" (mentions.services.replies).
    "mentions.replies_sweep": {
        "task": "mentions.replies_sweep",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 300},
    },
    # Slack routing: post what the outbox holds, batched per destination (mentions.services.slack_outbox).
    "channels.slack_flush": {
        "task": "channels.slack_flush",
        "schedule": timedelta(seconds=10),
        "options": {"expires": 10},
    },
}

# A poll holds its channel's lease this long at most; it must outlive CELERY_TASK_TIME_LIMIT
# so a lease never lapses under a poll that is still running.
DESK_POLL_LEASE_SECONDS = env.int("DESK_POLL_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
# A poll that stops short of a backlog (its request budget used) is followed this soon by the next.
DESK_BACKLOG_REPOLL_SECONDS = env.int("DESK_BACKLOG_REPOLL_SECONDS", default=15)
# Watched threads (mentions.services.watching): how long after our reply the thread is read for an
# answer to it, and how long an outreach's thread is read at most while the expert has not answered.
DESK_WATCH_AFTER_REPLY_HOURS = env.int("DESK_WATCH_AFTER_REPLY_HOURS", default=48)
DESK_WATCH_OUTREACH_DAYS = env.int("DESK_WATCH_OUTREACH_DAYS", default=14)
# No channel polls more often than this, whatever its budget allows (channels.freshness).
DESK_POLL_FLOOR_SECONDS = env.int("DESK_POLL_FLOOR_SECONDS", default=20)
DESK_MAX_BACKOFF_SECONDS = env.int("DESK_MAX_BACKOFF_SECONDS", default=3600)
DESK_HTTP_TIMEOUT_SECONDS = env.float("DESK_HTTP_TIMEOUT_SECONDS", default=20.0)
# {"https://api.x.com/": "https://x-sandbox.example.com/"}: a platform's API reached at another
# address (a sandbox; the end-to-end tests' local fake). Empty in production.
DESK_PLATFORM_URL_OVERRIDES = env.json("DESK_PLATFORM_URL_OVERRIDES", default={})
# Encrypts channel credentials at rest; derived from SECRET_KEY when unset.
DESK_ENCRYPTION_KEY = env.str("DESK_ENCRYPTION_KEY", default="")
DESK_USER_AGENT = env.str("DESK_USER_AGENT", default="TriageDesk/0.1 (+https://github.com/triage-desk)")

# --- Outgoing mail (replies to e-mail tickets) --------------------------------------------
# e.g. smtp+tls://user:password@smtp.example.com:587 ; the default prints mail to the console.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# The sender of the desk's own mail to its users and admins (failed sign-in attempts on their account:
# access/notices.py; webhook pause alerts: api/webhook_alerts.py); replies to e-mail tickets go out from
# their mailbox's address instead.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="webmaster@localhost")

# --- Slack (expert outreach) --------------------------------------------------------------
# A bot token (xoxb-…) with chat:write; without it outreach cannot be sent (the page says so).
SLACK_BOT_TOKEN = env.str("SLACK_BOT_TOKEN", default="")
SLACK_API_URL = env.str("SLACK_API_URL", default="https://slack.com/api")
# Where the desk is reached from a browser, behind any proxy (https://desk.example.com): the
# callback addresses registered with each platform's OAuth app, links in Slack messages and
# suggested replies. DESK_BASE_URL is its older name, still read.
SITE_URL = env.str("SITE_URL", default=env.str("DESK_BASE_URL", default="http://127.0.0.1:8000")).rstrip("/")
DESK_BASE_URL = SITE_URL

# ticket_unreplied_idx INCLUDEs columns for index-only KPI reads on PostgreSQL; SQLite (the
# embedded default) builds it without them, which is fine for a one-box desk.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Auth --------------------------------------------------------------------------------
# "Advocate for a day": a valid mentions.AdvocateGrant gives the Advocates' permissions,
# checked on every request, so access ends the second the grant expires.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "mentions.backends.AdvocateGrantBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "mentions:queue"
LOGOUT_REDIRECT_URL = "login"

# Signing in is django-allauth's (access/adapters.py): passwords with failed attempts limited, two-factor
# codes (TOTP and recovery codes), and the company's identity provider over OpenID Connect when configured.
# Accounts are made by admins (or by the first sign-in through the identity provider): no sign-up form.
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "access.adapters.DeskAccountAdapter"
SOCIALACCOUNT_ADAPTER = "access.single_sign_on.adapter.DeskSocialAccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_REDIRECT_URL = "login"
ACCOUNT_SESSION_REMEMBER = True  # the session limits (DESK_SESSION_*) decide how long
# Failed sign-ins slow down where they come from instead of locking the account (access/limits.py, computed
# from the SignIn records). A refused attempt says when to try again, and its password is not checked.
# - Per account and place (an address; or a browser the account signed in from before, by its device
#   cookie): DESK_SIGNIN_FAILURES failures are free, then each attempt waits DESK_SIGNIN_DELAY_SECONDS after
#   the last failure, doubling with each further failure up to DESK_SIGNIN_MAX_DELAY_MINUTES.
# - Per account from places it never signed in from: past DESK_SIGNIN_ACCOUNT_FAILURES failures (each place
#   counting at most DESK_SIGNIN_FAILURES), a wait of 1 s doubling up to DESK_SIGNIN_ACCOUNT_MAX_DELAY_SECONDS.
# - Per address, across accounts (one place trying many): DESK_SIGNIN_FAILURES_PER_ADDRESS failures within
#   DESK_SIGNIN_WINDOW_MINUTES, then that address waits until the oldest leaves the window. Sized for an
#   office behind one address; browsers that signed in before are not held by it.
DESK_SIGNIN_FAILURES = env.int("DESK_SIGNIN_FAILURES", default=5)
DESK_SIGNIN_DELAY_SECONDS = env.int("DESK_SIGNIN_DELAY_SECONDS", default=30)
DESK_SIGNIN_MAX_DELAY_MINUTES = env.int("DESK_SIGNIN_MAX_DELAY_MINUTES", default=15)
DESK_SIGNIN_ACCOUNT_FAILURES = env.int("DESK_SIGNIN_ACCOUNT_FAILURES", default=10)
DESK_SIGNIN_ACCOUNT_MAX_DELAY_SECONDS = env.int("DESK_SIGNIN_ACCOUNT_MAX_DELAY_SECONDS", default=60)
DESK_SIGNIN_FAILURES_PER_ADDRESS = env.int("DESK_SIGNIN_FAILURES_PER_ADDRESS", default=100)
DESK_SIGNIN_WINDOW_MINUTES = env.int("DESK_SIGNIN_WINDOW_MINUTES", default=15)
# The client's address behind a reverse proxy (access/client_address.py): X-Forwarded-For is read only on
# requests from DESK_TRUSTED_PROXIES (comma-separated addresses or ranges, e.g. 127.0.0.1,10.0.0.0/8), or
# from any peer with DESK_PROXY_HOPS (the number of proxies in front; only when nothing else can reach the
# desk's port). Both empty: REMOTE_ADDR, and behind a proxy every client looks like the proxy.
# (BEHIND_TLS_PROXY, the production switch below, without either draws a warning from `check`.)
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
DESK_TRUSTED_PROXIES = env.list("DESK_TRUSTED_PROXIES", default=[])
DESK_PROXY_HOPS = env.int("DESK_PROXY_HOPS", default=0)
for _proxy in DESK_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"DESK_TRUSTED_PROXIES: {_proxy!r} is not an address or range ({_error}).") from None
if DESK_PROXY_HOPS < 0 or min(DESK_SIGNIN_FAILURES, DESK_SIGNIN_ACCOUNT_FAILURES, DESK_SIGNIN_WINDOW_MINUTES) < 1:
    raise ImproperlyConfigured(
        "DESK_PROXY_HOPS must be 0 or more; DESK_SIGNIN_FAILURES, DESK_SIGNIN_ACCOUNT_FAILURES and "
        "DESK_SIGNIN_WINDOW_MINUTES at least 1."
    )
ACCOUNT_RATE_LIMITS = {
    # allauth's own per-key "login_failed" limit would lock an account everywhere: the desk's limits above
    # replace it for passwords (DeskAccountAdapter.pre_authenticate). It still counts wrong two-factor codes
    # per user (only someone who got past the password reaches that step).
    "login_failed": f"{DESK_SIGNIN_FAILURES}/{DESK_SIGNIN_WINDOW_MINUTES}m/key",
    # Every POST to the sign-in page, per address: a flood guard well above an office's morning.
    "login": f"{DESK_SIGNIN_FAILURES_PER_ADDRESS * 6}/{DESK_SIGNIN_WINDOW_MINUTES}m/ip",
    "reauthenticate": f"{DESK_SIGNIN_FAILURES}/{DESK_SIGNIN_WINDOW_MINUTES}m/user",
}
# Two-factor: TOTP and recovery codes. Required of staff who sign in with a password; of everyone with
# DESK_2FA_REQUIRED_FOR_ALL (users of the identity provider answer to its own policy).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "access.two_factor.DeskMFAAdapter"
MFA_TOTP_ISSUER = env.str("DESK_2FA_ISSUER", default="Triage Desk")
DESK_2FA_REQUIRED_FOR_STAFF = env.bool("DESK_2FA_REQUIRED_FOR_STAFF", default=True)
DESK_2FA_REQUIRED_FOR_ALL = env.bool("DESK_2FA_REQUIRED_FOR_ALL", default=False)
# Single sign-on through the company's identity provider (OpenID Connect: Google Workspace, Okta,
# Keycloak, GitLab...), when DESK_OIDC_SERVER_URL (the issuer) is set; https in production. The ID token's
# signature and claims are always checked (access/single_sign_on/id_token.py). At every sign-in the groups
# claim (DESK_OIDC_GROUPS_CLAIM) gives Advocates for DESK_OIDC_ADVOCATE_GROUPS and Managers for
# DESK_OIDC_MANAGER_GROUPS, and takes back a role the provider gave that it no longer gives.
DESK_OIDC_SERVER_URL = env.str("DESK_OIDC_SERVER_URL", default="")
if PRODUCTION and DESK_OIDC_SERVER_URL and not DESK_OIDC_SERVER_URL.startswith("https://"):
    # Discovery, keys and tokens fetched over plain HTTP could be swapped on the way.
    raise ImproperlyConfigured(
        f"DESK_OIDC_SERVER_URL must be an https:// address in production (got {DESK_OIDC_SERVER_URL!r})."
    )
# What the desk asks the provider for; add the scope that releases the groups claim where it needs one
# (Okta: groups).
DESK_OIDC_SCOPES = env.list("DESK_OIDC_SCOPES", default=["openid", "profile", "email"])
DESK_OIDC_NAME = env.str("DESK_OIDC_NAME", default="your company account")
DESK_OIDC_GROUPS_CLAIM = env.str("DESK_OIDC_GROUPS_CLAIM", default="groups")
DESK_OIDC_ADVOCATE_GROUPS = env.list("DESK_OIDC_ADVOCATE_GROUPS", default=[])
DESK_OIDC_MANAGER_GROUPS = env.list("DESK_OIDC_MANAGER_GROUPS", default=[])
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
USERSESSIONS_TRACK_ACTIVITY = False  # the index of sessions is all the desk needs (no write per request)
SOCIALACCOUNT_PROVIDERS = (
    {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "company",
                    "name": DESK_OIDC_NAME,
                    "client_id": env.str("DESK_OIDC_CLIENT_ID"),
                    "secret": env.str("DESK_OIDC_CLIENT_SECRET"),
                    "settings": {"server_url": DESK_OIDC_SERVER_URL, "scope": DESK_OIDC_SCOPES},
                }
            ],
        }
    }
    if DESK_OIDC_SERVER_URL
    else {}
)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Development serves static files straight from the app folders; production from
# STATIC_ROOT after collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security ----------------------------------------------------------------------------
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

# --- Outgoing webhooks (api/webhook_*.py; docs/webhooks.md) ------------------------------
# Receivers on loopback, private, link-local, shared or reserved addresses are refused unless their
# address lies in one of these networks (CIDRs, comma-separated), e.g. "10.20.0.0/16,fd00:1::/64".
DESK_WEBHOOK_ALLOWED_NETWORKS = env.list("DESK_WEBHOOK_ALLOWED_NETWORKS", default=[])
for _net in DESK_WEBHOOK_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_net, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"DESK_WEBHOOK_ALLOWED_NETWORKS: {_net!r} is not a network ({_exc}).") from _exc
# One delivery's whole exchange (connect, TLS, request, the answer's status and headers) is cut after this.
DESK_WEBHOOK_DEADLINE_SECONDS = env.float("DESK_WEBHOOK_DEADLINE_SECONDS", default=10.0)
# A delivery task sends one subscription's backlog for this long, then queues itself again behind the others.
DESK_WEBHOOK_RUN_SECONDS = env.int("DESK_WEBHOOK_RUN_SECONDS", default=30)
# A failed delivery is tried again after 30 s, 1, 2, 4... minutes, at most this far apart (also the
# interval at which a paused subscription is probed).
DESK_WEBHOOK_RETRY_MAX_SECONDS = env.int("DESK_WEBHOOK_RETRY_MAX_SECONDS", default=3600)
# A subscription whose every attempt has failed for this long is paused and the admins e-mailed.
DESK_WEBHOOK_PAUSE_AFTER_HOURS = env.float("DESK_WEBHOOK_PAUSE_AFTER_HOURS", default=24)
# The Celery queue deliveries run on; a worker must consume it (Procfile: the "webhooks" process).
DESK_WEBHOOK_QUEUE = env.str("DESK_WEBHOOK_QUEUE", default="webhooks")
# CA certificates for receivers' TLS (a PEM file): an internal CA for allow-listed private receivers.
# Empty: the public CAs of the certifi package, as for every other outgoing request.
DESK_WEBHOOK_CA_BUNDLE = env.str("DESK_WEBHOOK_CA_BUNDLE", default="")

# The REST API (api/): personal access tokens or a signed-in browser. DESK_API_RATE requests per user,
# across all their tokens and their browser session; at most DESK_API_TOKENS_PER_USER live (unrevoked,
# unexpired) tokens per user.
DESK_API_RATE = env.str("DESK_API_RATE", default="600/min")
DESK_API_TOKENS_PER_USER = env.int("DESK_API_TOKENS_PER_USER", default=10)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.auth.TwoFactorDone",
        "api.auth.TokenScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.auth.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Triage Desk API",
    "DESCRIPTION": "Tickets, their actions, views, channels' health and KPI figures. Authenticate with a "
    "personal access token: `Authorization: Bearer tdk_…` (made on the desk's API tokens page).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from the vendored sidecar package, its start-up script a file: the CSP allows both.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # The enums as components (drf-spectacular's default), then allowEmptyValue and Retry-After (api/schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.api_schema_finish"],
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "mentions.models.Ticket.Status",
        "ReplyStatusEnum": ["open", "pending", "solved"],
        "EventKindEnum": "mentions.models.TicketEvent.Kind",
        "MessageKindEnum": "mentions.models.Message.Kind",
    },
}

# Content-Security-Policy (django-csp): only the desk's own scripts, styles, images and requests. No inline
# script or style anywhere (htmx runs with allowEval off and without its injected indicator styles:
# base.html's htmx-config), so neither 'unsafe-inline' nor 'unsafe-eval' is needed. Browsers report
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

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
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

# --- Logging -----------------------------------------------------------------------------
# Every handler redacts secrets (api_key=, key=, access_token=, Authorization: …) from each record's
# message and arguments, at every level: urllib3 logs request URLs at DEBUG (advocacy/logging.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secrets": {"()": "advocacy.logging.RedactSecrets"},
        "client_errors_without_traceback": {"()": "advocacy.logging.ClientErrorsWithoutTraceback"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # On the logger, not a handler: Django's own console handler (DEBUG) prints these records too.
        "django.request": {"filters": ["client_errors_without_traceback"]},
    },
}
