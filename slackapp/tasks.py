import logging
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from channels import clean
from channels.adapters.base import PayloadError
from slackapp.deliveries import delivery_problem
from slackapp.handlers import HANDLERS
from slackapp.models import SlackEvent

logger = logging.getLogger("slackapp")

MAX_ATTEMPTS = 5
SWEEP_AFTER = timedelta(minutes=1)
# A delivery not in Slack's documented shape fails the same way however often it is worked: failed at once.
NOT_RETRIED = (PayloadError, clean.Unstorable)


@shared_task(name="slackapp.event_work", ignore_result=True)
def event_work(pk: int) -> str:
    """Work one stored Slack delivery once (a second worker finds it taken or done). A delivery not in the
    documented shape is failed at once with the reason; another error is kept on the row and tried again by
    events_sweep up to MAX_ATTEMPTS, then failed: a row never stays stored for ever."""
    with transaction.atomic():
        row = (
            SlackEvent.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=SlackEvent.Status.STORED)
            .first()
        )
        if row is None:
            return "taken"
        row.attempts += 1
        _work(row)
        row.worked_at = timezone.now()
        row.save(update_fields=["status", "attempts", "error", "worked_at"])
        return row.status


def _work(row: SlackEvent) -> None:
    problem = delivery_problem(row.payload) if isinstance(row.payload, dict) else "the payload is not an object"
    work = HANDLERS.get(row.kind)
    if problem:
        _failed(row, problem)
    elif not work:
        row.status = SlackEvent.Status.IGNORED
    else:
        try:
            with transaction.atomic():
                for each in work:
                    each(row)
            row.status = SlackEvent.Status.DONE
        except NOT_RETRIED as exc:
            _failed(row, f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # recorded on the row; retried by the sweep until MAX_ATTEMPTS
            row.error = _error_text(f"{type(exc).__name__}: {exc}")
            if row.attempts >= MAX_ATTEMPTS:
                row.status = SlackEvent.Status.FAILED
            logger.warning("slack: event %s (%s) attempt %s failed: %s", row.pk, row.kind, row.attempts, row.error)


def _failed(row: SlackEvent, error: str) -> None:
    row.status = SlackEvent.Status.FAILED
    row.error = _error_text(error)
    logger.warning("slack: event %s (%s, %s) failed, not tried again: %s", row.pk, row.kind, row.key, row.error)


def _error_text(text: str) -> str:
    # The row must take it: an error may quote the payload, and PostgreSQL refuses NUL and lone surrogates.
    return clean.text_exact(text)[:2000]


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
