from celery import shared_task


@shared_task(name="imports.run", ignore_result=True)
def run(run_id: int) -> None:
    """An import started from the admin page (imports.starting), run to its end; its progress is on the run."""
    from imports.running import run_execute

    run_execute(run_id)
