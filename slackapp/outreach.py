"""The outreach's Slack message coming back (issue 31): what the worker does with each stored delivery. The
work is experts.slack_outreach's; here only Slack's payloads are read (shapes: slackapp/tests/fixtures).

- a reply in the outreach's thread → an internal note on its ticket (bots, edits and the desk's own messages
  skipped);
- a ✅ reaction on the outreach's message → the outreach answered;
- "I'll answer" → recorded in the ticket's history;
- the "Answered: link" and "Not me" modals (opened in slackapp.outreach_modals) → answered with the link,
  or declined and the suggested expert asked."""

from __future__ import annotations

import logging

from django.conf import settings

from channels.adapters.slack.client import SlackError, SlackTransient, slack_update_message
from experts.models import Outreach
from experts.slack_outreach import (
    CHECK_REACTIONS,
    outreach_answered_in_slack,
    outreach_channel_id,
    outreach_claimed_in_slack,
    outreach_for_slack_message,
    outreach_rerouted_in_slack,
    outreach_thread_note,
    slack_time,
)
from notifications.outreach_blocks import CLAIM, outreach_blocks_closed
from slackapp.handlers import handler
from slackapp.models import SlackEvent
from slackapp.outreach_modals import ANSWER_VIEW, REROUTE_VIEW, pk_read, pressed_outreach_id, submitted

logger = logging.getLogger("slackapp")

# Message subtypes that are someone's reply: a plain one, one also sent to the channel, one with a file.
REPLY_SUBTYPES = {None, "", "thread_broadcast", "file_share"}


@handler("event:message")
def thread_reply(row: SlackEvent) -> None:
    event = row.payload.get("event") or {}
    user_id = str(event.get("user") or "")
    thread_ts, ts = str(event.get("thread_ts") or ""), str(event.get("ts") or "")
    if event.get("subtype") not in REPLY_SUBTYPES or event.get("bot_id") or not user_id:
        return  # a bot's message, an edit or a deletion, a join…
    if user_id == settings.SLACK_BOT_USER_ID or not thread_ts or thread_ts == ts:
        return  # the desk's own message, or not a reply in a thread
    channel_id = str(event.get("channel") or "")
    outreach = outreach_for_slack_message(channel_id=channel_id, ts=thread_ts)
    if outreach is not None:
        outreach_thread_note(
            outreach=outreach,
            user_id=user_id,
            text=str(event.get("text") or ""),
            channel_id=channel_id,
            ts=ts,
            thread_ts=thread_ts,
        )


@handler("event:reaction_added")
def check_reaction(row: SlackEvent) -> None:
    event = row.payload.get("event") or {}
    item = event.get("item") or {}
    if event.get("reaction") not in CHECK_REACTIONS or item.get("type") != "message":
        return
    outreach = outreach_for_slack_message(channel_id=str(item.get("channel") or ""), ts=str(item.get("ts") or ""))
    if outreach is not None:
        at = slack_time(str(event.get("event_ts") or ""))
        if outreach_answered_in_slack(outreach_id=outreach.pk, user_id=str(event.get("user") or ""), at=at):
            _buttons_off(outreach.pk, "Answered ✅ — thanks!")


@handler(f"action:{CLAIM}")
def claim(row: SlackEvent) -> None:
    outreach_id = pressed_outreach_id(row.payload)
    if outreach_id is not None:
        user_id = str((row.payload.get("user") or {}).get("id") or "")
        outreach_claimed_in_slack(outreach_id=outreach_id, user_id=user_id)


@handler(f"view:{ANSWER_VIEW}")
def answered_with_link(row: SlackEvent) -> None:
    outreach_id, user_id, values = submitted(row.payload)
    link = str(values.get("link") or "")
    if outreach_id is not None and outreach_answered_in_slack(outreach_id=outreach_id, user_id=user_id, link=link):
        _buttons_off(outreach_id, f"Answered: {link} — thanks!")


@handler(f"view:{REROUTE_VIEW}")
def reroute(row: SlackEvent) -> None:
    outreach_id, user_id, values = submitted(row.payload)
    expert_id = pk_read(values.get("expert"))
    if outreach_id is not None and expert_id is not None:
        reason = str(values.get("reason") or "")
        asked = outreach_rerouted_in_slack(outreach_id=outreach_id, user_id=user_id, expert_id=expert_id, reason=reason)
        if asked is not None:
            _buttons_off(outreach_id, f"Passed on to {asked.expert.name} — thanks!")


def _buttons_off(outreach_id: int, said: str) -> None:
    """The outreach is closed: its message loses the buttons and says what happened. Best effort: the outreach
    is closed on the desk either way, and a press on a stale button finds it closed."""
    outreach = Outreach.objects.filter(pk=outreach_id).first()
    channel_id = outreach_channel_id(outreach) if outreach else ""
    if outreach is None or not channel_id or not outreach.slack_ts:
        return
    try:
        slack_update_message(
            channel_id=channel_id,
            ts=outreach.slack_ts,
            text=outreach.message,
            blocks=outreach_blocks_closed(outreach, said),
        )
    except (SlackError, SlackTransient) as exc:
        logger.warning("slack: outreach %s: its message could not be updated: %s", outreach_id, exc)
