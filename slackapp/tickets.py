"""A Slack message becomes a ticket (issue 31): the *Create ticket* message shortcut (callback_id
`create_ticket`) on any message, or the chosen emoji reaction on a message in the channels an admin chose (the
Slack channel's config, channels.adapters.slack). Questions asked internally, in #community-advocates and
elsewhere, then reach the advocates' queue like a mention: the Slack channel of the desk, its view "Slack
questions".

Exactly once: the message's id (`slack:<channel id>:<ts>`) is stored once by the ingest, whatever delivered it
(a retried delivery is already stored once as a SlackEvent; a shortcut and a reaction on one message are two
deliveries of one id). The ticket's link is answered in the message's thread through the Slack outbox
(notifications.outbox, a `thread_answer` line with the thread's ts): one line per ticket and thread, so it is
posted once, and a Slack outage only delays it (the outbox retries, and shows failures in admin).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings

from channels.adapters.registry import get_adapter
from channels.adapters.slack import DEFAULT_EMOJI, emoji_name, message_time
from channels.adapters.slack.client import SlackError, SlackTransient, _call, slack_link, slack_permalink
from channels.adapters.slack.platform import PLATFORM as SLACK
from channels.models import Channel
from intake.pipeline import mentions_ingest
from mentions.models import Message, Ticket, View
from notifications.models import SlackNotice
from notifications.outbox import notice_queue
from slackapp.handlers import handler
from slackapp.models import SlackEvent

logger = logging.getLogger("slackapp")
SLUG = SLACK.kind  # the desk's Slack channel's slug, as made: its kind
VIEW_SLUG = "slack-questions"
_DOMAIN = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


def desk_slack_channel() -> Channel:
    """The desk's channel of Slack messages, made with its view "Slack questions" when the first Slack message
    becomes a ticket (a desk that never uses the Slack app has neither; an admin may rename both, or make the
    channel first to choose reaction channels)."""
    channel = Channel.objects.filter(kind=SLACK.kind).order_by("pk").first()
    if channel is None:
        channel, _ = Channel.objects.get_or_create(
            slug=SLUG, defaults={"kind": SLACK.kind, "name": SLACK.label, "enabled": True}
        )
        view, made = View.objects.get_or_create(slug=VIEW_SLUG, defaults={"name": "Slack questions", "position": 90})
        if made:
            view.channels.add(channel)  # mentions.signals keeps the view's channel_ids
    return channel


@handler("shortcut:create_ticket")
def ticket_from_shortcut(row: SlackEvent) -> None:
    body = row.payload
    message = body.get("message") or {}
    user = body.get("user") or {}
    # `user` is who pressed the shortcut; their name is the author's only when they wrote the message.
    name = str(user.get("name") or "") if user.get("id") and user.get("id") == message.get("user") else ""
    message_ticket(
        channel_id=str((body.get("channel") or {}).get("id") or ""),
        message=message,
        domain=str((body.get("team") or {}).get("domain") or ""),
        author_name=name,
    )


@handler("event:reaction_added")
def ticket_from_reaction(row: SlackEvent) -> None:
    event = row.payload.get("event") or {}
    item = event.get("item") or {}
    desk = desk_slack_channel()
    emoji = desk.config.get("reaction_emoji") or DEFAULT_EMOJI
    # Slack names a skin tone after the emoji ("ticket::skin-tone-2"): the same emoji.
    if item.get("type") != "message" or emoji_name(str(event.get("reaction") or "").split("::")[0]) != emoji:
        return
    channel_id, ts = str(item.get("channel") or ""), str(item.get("ts") or "")
    if not _reaction_channel(channel_id, desk.config.get("reaction_channels") or []):
        return
    message = _message_read(channel_id, ts)
    if message is None:
        logger.info("slack: reacted message %s in %s is gone: no ticket", ts, channel_id)
        return
    message_ticket(channel_id=channel_id, message=message)


def message_ticket(*, channel_id: str, message: dict[str, Any], domain: str = "", author_name: str = "") -> int | None:
    """Ingest one Slack message on the desk's Slack channel and queue the ticket's link in its thread.
    Returns the ticket's id (None: the channel is switched off, or the message is ours)."""
    desk = desk_slack_channel()
    if not desk.enabled:
        logger.info("slack: the Slack channel is disabled: message %s not made a ticket", message.get("ts"))
        return None
    if settings.SLACK_BOT_USER_ID and message.get("user") == settings.SLACK_BOT_USER_ID:
        return None  # the desk's own answer in a thread is not a question
    ts = str(message.get("ts") or "")
    message_time(ts)  # a PayloadError before Slack is asked for the link of a message that cannot be one
    data = {
        "channel_id": channel_id,
        "message": message,
        "permalink": _permalink(channel_id, ts, domain),
        "author_name": author_name,
    }
    mentions = get_adapter(SLUG).parse_payload(data)
    mentions_ingest(channel=desk, mentions=mentions)
    ticket_id = (
        Message.objects.filter(channel=desk, external_id=mentions[0].external_id)
        .values_list("ticket_id", flat=True)
        .first()
    )
    if ticket_id is not None:
        _answer_queue(ticket_id, channel_id=channel_id, thread_ts=str(message.get("thread_ts") or ts))
    return ticket_id


def _answer_queue(ticket_id: int, *, channel_id: str, thread_ts: str) -> None:
    ticket = Ticket.objects.get(pk=ticket_id)
    text = f"Made ticket {slack_link(ticket.get_desk_url(), f'#{ticket.pk}')} of this message on the desk."
    notice_queue(
        destination=channel_id,
        ticket_id=ticket.pk,
        kind=SlackNotice.Kind.THREAD_ANSWER,
        text=text,
        thread_ts=thread_ts,
    )


def _permalink(channel_id: str, ts: str, domain: str) -> str:
    """Slack's own link (chat.getPermalink: right for thread replies and Enterprise Grid); else the archive
    address built from the workspace's domain, so a Slack outage does not hold the ticket back."""
    try:
        return slack_permalink(channel_id=channel_id, ts=ts)
    except (SlackError, SlackTransient) as exc:
        if _DOMAIN.fullmatch(domain):
            return f"https://{domain}.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"
        if isinstance(exc, SlackTransient):
            raise  # the delivery is worked again later (slackapp.tasks)
        return ""


def _reaction_channel(channel_id: str, chosen: list[str]) -> bool:
    if not channel_id or not chosen:
        return False
    if channel_id in chosen:
        return True
    names = [c for c in chosen if c.startswith("#")]
    if not names:
        return False
    info = _call("conversations.info", channel=channel_id, params={"channel": channel_id})
    return "#" + str((info.get("channel") or {}).get("name") or "").lower() in names


def _message_read(channel_id: str, ts: str) -> dict[str, Any] | None:
    """The reacted message: conversations.history from its ts (inclusive, one message); a thread reply is not
    there, so its thread is read (conversations.replies)."""
    asks = (
        ("conversations.history", {"channel": channel_id, "latest": ts, "inclusive": "true", "limit": 1}),
        # The thread's parent comes first, then the replies from `oldest`: the reacted one among the first two.
        ("conversations.replies", {"channel": channel_id, "ts": ts, "oldest": ts, "inclusive": "true", "limit": 2}),
    )
    for method, params in asks:
        data = _call(method, channel=channel_id, params=params)
        for message in data.get("messages") or []:
            if isinstance(message, dict) and message.get("ts") == ts:
                return message
    return None
