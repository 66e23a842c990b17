"""Slack notices, pings and digests outside the request. Thin: the services hold the logic.

Names follow this module (`notifications.*`); the names they had before notifications was an app of its
own (channels.*, mentions.*, experts.*) are accepted for one release (advocacy.task_aliases), so messages
queued before the upgrade still run."""

from __future__ import annotations

from dataclasses import asdict

from celery import Task, shared_task


# Not autoretried: each row carries its own attempts and next time (notifications.outbox), so a
# failed flush is simply picked up by the next beat tick.
@shared_task(name="notifications.slack_flush", ignore_result=True)
def slack_flush() -> dict[str, int]:
    from notifications.outbox import slack_outbox_flush

    return asdict(slack_outbox_flush())


@shared_task(name="notifications.urgent_sweep", acks_late=True, ignore_result=True)
def urgent_sweep() -> dict[str, int]:
    from notifications.front_page import front_page_announce
    from notifications.urgency import urgent_sweep as sweep

    # Front-page announcements Slack refused for now are retried on the same beat.
    return {**sweep(), "front_page": front_page_announce()}


@shared_task(name="notifications.front_page_announce", acks_late=True, ignore_result=True)
def front_page_announce() -> int:
    from notifications.front_page import front_page_announce as announce

    return announce()


@shared_task(name="notifications.coverage_digest", acks_late=True, ignore_result=True)
def coverage_digest() -> str:
    from notifications.urgency import coverage_digest_send

    digest = coverage_digest_send()
    return "not due" if digest is None else digest.status


# Not autoretried: outreach_deliver counts attempts on the row and re-enqueues this task itself with
# Slack's Retry-After (or a backoff), then marks the outreach failed after the last attempt.
@shared_task(name="notifications.outreach_retry", acks_late=True, ignore_result=True)
def outreach_retry(outreach_id: int) -> str:
    from notifications.outreach import outreach_deliver

    outreach = outreach_deliver(outreach_id=outreach_id)
    return "gone" if outreach is None else outreach.status


# Idempotent: each nudge and each telling is claimed by a conditional UPDATE (experts.nudge), so a late or
# doubled beat posts nothing twice.
@shared_task(name="notifications.outreach_nudges", acks_late=True, ignore_result=True)
def outreach_nudges() -> dict[str, int]:
    from notifications.outreach_nudge import outreach_nudges_run

    return outreach_nudges_run()


COMMUNITY_MAX_RETRIES = 5


# Retried on transient Slack errors only, each wait written in the ticket's history; a permanent
# refusal, or Slack still busy after the last retry, is noted on the ticket.
@shared_task(bind=True, name="notifications.community_post", acks_late=True, ignore_result=True)
def community_post(self: Task, ticket_id: int) -> str:
    from channels.adapters.slack.client import SlackRateLimited, SlackTransient
    from notifications.community import community_post_note, community_post_send

    try:
        return community_post_send(ticket_id=ticket_id)
    except SlackTransient as exc:
        if self.request.retries >= COMMUNITY_MAX_RETRIES:
            community_post_note(ticket_id=ticket_id, community_error=f"Slack stayed busy ({exc})")
            return "failed"
        delay = exc.retry_after if isinstance(exc, SlackRateLimited) else min(30 * 2**self.request.retries, 600)
        community_post_note(ticket_id=ticket_id, community_retry=str(exc), retry_in=delay)
        raise self.retry(exc=exc, countdown=delay) from exc
