"""The outreach nudge in Slack and the advocate's DM (experts.nudge decides who is due; this posts).

The beat task (notifications.outreach_nudges) runs `outreach_nudges_run`: each due outreach is claimed by its
conditional UPDATE (experts.nudge.outreach_nudge_claim), then nudged once in its thread with chat.postMessage
(thread_ts, the question's buttons) through the Slack client. Slack busy: the claim is given back and the next
beat tries again; a permanent refusal is written in the ticket's history and not retried. Then the advocates of
outreaches still silent after their nudge are told (experts.nudge.outreaches_silent_tell), by a Slack DM queued
in the outbox (`advocate_told_queue`, also used for "Not me")."""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone

from channels.adapters.slack.client import NOT_CONFIGURED, SlackError, SlackTransient, slack_escape, slack_post_message
from experts.models import Outreach
from experts.nudge import (
    AdvocateTold,
    outreach_nudge_claim,
    outreach_nudge_release,
    outreach_nudged,
    outreaches_due_nudge,
    outreaches_silent_tell,
)
from experts.slack_outreach import outreach_channel_id
from mentions.coverage import coverage_load
from notifications.models import SlackNotice
from notifications.outreach_blocks import outreach_buttons_wanted, outreach_nudge_blocks
from notifications.snooze_remind import dm_lines_queue, ticket_bullet

logger = logging.getLogger(__name__)
TOLD_LOG = "expert notices: %d advocate(s) without a Slack member id"


def nudge_text(outreach: Outreach) -> str:
    """The nudge's words (Slack mrkdwn): the expert's mention as the question made it, the rest escaped."""
    mention = outreach.expert.slack_mention
    who = mention if mention.startswith(("<@", "<!subteam^")) else slack_escape(mention or outreach.expert.name)
    return (
        f"{who}, a gentle nudge: this question is still waiting. If it is not yours, "
        "“Not me” passes it on; if you answered, “Answered” closes it."
    )


def outreach_nudge_post(outreach: Outreach, *, now: datetime) -> str:
    """Post the claimed nudge: "sent", "retry" (claim given back) or "failed" (Slack refused it for good)."""
    text = nudge_text(outreach)
    blocks = outreach_nudge_blocks(outreach, text) if outreach_buttons_wanted() else None
    channel = outreach_channel_id(outreach) or outreach.slack_channel
    try:
        ts, _channel_id = slack_post_message(channel=channel, text=text, blocks=blocks, thread_ts=outreach.slack_ts)
    except SlackTransient as exc:
        outreach_nudge_release(outreach_id=outreach.pk, claimed_at=now)
        logger.info("outreach %s: nudge put off, Slack is busy (%s)", outreach.pk, exc)
        return "retry"
    except SlackError as exc:
        outreach_nudged(outreach, error=exc.message)
        if exc.code != NOT_CONFIGURED:  # without Slack the outreach says why; the client logs it once a day
            logger.warning("outreach %s: Slack refused the nudge: %s", outreach.pk, exc.message)
        return "failed"
    outreach_nudged(outreach, slack_ts=ts)
    return "sent"


def outreach_nudges_run(*, now: datetime | None = None) -> dict[str, int]:
    """One beat: nudge the due outreaches once each, then tell the advocates of those silent since their nudge."""
    now = now or timezone.now()
    coverage = coverage_load()
    done = {"sent": 0, "retry": 0, "failed": 0, "told": 0}
    for outreach in outreaches_due_nudge(now=now, coverage=coverage):
        if outreach_nudge_claim(outreach_id=outreach.pk, now=now):
            done[outreach_nudge_post(outreach, now=now)] += 1
    done["told"] = len(outreaches_silent_tell(now=now, coverage=coverage))
    return done


def told_line(told: AdvocateTold) -> str:
    return (
        f"{ticket_bullet(told.ticket_id, told.subject)}: {slack_escape(told.said)}. The ticket offers the next expert."
    )


def advocate_told_queue(told: list[AdvocateTold]) -> None:
    """experts.nudge's hook: one DM line per advocate told, when they have a Slack member id (queued in the
    telling transaction, posted by the outbox's flush, never twice)."""
    dm_lines_queue([(t.advocate_id, t.ticket_id, told_line(t)) for t in told], SlackNotice.Kind.EXPERT, TOLD_LOG)
