"""A message in a release source's Slack channel carrying the release post's link records the post as a release
plan (stories.releases.polling.slack_release_message). Shapes: Slack's `message` event as documented
(https://api.slack.com/events/message), as slackapp/tests/fixtures records it."""

from __future__ import annotations

import logging

from django.conf import settings

from slackapp.handlers import handler
from slackapp.models import SlackEvent
from stories.releases.polling import slack_release_message

logger = logging.getLogger("slackapp")

# A person's message, one also sent to the channel from a thread; not edits, deletions, joins or bots' messages.
POST_SUBTYPES = {None, "", "thread_broadcast"}


@handler("event:message")
def release_post_announced(row: SlackEvent) -> None:
    event = row.payload.get("event") or {}
    if not isinstance(event, dict) or event.get("subtype") not in POST_SUBTYPES or event.get("bot_id"):
        return
    user_id = str(event.get("user") or "")
    if not user_id or user_id == settings.SLACK_BOT_USER_ID:
        return
    plan = slack_release_message(channel_id=str(event.get("channel") or ""), text=str(event.get("text") or ""))
    if plan is not None:
        logger.info("slack: release plan %s from a message in %s", plan.pk, event.get("channel"))
