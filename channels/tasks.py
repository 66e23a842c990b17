from __future__ import annotations

from celery import shared_task

from channels import services


@shared_task(name="channels.poll_due", ignore_result=True)
def poll_due() -> int:
    """Beat's dispatcher: one poll task per due channel, so a slow or failing channel never
    holds up the others."""
    dispatched = 0
    for channel_id in services.channels_due():
        if services.channel_mark_dispatched(channel_id=channel_id):
            poll.apply_async(args=[channel_id], expires=600)
            dispatched += 1
    return dispatched


# Not autoretried: failures are recorded on the channel with its own exponential backoff,
# visible in admin, and beat's dispatcher re-enqueues the poll when it is due again.
@shared_task(name="channels.poll", acks_late=True, ignore_result=True)
def poll(channel_id: int) -> str:
    from channels.models import Channel

    if not Channel.objects.filter(pk=channel_id).exists():
        return "gone"
    return services.channel_poll(channel_id=channel_id).status


# Not autoretried: each row carries its own attempts and next time (channels.slack_outbox),
# so a failed flush is simply picked up by the next beat tick.
@shared_task(name="channels.slack_flush", ignore_result=True)
def slack_flush() -> dict[str, int]:
    from dataclasses import asdict

    from channels.slack_outbox import slack_outbox_flush

    return asdict(slack_outbox_flush())


# Not autoretried: an account that cannot be refreshed is marked "needs reconnecting" for admins,
# and a transient failure is tried again on the next beat tick, well before the token expires.
@shared_task(name="channels.accounts_refresh", ignore_result=True)
def accounts_refresh() -> dict[str, int]:
    from channels.accounts.tokens import accounts_refresh_due

    return accounts_refresh_due()
