"""Settings of the minimal signed-in project (see __init__.py). Only environment it reads: MINIMAL_DB_NAME,
MINIMAL_SESSIONS (db or cookie) and SECRET_KEY."""

import os

SECRET_KEY = os.environ.get("SECRET_KEY", "bench-minimal-not-a-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
]
# startproject's middleware, as a new Django project has it.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
SESSION_ENGINE = (
    "django.contrib.sessions.backends.signed_cookies"
    if os.environ.get("MINIMAL_SESSIONS") == "cookie"
    else "django.contrib.sessions.backends.db"
)
ROOT_URLCONF = "_minimal_project.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(os.path.dirname(__file__), "templates")],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
WSGI_APPLICATION = "_minimal_project.wsgi.application"
# As the desk's: a worker keeps its connection (advocacy/settings/database.py).
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("MINIMAL_DB_NAME", "triage_bench_minimal"),
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": 5432,
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LOGIN_URL = "/accounts/login/"
