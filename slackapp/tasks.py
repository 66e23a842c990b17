from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from slackapp.handlers import HANDLERS
from slackapp.models import SlackEvent

MAX_ATTEMPTS = 5
SWEEP_AFTER = timedelta(minutes=1)


@shared_task(name="slackapp.event_work", ignore_result=True)
def event_work(pk: int) -> str:
    """Work one stored Slack delivery once (a second worker finds it taken or done)."""
    with transaction.atomic():
        row = (
            SlackEvent.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=SlackEvent.Status.STORED)
            .first()
        )
        if row is None:
            return "taken"
        work = HANDLERS.get(row.kind)
        row.attempts += 1
        if not work:
            row.status = SlackEvent.Status.IGNORED
        else:
            try:
                with transaction.atomic():
                    for each in work:
                        each(row)
                row.status = SlackEvent.Status.DONE
            except Exception as exc:  # recorded on the row; retried by the sweep until MAX_ATTEMPTS
                row.error = f"{type(exc).__name__}: {exc}"[:2000]
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = SlackEvent.Status.FAILED
        row.worked_at = timezone.now()
        row.save(update_fields=["status", "attempts", "error", "worked_at"])
        return row.status


@shared_task(name="slackapp.events_sweep", ignore_result=True)
def events_sweep() -> int:
    """Deliveries stored while no worker could be asked, or whose work failed and may be tried again."""
    since = timezone.now() - SWEEP_AFTER
    ids = list(
        SlackEvent.objects.filter(status=SlackEvent.Status.STORED, received_at__lt=since).values_list("pk", flat=True)[
            :500
        ]
    )
    for pk in ids:
        event_work(pk)
    return len(ids)
