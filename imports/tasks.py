import time

from celery import shared_task

from advocacy.enqueue import task_enqueue

# One task's share of an import: well inside Celery's soft time limit (CELERY_TASK_SOFT_TIME_LIMIT, 240 s), with
# room for the page under way when it runs out (a page of tickets asks for each ticket's comments).
SLICE_SECONDS = 120


@shared_task(name="imports.run", ignore_result=True)
def run(run_id: int) -> None:
    """An import started from the admin page (imports.starting), run a slice at a time: each task writes pages for
    SLICE_SECONDS, then queues the next, which goes on from the run's cursor; its progress is on the run. A run
    that has ended (a task delivered again) is left as it is."""
    from imports.models import ImportRun
    from imports.running import run_execute

    going = (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)
    if not ImportRun.objects.filter(pk=run_id, status__in=going).exists():
        return
    if run_execute(run_id, until=time.monotonic() + SLICE_SECONDS).status == ImportRun.Status.QUEUED:
        task_enqueue("imports.run", run_id)
