"""Posting an outreach to Slack, at most once, whoever gets there: the advocate's request (experts'
`outreach_send`, through the delivery it registered) or the retry task.

The row lock taken before posting, and the re-check of status/slack_ts under it, make sure one
outreach is never posted twice. Slack being busy: retried with Retry-After or a backoff, each try in
the ticket's history, failed after OUTREACH_MAX_ATTEMPTS. Once posted, the "Reached out to expert"
macro is applied with the message's permalink."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from advocacy.enqueue import task_enqueue_on_commit
from channels.adapters.slack.client import (
    SlackError,
    SlackRateLimited,
    SlackTransient,
    slack_permalink,
    slack_post_message,
)
from experts.models import Outreach
from experts.services import OUTREACH_MAX_ATTEMPTS, OUTREACH_MAX_BACKOFF, REACHED_OUT_MACRO, outreach_note
from mentions.models import Macro
from mentions.services import macro_apply
from notifications.outreach_blocks import outreach_blocks, outreach_buttons_wanted
from notifications.rows import backoff_seconds

logger = logging.getLogger(__name__)


def _retry_later(outreach_id: int, countdown: int) -> None:
    task_enqueue_on_commit("notifications.outreach_retry", outreach_id, countdown=countdown)


def outreach_deliver(*, outreach_id: int, actor: Any = None) -> Outreach | None:
    """Post a pending outreach to Slack (at most once). Used by the send and by the retry task.
    Returns None when the outreach is gone."""
    posted: tuple[str, str] | None = None
    with transaction.atomic():
        outreach = (
            Outreach.objects.select_for_update(of=("self",))
            .select_related("ticket", "expert", "advocate")
            .filter(pk=outreach_id)
            .first()
        )
        if outreach is None:
            return None
        if outreach.status != Outreach.Status.PENDING or outreach.slack_ts:
            return outreach  # sent, declined or failed meanwhile: never post twice
        actor = actor or outreach.advocate
        outreach.attempts += 1
        try:
            blocks = outreach_blocks(outreach) if outreach_buttons_wanted() else None
            posted = slack_post_message(channel=outreach.slack_channel, text=outreach.message, blocks=blocks)
        except SlackTransient as exc:
            _on_transient(outreach, actor, exc)
        except SlackError as exc:
            outreach.status = Outreach.Status.FAILED
            outreach.last_error = exc.message
            outreach.save(update_fields=["status", "last_error", "attempts", "updated_at"])
            outreach_note(outreach, actor, error=exc.message)
        else:
            outreach.slack_ts = posted[0]
            outreach.status = Outreach.Status.SENT
            outreach.sent_at = timezone.now()
            outreach.last_error = ""
            outreach.save(update_fields=["slack_ts", "status", "sent_at", "last_error", "attempts", "updated_at"])
    if posted is not None:
        _after_sent(outreach, actor, channel_id=posted[1])
    return outreach


def _on_transient(outreach: Outreach, actor: Any, exc: SlackTransient) -> None:
    if outreach.attempts >= OUTREACH_MAX_ATTEMPTS:
        outreach.status = Outreach.Status.FAILED
        outreach.last_error = f"Slack stayed busy after {outreach.attempts} attempts ({exc}): send it again later"
        outreach.save(update_fields=["status", "last_error", "attempts", "updated_at"])
        outreach_note(outreach, actor, error=outreach.last_error)
        return
    delay = (
        exc.retry_after
        if isinstance(exc, SlackRateLimited)
        else backoff_seconds(outreach.attempts, cap=OUTREACH_MAX_BACKOFF)
    )
    outreach.last_error = f"Slack is busy: it will be sent in {delay} s"
    outreach.save(update_fields=["last_error", "attempts", "updated_at"])
    outreach_note(outreach, actor, error=str(exc), retry_in=delay)
    logger.info("outreach %s: %s, retry in %ss (attempt %s)", outreach.pk, exc, delay, outreach.attempts)
    _retry_later(outreach.pk, delay)


def _after_sent(outreach: Outreach, actor: Any, *, channel_id: str) -> None:
    """The message is out: link it, and apply the "Reached out to expert" macro with that link."""
    try:
        permalink = slack_permalink(channel_id=channel_id, ts=outreach.slack_ts)
    except (SlackError, SlackTransient) as exc:
        # The message is posted either way; Slack's redirect opens its channel.
        logger.warning("outreach %s: no permalink (%s)", outreach.pk, exc)
        permalink = f"https://slack.com/app_redirect?channel={channel_id}"
    outreach.slack_permalink = permalink
    outreach.save(update_fields=["slack_permalink", "updated_at"])
    outreach_note(outreach, actor, channel=outreach.slack_channel, link=permalink)
    macro = Macro.objects.filter(name=REACHED_OUT_MACRO, is_active=True).first()
    if macro is None:
        logger.warning("outreach %s: macro %r is missing or inactive", outreach.pk, REACHED_OUT_MACRO)
        return
    try:
        macro_apply(ticket=outreach.ticket, user=actor, macro=macro, link=permalink)
    except (ValidationError, PermissionDenied) as exc:
        # E.g. the ticket was reassigned while a retry waited: the outreach stays sent and linked.
        logger.warning("outreach %s: macro not applied: %s", outreach.pk, exc)
        outreach_note(outreach, None, macro_error=str(exc))
