"""What Django runs: installed apps, middleware, URLs, templates, language and time zone, static files, and how
often live pages refresh."""

from pathlib import Path

from .environment import BASE_DIR, DEBUG, PRODUCTION, env

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
    "intake.apps.IntakeConfig",
    "people.apps.PeopleConfig",
    "answers.apps.AnswersConfig",
    "experts.apps.ExpertsConfig",
    "notifications.apps.NotificationsConfig",
    "stories.apps.StoriesConfig",
    "metrics.apps.MetricsConfig",
    "slackapp.apps.SlackAppConfig",
    "imports.apps.ImportsConfig",
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
    # Django's, with the user row from memory under a version per user (mentions/permissions/user_cache.py).
    "mentions.permissions.user_cache.CachedAuthenticationMiddleware",
    # Before the live middleware: a live refresh of an expired session signs it out too.
    "advocacy.session_limits.SessionLimitsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Before LoginRequiredMiddleware: an unchanged live page is answered 304 before the user row
    # and permissions are loaded (mentions/live.py).
    "mentions.live.LiveMiddleware",
    "mentions.permissions.perm_cache.PermissionCacheMiddleware",
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
        "OPTIONS": {
            # The project's templates without their indentation (advocacy.template_source); the apps' (admin, allauth,
            # the REST framework) as they are. Cached in every mode: a template is read once per process (Django's
            # autoreloader clears the cache when a template changes under runserver).
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    ["advocacy.template_source.Loader", "django.template.loaders.app_directories.Loader"],
                ),
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mentions.context_processors.desk_navigation",
            ],
        },
    },
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------
STATIC_URL = "static/"
# DESK_STATIC_ROOT moves it: a bench collecting beside a running desk (or a test run) must not rewrite the files the
# running one is serving.
STATIC_ROOT = Path(env.str("DESK_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Development serves static files straight from the app folders; production from
# STATIC_ROOT after collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
# Files served at the site's root, as browsers and other tools ask for them there: /favicon.ico (a page that links no
# icon, such as the API's JSON or a plain-text error, makes the browser ask for it), served by WhiteNoise before any
# sign-in is asked.
WHITENOISE_ROOT = BASE_DIR / "public"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Live pages (mentions/live.py) ------------------------------------------------------
# An open ticket page tells the desk it is open (and whether a reply is being typed) this often.
DESK_PRESENCE_REFRESH_SECONDS = env.int("DESK_PRESENCE_REFRESH_SECONDS", default=10)
# How often live pages (queue, ticket list, an open ticket) ask whether anything changed; an
# unchanged answer is a 304 that costs one single-row query (mentions/live.py).
DESK_LIVE_REFRESH_SECONDS = env.int("DESK_LIVE_REFRESH_SECONDS", default=10)
# Share rendered results that hold no session data (the ticket list's rows) between everyone asking
# for the same thing, until the change stamp moves (mentions/live.py: fragment_cached).
DESK_FRAGMENT_CACHE = env.bool("DESK_FRAGMENT_CACHE", default=True)

# --- People: erasure (people/identifiers.py) -------------------------------------------
# The country (ISO 3166 two letters) whose way of writing a phone number without its +country code an erasure
# reads too ("(415) 555-0100" in the US, "030 1234567" in Germany); numbers written with + are read whatever it is.
DESK_PHONE_REGION = env.str("DESK_PHONE_REGION", default="US")
