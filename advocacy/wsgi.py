import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
application = get_wsgi_application()

from advocacy.celery import app as celery_app  # noqa: E402
from advocacy.static_check import static_files_ready  # noqa: E402 (after Django is set up)
from channels.adapters.registry import reply_counters_load  # noqa: E402

# Production's static files collected, or the process stops here saying what to run: without them every page answered
# 500 (advocacy/static_check.py).
static_files_ready()

# gunicorn --preload (Procfile) imports this module once in the master and forks the workers from it. Loading the
# URLconf (every view, and the names `reverse` reads: 0.1 s of a worker's first page) here too lets the workers share
# those pages instead of each making them on its first request, and so do the platforms' reply length counts (X's
# took 0.52 s of a worker's first X ticket, the browser's slowest Play, bench/README.md) and the broker's transport;
# gc.freeze() moves what start-up made out of the collector's generations, so a collection in a worker does not
# write to (and so copy) every shared object (issue 41). Nothing here connects to the database or Redis
# (tests/test_process_set.py).
get_resolver().reverse_dict  # noqa: B018 (loads the URLconf and fills the names `reverse` reads)
reply_counters_load()
# A page that queues a task (a ticket's first view queues its suggestions) made the worker's first Celery connection
# object, which imports the broker's transport: 0.33 s on make run's SQLite broker (SQLAlchemy). Made here and
# dropped: kombu opens no connection until one is used.
celery_app.connection_for_write().release()
gc.freeze()
