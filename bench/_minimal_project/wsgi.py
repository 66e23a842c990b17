"""gunicorn's entry point for the minimal project (bench/pages.py serves it as `_minimal_project.wsgi`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "_minimal_project.settings")
application = get_wsgi_application()
