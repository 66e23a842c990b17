"""Share to Slack from the ticket page: the "Share to Slack" panel (registered with mentions.ticket_page.panels in
notifications.apps) and what sharing does.

The panel offers the channels the bot is in (conversations.list, kept in the desk's cache for ten minutes,
so opening tickets does not ask Slack each time), the often-used ones first. When Slack cannot say (not
connected, an error), the panel says so and takes a typed channel name. A share goes through the Slack
outbox (notifications.outbox.share_queue): queued in the action's transaction, posted by the flush, kept
and retried while Slack is down, so nothing is lost. The ticket's thread is then watched for a team member's
answer (notifications.share_watch). Everything in the message that a person typed (the
note, the mention, the requester's name) is shown as typed, never as Slack links, mentions or formatting."""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest

from channels.adapters.slack.client import (
    SlackError,
    SlackTransient,
    slack_configured,
    slack_link,
    slack_member_channels,
    slack_plain,
)
from experts.services import first_inbound
from mentions.models import Ticket, TicketEvent
from mentions.services.events import event_record
from mentions.services.versions import ticket_lock
from notifications.outbox import share_queue
from notifications.share_watch import share_thread_watch

logger = logging.getLogger(__name__)

TEMPLATE = "notifications/_share.html"
# Sharing a mention with these was copy and paste: they head the list when the bot is in them.
OFTEN_USED = ("#ceo", "#product", "#competition", "#social_media", "#abuse")
CHANNELS_CACHE_KEY = "notifications:share:channels"
CHANNELS_CACHE_SECONDS = 600
PROBLEM_CACHE_KEY = "notifications:share:channels-problem"
PROBLEM_CACHE_SECONDS = 60
QUOTE_LINES = 3
QUOTE_CHARS = 500
NOTE_CHARS = 1000


def share_channels() -> tuple[list[str], str]:
    """The channels to offer (often-used first, then by name) and, when Slack cannot list them, why in words
    (the panel then takes a typed name). A failure is kept a minute: while Slack is down, ticket pages do not
    each wait for its timeout, and it is asked again soon after."""
    if not slack_configured():
        return [], "Slack is not connected to the desk, so it cannot list its channels."
    names = cache.get(CHANNELS_CACHE_KEY)
    if names is None:
        if problem := cache.get(PROBLEM_CACHE_KEY):
            return [], problem
        try:
            names = slack_member_channels()
        except (SlackError, SlackTransient) as exc:
            logger.warning("share: cannot list Slack channels: %s", exc)
            problem = f"Slack did not list its channels ({exc})."
            cache.set(PROBLEM_CACHE_KEY, problem, PROBLEM_CACHE_SECONDS)
            return [], problem
        cache.set(CHANNELS_CACHE_KEY, names, CHANNELS_CACHE_SECONDS)
    first = [name for name in OFTEN_USED if name in names]
    return first + [name for name in names if name not in first], ""


def share_text(*, ticket: Ticket, note: str, who: str) -> str:
    """The message: who shares it and their note, the mention's first lines quoted, the requester and
    platform, links to the mention and to the ticket (addresses we build or the platform gave, labelled
    with our own words)."""
    first = first_inbound(ticket)
    body = (first.body or first.title) if first else ticket.subject
    lines = [" ".join(line.split()) for line in body.splitlines() if line.strip()][:QUOTE_LINES]
    quote = "\n".join(lines)
    if len(quote) > QUOTE_CHARS:
        quote = quote[: QUOTE_CHARS - 1] + "…"
    requester = " ".join((ticket.requester_name or ticket.requester_handle or "someone").split())
    parts = [f"*{slack_plain(who)} shared a mention*" + (f": {slack_plain(note.strip())}" if note.strip() else "")]
    parts.extend(f"> {slack_plain(line)}" for line in quote.splitlines())
    links = [slack_link(ticket.get_desk_url(), f"Ticket #{ticket.pk}")]
    if first and first.permalink:
        links.insert(0, slack_link(first.permalink, "the mention"))
    parts.append(f"{slack_plain(requester)} on {slack_plain(ticket.channel.get_kind_display())} · " + " · ".join(links))
    return "\n".join(parts)


def ticket_share(*, ticket: Ticket, channel: str, note: str, actor: Any, seen_version: int | None = None) -> str:
    """Queue the share and record it in the ticket's history. Returns what the advocate reads. `seen_version`:
    the ticket's version the advocate's page showed (mentions.services.versions): a ticket that changed since is
    not shared from what they saw."""
    who = (actor.get_full_name() or actor.get_username()) if actor is not None else "The desk"
    with transaction.atomic():
        ticket_lock(ticket, seen_version=seen_version, related=())
        text = share_text(ticket=ticket, note=note, who=who)
        outcome = share_queue(destination=channel, ticket_id=ticket.pk, text=text)
        event_record(ticket=ticket, kind=TicketEvent.Kind.NOTE, actor=actor, slack_share=channel, note=note.strip())
        share_thread_watch(ticket=ticket)
    if not slack_configured():
        return f"Shared to {channel}: Slack is not connected, so it waits in the outbox until it is."
    if outcome == "updated":
        return f"Shared to {channel}: the share still waiting there now carries this note."
    return f"Shared to {channel}: the Slack outbox posts it within seconds, and keeps it while Slack is down."


def share_panel(request: HttpRequest, obj: Ticket, forms: dict) -> dict[str, Any]:
    """The "Share to Slack" panel: the channels, the form as posted when it came back with errors."""
    channels, problem = share_channels()
    form = forms.get("share")
    return {
        "share_channels": channels,
        "share_problem": problem,
        "share_form": form,
        "share_channel": form.data.get("channel", "") if form is not None else "",
        "share_note": form.data.get("note", "") if form is not None else "",
        "share_note_chars": NOTE_CHARS,
    }
