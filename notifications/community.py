"""Sharing a mention in Slack for community involvement: the handbook's "Community involvement" macro
posts its permalink to the community channel, once per ticket, before its actions run."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError

from advocacy.enqueue import task_enqueue_on_commit
from advocacy.versioned import version_bump_now
from channels.adapters.slack.client import (
    SlackError,
    SlackRateLimited,
    SlackTransient,
    slack_configured,
    slack_escape,
    slack_link,
    slack_post_message,
)
from experts.models import OutreachSettings
from experts.services import COMMUNITY_MACRO, OUTREACH_MAX_BACKOFF, first_inbound
from mentions.models import Macro, Ticket, TicketEvent
from mentions.selectors import MACROS_VERSION_KEY
from mentions.services.events import event_record
from mentions.services.macro_needs import MacroNeed
from notifications.rows import backoff_seconds

logger = logging.getLogger(__name__)


SLACK_MISSING = (
    "Slack is not connected to the desk. Ask an admin to connect Slack, or share the link yourself and add a note."
)


def community_macro_need(*, macro: Macro) -> MacroNeed | None:
    """Macro-need hook (notifications.apps): the community-involvement macro posts to Slack, so it is
    shown disabled, with why, while Slack is not connected."""
    if macro.name.casefold() != COMMUNITY_MACRO.casefold():
        return None
    channel = OutreachSettings.current().community_channel
    return MacroNeed(does=f"posts to Slack {channel}", missing="" if slack_configured() else SLACK_MISSING)


def slack_token_changed(*, setting: str, **_: Any) -> None:
    """setting_changed receiver (apps.py; tests and settings reloads): the macros' kept summaries say whether
    Slack is connected."""
    if setting == "SLACK_BOT_TOKEN":
        version_bump_now(MACROS_VERSION_KEY)  # no transaction to wait for: a setting is not in the database


def community_share_on_macro(*, ticket: Ticket, macro: Macro, user: Any, **_: Any) -> str | None:
    """Macro hook (notifications.apps): the community-involvement macro shares the mention in Slack
    before its actions run, so a post Slack refuses (not connected, no such channel, bot not
    invited) refuses the macro in words and the ticket is not solved as if it had gone. Slack
    being busy does not hold the advocate up: the post is retried in the background and each
    retry is in the ticket's history."""
    if macro.name.casefold() != COMMUNITY_MACRO.casefold():
        return None
    if not slack_configured():
        # macro_apply refuses it first (community_macro_need); kept for a caller that skips that check.
        raise ValidationError(f"“{macro.name}” shares the mention in Slack, nothing was applied: {SLACK_MISSING}")
    try:
        result = community_post_send(ticket_id=ticket.pk, raise_refusal=True)
    except SlackError as exc:
        raise ValidationError(f"“{macro.name}” was not applied: {exc.message}.") from exc
    except SlackTransient as exc:
        delay = exc.retry_after if isinstance(exc, SlackRateLimited) else backoff_seconds(1, cap=OUTREACH_MAX_BACKOFF)
        community_post_retry_later(ticket=ticket, error=str(exc), delay=delay)
        return f"Slack is busy: the mention will be shared in {delay} s (the ticket's history shows each try)."
    if result == "no-link":
        return "This mention has no link to share in Slack; nothing was posted."
    return None


def community_post_retry_later(*, ticket: Ticket, error: str, delay: int, attempt: int = 1) -> None:
    """Record that the share waits for Slack, and queue the retry after commit."""
    event_record(ticket=ticket, kind=TicketEvent.Kind.NOTE, actor=None, community_retry=error, retry_in=delay)
    # A broker that is down is logged; the history already says the share is waiting.
    task_enqueue_on_commit("notifications.community_post", ticket.pk, countdown=delay)


def community_post_note(*, ticket_id: int, **data: Any) -> None:
    """A line in the ticket's history about the share (retrying, or given up)."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is not None:
        event_record(ticket=ticket, kind=TicketEvent.Kind.NOTE, actor=None, **data)


def community_post_text(*, ticket: Ticket, link: str) -> str:
    """The community-involvement line. The requester's handle and name are anyone's public text:
    escaped, so "<!channel>" or "<https://evil|bank>" arrive as text; the permalink is a link we
    build, labelled with its own address so it cannot pose as another."""
    who = " ".join((ticket.requester_handle or ticket.requester_name).split())
    head = f"Worth engaging on {slack_escape(ticket.channel.get_kind_display())}"
    return head + (f" ({slack_escape(who)})" if who else "") + f": {slack_link(link, link)}"


def community_post_send(*, ticket_id: int, raise_refusal: bool = False) -> str:
    """Post the mention's permalink to the community-involvement channel, once per ticket.
    Raises SlackTransient for the caller to retry; a permanent refusal is logged and noted, or
    raised (`raise_refusal`) for the macro hook to refuse the macro with it."""
    ticket = Ticket.objects.select_related("channel").filter(pk=ticket_id).first()
    if ticket is None:
        return "gone"
    if ticket.events.filter(kind=TicketEvent.Kind.NOTE, data__community_post__isnull=False).exists():
        return "already"
    first = first_inbound(ticket)
    link = first.permalink if first and first.permalink else ""
    if not link:
        return "no-link"
    channel = OutreachSettings.current().community_channel
    text = community_post_text(ticket=ticket, link=link)
    try:
        ts, _ = slack_post_message(channel=channel, text=text)
    except SlackError as exc:
        logger.warning("community post for ticket %s refused: %s", ticket_id, exc.message)
        if raise_refusal:
            raise
        event_record(ticket=ticket, kind=TicketEvent.Kind.NOTE, actor=None, community_error=exc.message)
        return "failed"
    event_record(ticket=ticket, kind=TicketEvent.Kind.NOTE, actor=None, community_post=ts, channel=channel, link=link)
    return "posted"
