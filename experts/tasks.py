"""Slack work done outside the request. Thin: the services hold the logic."""

from __future__ import annotations

from celery import shared_task

from experts.slack import SlackRateLimited, SlackTransient


# Not autoretried: outreach_deliver counts attempts on the row and re-enqueues this task itself
# with Slack's Retry-After (or a backoff), then marks the outreach failed after the last attempt.
@shared_task(name="experts.outreach_retry", acks_late=True, ignore_result=True)
def outreach_retry(outreach_id: int) -> str:
    from experts import services

    outreach = services.outreach_deliver(outreach_id=outreach_id)
    return "gone" if outreach is None else outreach.status


# Retried on transient Slack errors only; a permanent refusal is logged and noted on the ticket.
@shared_task(
    bind=True,
    name="experts.community_post",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(SlackTransient,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def community_post(self, ticket_id: int) -> str:
    from experts import services

    try:
        return services.community_post_send(ticket_id=ticket_id)
    except SlackRateLimited as exc:
        raise self.retry(exc=exc, countdown=exc.retry_after) from exc
