"""Slack work done outside the request. Thin: the services hold the logic."""

from __future__ import annotations

from celery import shared_task

from channels.slack import SlackRateLimited, SlackTransient


# Not autoretried: outreach_deliver counts attempts on the row and re-enqueues this task itself
# with Slack's Retry-After (or a backoff), then marks the outreach failed after the last attempt.
@shared_task(name="experts.outreach_retry", acks_late=True, ignore_result=True)
def outreach_retry(outreach_id: int) -> str:
    from experts import services

    outreach = services.outreach_deliver(outreach_id=outreach_id)
    return "gone" if outreach is None else outreach.status


COMMUNITY_MAX_RETRIES = 5


# Retried on transient Slack errors only, each wait written in the ticket's history; a permanent
# refusal, or Slack still busy after the last retry, is noted on the ticket.
@shared_task(bind=True, name="experts.community_post", acks_late=True, ignore_result=True)
def community_post(self, ticket_id: int) -> str:
    from experts import services

    try:
        return services.community_post_send(ticket_id=ticket_id)
    except SlackTransient as exc:
        if self.request.retries >= COMMUNITY_MAX_RETRIES:
            services.community_post_note(ticket_id=ticket_id, community_error=f"Slack stayed busy ({exc})")
            return "failed"
        delay = exc.retry_after if isinstance(exc, SlackRateLimited) else min(30 * 2**self.request.retries, 600)
        services.community_post_note(ticket_id=ticket_id, community_retry=str(exc), retry_in=delay)
        raise self.retry(exc=exc, countdown=delay) from exc
