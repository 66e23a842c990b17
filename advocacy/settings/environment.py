"""Where the desk runs: the environment it reads, development or production, the secret key, DEBUG, hosts.

Settings are read from the environment (and an optional `.env` file in the project root) with django-environ;
docs/configuration.md lists every variable. With nothing set the desk runs on an embedded default: a SQLite file
under `var/` and a Celery broker in another (advocacy.broker), so `make run` works on a bare laptop. Setting
`DATABASE_URL` and `REDIS_URL` switches to PostgreSQL and Redis. `DJANGO_ENV=production` removes every default that
is only safe on a laptop: SECRET_KEY and ALLOWED_HOSTS must then be given.
"""

import ipaddress
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

# advocacy/settings/environment.py: the project root is three levels up.
BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Read before `.env` is loaded (the embedded default's files live here): set it in the real environment.
VAR_DIR = Path(environ.Env().str("DESK_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
# The admin's import form reads export directories under this one only (docs/importing.md).
DESK_IMPORT_DIR = Path(env.str("DESK_IMPORT_DIR", default=str(VAR_DIR / "imports")))


def networks_checked(name: str, networks: list[str]) -> list[str]:
    """`networks` (the CIDRs a setting lists) as given, or a start refused naming the one that is not a network."""
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {network!r} is not a network ({exc}).") from exc
    return networks


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
