import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
application = get_wsgi_application()

from advocacy.static_check import static_files_ready  # noqa: E402 (after Django is set up)

# Production's static files collected, or the process stops here saying what to run: without them every page answered
# 500 (advocacy/static_check.py).
static_files_ready()

# gunicorn --preload (Procfile) imports this module once in the master and forks the workers from it. Loading the
# URLconf (every view) here too lets the workers share those pages instead of each importing them on its first
# request; gc.freeze() moves what start-up made out of the collector's generations, so a collection in a worker
# does not write to (and so copy) every shared object (issue 41). Nothing here connects to the database or Redis
# (tests/test_process_set.py).
get_resolver().url_patterns  # noqa: B018 (loads the URLconf)
gc.freeze()
