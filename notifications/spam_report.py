"""The handbook's "Spam report" macro posts the ticket to the abuse channel (DESK_ABUSE_SLACK_CHANNEL), with
a link to the person who reported it and their tags, so the abuse team sees who is asking (a core
contributor, someone tagged spam themselves) without opening the desk. The line goes through the Slack
outbox (notifications.outbox): queued in the macro's transaction, posted by the flush, never twice."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from channels.adapters.slack.client import slack_configured, slack_escape, slack_link
from mentions.models import Macro, Message, Ticket
from mentions.services.macro_needs import MacroNeed
from notifications.models import SlackNotice
from notifications.outbox import notice_queue, ticket_line
from people.models import Requester

SPAM_REPORT_MACRO = "Spam report"
NAME_CHARS = 80  # a person's name in the line; a name is anyone's text and may be long


def _is_spam_report(macro: Macro) -> bool:
    return macro.name.casefold() == SPAM_REPORT_MACRO.casefold() and bool(settings.DESK_ABUSE_SLACK_CHANNEL)


def spam_report_need(*, macro: Macro) -> MacroNeed | None:
    """Macro-need hook (notifications.apps): the picker says where the macro posts. Slack not being
    connected refuses nothing: the outbox keeps the line until it is."""
    if not _is_spam_report(macro):
        return None
    return MacroNeed(does=f"posts to Slack {settings.DESK_ABUSE_SLACK_CHANNEL}")


def spam_report_on_macro(*, ticket: Ticket, macro: Macro, user: Any, **_: Any) -> str | None:
    """Macro hook (notifications.apps): queue the abuse channel's line for the ticket. When a triage rule
    already queued one there for this ticket and it is still waiting, it becomes this line (with the
    person); one that has gone is not posted again."""
    if not _is_spam_report(macro):
        return None
    destination = settings.DESK_ABUSE_SLACK_CHANNEL
    outcome = notice_queue(
        destination=destination,
        ticket_id=ticket.pk,
        kind=SlackNotice.Kind.RULE,
        text=spam_report_text(ticket=ticket),
    )
    if outcome == "already":
        return f"{destination} already has this ticket in Slack; it was not posted again."
    if not slack_configured():
        return f"Slack is not connected: the post to {destination} waits in the outbox until it is."
    return None


def spam_report_text(*, ticket: Ticket) -> str:
    """The ticket's line as the outbox writes it, then who reported it: their person page (an address we
    build, on SITE_URL) labelled with their name, escaped for Slack mrkdwn so a name such as "<!channel>"
    arrives as text, and their tags."""
    first = (
        ticket.messages.filter(kind=Message.Kind.INBOUND)
        .exclude(permalink="")
        .order_by("platform_created_at", "id")
        .values_list("permalink", flat=True)
        .first()
    )
    line = ticket_line(ticket=ticket, channel=ticket.channel, permalink=first or "", rule=SPAM_REPORT_MACRO)
    requester = (
        Requester.objects.select_related("identity__person")
        .prefetch_related("identity__person__tags")
        .filter(ticket_id=ticket.pk)
        .first()
    )
    if requester is None:
        return line
    person = requester.identity.person
    name = " ".join((person.name or requester.identity.handle or str(person)).split())
    if len(name) > NAME_CHARS:
        name = name[: NAME_CHARS - 1] + "…"
    who = slack_link(f"{settings.SITE_URL}{person.get_absolute_url()}", name)
    tags = sorted(tag.name for tag in person.tags.all())
    return line + f"\n    reported by {who}" + (f" (tags: {slack_escape(', '.join(tags))})" if tags else "")
