"""Polling, watched threads and the after-ingest judgement outside the request. Thin: the services hold the
logic. Names follow this module (`intake.*`); the names they had before intake was an app are accepted for
one release (advocacy.task_aliases)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="intake.poll_due", ignore_result=True)
def poll_due() -> int:
    """Beat's dispatcher: one poll task per due channel, so a slow or failing channel never
    holds up the others."""
    from intake.services import polling

    dispatched = 0
    for channel_id in polling.channels_due():
        if polling.channel_mark_dispatched(channel_id=channel_id):
            poll.apply_async(args=(channel_id,), expires=600)
            dispatched += 1
    return dispatched


# Not autoretried: failures are recorded on the channel with its own exponential backoff,
# visible in admin, and beat's dispatcher re-enqueues the poll when it is due again.
@shared_task(name="intake.poll", acks_late=True, ignore_result=True)
def poll(channel_id: int) -> str:
    from channels.models import Channel
    from intake.services import polling

    if not Channel.objects.filter(pk=channel_id).exists():
        return "gone"
    return polling.channel_poll(channel_id=channel_id).status


@shared_task(name="intake.watch_threads", acks_late=True, ignore_result=True)
def watch_threads() -> dict[str, int]:
    from intake.services.watching import threads_watch_due

    return threads_watch_due()


# Not autoretried: a ping that Slack refuses transiently stays pending with its next attempt
# time, and the beat sweep (or the next ingest) posts it then; nothing is lost if a worker dies.
@shared_task(name="intake.tickets_ingested", acks_late=True, ignore_result=True)
def tickets_ingested(ticket_ids: list[int]) -> dict[str, int]:
    from intake.hooks import tickets_after_ingest

    return tickets_after_ingest(ticket_ids=ticket_ids)
