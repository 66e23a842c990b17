"""The desk's settings, one module per topic; `DJANGO_SETTINGS_MODULE=advocacy.settings` loads them all.

Every value comes from the environment (django-environ; an optional `.env` file in the project root):
docs/configuration.md lists each variable with its default, and tests/test_configuration_docs.py fails when a
module here reads one that page does not name. `DJANGO_ENV=production` removes every laptop-only default.

Each module imports what it needs from the ones above it, and no setting is assigned in two modules
(tests/test_settings.py), so what each star import brings is never overwritten by a later one.
"""

# isort: off
from .environment import *  # noqa: F403  DJANGO_ENV, PRODUCTION, SECRET_KEY, DEBUG, hosts, VAR_DIR
from .apps import *  # noqa: F403  INSTALLED_APPS, MIDDLEWARE, TEMPLATES, static files, live pages
from .database import *  # noqa: F403  DATABASES
from .tasks import *  # noqa: F403  Redis, cache, Celery, the beat schedule
from .platforms import *  # noqa: F403  polling, platform HTTP, encryption key, mail, Slack, SITE_URL
from .auth import *  # noqa: F403  accounts, sign-in limits, proxies, two-factor, single sign-on
from .security import *  # noqa: F403  sessions, CSP, production security
from .api import *  # noqa: F403  REST API, outgoing webhooks
from .judgement import *  # noqa: F403  embeddings and judgement of mentions
from .logs import *  # noqa: F403  LOGGING
# isort: on
