"""Clock, polling and access work outside the request. Thin: the services hold the logic. (Slack
notices, pings and digests are notifications.tasks.)"""

from __future__ import annotations

from celery import shared_task


# Not autoretried: a ping that Slack refuses transiently stays pending with its next attempt
# time, and the beat sweep (or the next ingest) posts it then; nothing is lost if a worker dies.
@shared_task(name="mentions.tickets_ingested", acks_late=True, ignore_result=True)
def tickets_ingested(ticket_ids: list[int]) -> dict[str, int]:
    from mentions.services.ingest_hooks import tickets_after_ingest

    return tickets_after_ingest(ticket_ids=ticket_ids)


@shared_task(name="mentions.sla_sweep", acks_late=True, ignore_result=True)
def sla_sweep() -> dict[str, int]:
    from mentions.services.sla import sla_sweep as sweep

    return sweep()


@shared_task(name="mentions.followups_return", acks_late=True, ignore_result=True)
def followups_return() -> dict[str, int]:
    from mentions.services.followups import followups_return as sweep

    return sweep()


@shared_task(name="mentions.advocate_grants_expire", acks_late=True, ignore_result=True)
def advocate_grants_expire() -> int:
    from mentions.services.grants import advocate_grants_expire as expire

    return expire()


@shared_task(name="mentions.replies_sweep", acks_late=True, ignore_result=True)
def replies_sweep() -> int:
    from mentions.services.replies import replies_sweep as sweep

    return sweep()


@shared_task(name="mentions.watch_threads", acks_late=True, ignore_result=True)
def watch_threads() -> dict[str, int]:
    from mentions.services.watching import threads_watch_due

    return threads_watch_due()


# Polling runs the ingest pipeline, so it lives here; the task names stay those the beat schedule and
# running workers know.


@shared_task(name="channels.poll_due", ignore_result=True)
def poll_due() -> int:
    """Beat's dispatcher: one poll task per due channel, so a slow or failing channel never
    holds up the others."""
    from mentions.services import polling

    dispatched = 0
    for channel_id in polling.channels_due():
        if polling.channel_mark_dispatched(channel_id=channel_id):
            poll.apply_async(args=[channel_id], expires=600)
            dispatched += 1
    return dispatched


# Not autoretried: failures are recorded on the channel with its own exponential backoff,
# visible in admin, and beat's dispatcher re-enqueues the poll when it is due again.
@shared_task(name="channels.poll", acks_late=True, ignore_result=True)
def poll(channel_id: int) -> str:
    from channels.models import Channel
    from mentions.services import polling

    if not Channel.objects.filter(pk=channel_id).exists():
        return "gone"
    return polling.channel_poll(channel_id=channel_id).status
