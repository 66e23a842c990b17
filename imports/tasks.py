import logging
import time

from celery import shared_task

from advocacy.enqueue import task_enqueue
from channels.adapters.base import RateLimited
from imports.lines import ExportError

logger = logging.getLogger(__name__)

# One task's share of an import: well inside Celery's soft time limit (CELERY_TASK_SOFT_TIME_LIMIT, 240 s), with
# room for the page under way when it runs out (a page of tickets asks for each ticket's comments).
SLICE_SECONDS = 120
# The longest a rate limit's wait is taken as said: a countdown must stay well inside the broker's visibility
# timeout (DESK_BROKER_VISIBILITY_SECONDS), or the waiting task is handed to a second worker.
WAIT_MAX = 600


@shared_task(name="imports.run", ignore_result=True)
def run(run_id: int) -> None:
    """An import started from the admin page (imports.starting), run a slice at a time: each task writes pages for
    SLICE_SECONDS, then queues the next, which goes on from the run's cursor (after the wait a rate limit asks);
    its progress is on the run. A run that has ended (a task delivered again) is left as it is."""
    from imports.models import ImportRun
    from imports.running import run_execute

    going = (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)
    if not ImportRun.objects.filter(pk=run_id, status__in=going).exists():
        return
    try:
        # The history is indexed by tasks of its own (`index`): at 100,000 tickets it takes minutes too.
        run = run_execute(run_id, until=time.monotonic() + SLICE_SECONDS, index=False)
    except RateLimited as exc:  # the run is QUEUED, its cursor kept: the next slice after the platform's wait
        task_enqueue("imports.run", run_id, countdown=min(WAIT_MAX, round(exc.retry_after or 60)))
        return
    except ExportError as exc:
        # The admin's file, not the desk, is at fault: one line in the log, the same sentence on the run's page
        # (FAILED, recorded by the import), and no traceback for a mistake that is theirs to fix.
        logger.warning("import run %s stopped: %s", run_id, exc)
        return
    if run.status == ImportRun.Status.QUEUED:
        task_enqueue("imports.run", run_id)
    elif run.status == ImportRun.Status.DONE:
        task_enqueue("imports.index", run_id, None)


@shared_task(name="imports.index", ignore_result=True)
def index(run_id: int, start: int | None) -> None:
    """A finished run's replied tickets indexed for the answers, a slice of id ranges at a time from `start`, the
    next slice queued until every range is done; the count adds up on the run. Delivered twice, a range adds
    nothing the second time (only tickets not indexed yet are indexed)."""
    from django.db import transaction

    from imports.models import ImportRun
    from imports.running import history_index

    run = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.DONE).first()
    if run is None:
        return
    added, following = history_index(run.source, start=start, until=time.monotonic() + SLICE_SECONDS)
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run_id)
        run.counts["answers_indexed"] = int(run.counts.get("answers_indexed", 0)) + added
        run.save(update_fields=["counts", "updated_at"])
    if following is not None:
        task_enqueue("imports.index", run_id, following)
