"""Asking experts for an answer: whom, in which words and where; declined and answered outreaches.

An outreach is a row first (status pending), then a Slack message. The row's unique constraint (one
open outreach per ticket and expert) turns a double submit into the same row. Posting it is
notifications' (notifications.outreach, registered here at start-up), which makes sure one outreach is
never posted twice, whoever (the advocate's request or the retry task) gets there."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from advocacy.hooks import hook_check
from channels.adapters.slack.client import (
    slack_escape,
)
from experts.models import Expert, Outreach, OutreachSettings
from mentions.models import Macro, MacroAction, Message, ThreadWatch, Ticket, TicketEvent
from mentions.services.events import ensure_can_act, event_record
from mentions.services.versions import ticket_lock

logger = logging.getLogger(__name__)

REACHED_OUT_MACRO = "Reached out to expert"
COMMUNITY_MACRO = "Involving experts::Community involvement"
OUTREACH_MAX_ATTEMPTS = 6
OUTREACH_MAX_BACKOFF = 600
OPEN_STATUSES = (Outreach.Status.PENDING, Outreach.Status.SENT)
# What Expert.slack_mention builds from a Slack user or user-group id: the only raw Slack
# syntax the desk puts in a message.
SLACK_ID_MENTION = re.compile(r"<@[UW][A-Z0-9]+>|<!subteam\^S[A-Z0-9]+>")


def first_inbound(ticket: Ticket) -> Message | None:
    # Uses the page's prefetched messages when there are some.
    return next((m for m in ticket.messages.all() if m.kind == Message.Kind.INBOUND), None)


def _who(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def outreach_message_prefill(*, ticket: Ticket, expert: Expert, advocate: Any, base_url: str = "") -> str:
    """The handbook's expert-involvement template, filled in for this ticket and expert."""
    from mentions.services.actions import template_render

    first = first_inbound(ticket)
    # Every value goes into Slack mrkdwn: escaped, so none can mention anyone or form a link. The
    # one mention we mean is the expert's own Slack id, which Expert.slack_mention builds.
    mention = expert.slack_mention
    context = {
        "expert": mention if SLACK_ID_MENTION.fullmatch(mention) else slack_escape(mention or expert.name),
        "platform": slack_escape(ticket.channel.get_kind_display()),
        "link": slack_escape(first.permalink) if first else "",
        "ticket_url": slack_escape(f"{base_url}{ticket.get_absolute_url()}"),
        "advocate": slack_escape(_who(advocate)),
    }
    return template_render(OutreachSettings.current().template, context).strip()


def outreach_channel_for(*, expert: Expert, outreach_settings: OutreachSettings | None = None) -> str:
    """The Slack channel of the expert's first product area that has one, else the default (#questions)."""
    for area in expert.areas.all():
        if area.slack_channel.strip():
            return area.slack_channel.strip()
    return (outreach_settings or OutreachSettings.current()).default_channel


def outreach_note(outreach: Outreach, actor: Any, **data: Any) -> None:
    event_record(
        ticket=outreach.ticket,
        kind=TicketEvent.Kind.NOTE,
        actor=actor,
        outreach=outreach.pk,
        status=outreach.status,
        expert=outreach.expert.name,
        **data,
    )


def _outreach_open(
    *, ticket: Ticket, expert: Expert, advocate: Any, message: str, channel: str, seen_version: int | None = None
) -> Outreach:
    """Create the pending row, or return the ticket's open outreach to this expert. `seen_version`: the
    ticket's version the advocate's page showed (mentions.services.versions; None: not checked)."""
    for _ in range(2):
        try:
            with transaction.atomic():
                ticket_lock(ticket, seen_version=seen_version, related=())
                outreach = Outreach.objects.create(
                    ticket=ticket, expert=expert, advocate=advocate, message=message, slack_channel=channel
                )
                outreach_note(outreach, advocate, channel=channel)
                outreach_thread_watch(outreach)
                return outreach
        except IntegrityError:
            # A concurrent or double submit got there first (the insert waited for it to commit).
            existing = Outreach.objects.filter(ticket=ticket, expert=expert, status__in=OPEN_STATUSES).first()
            if existing is not None:
                return existing
    raise ValidationError("Could not record the outreach: please try again.")


def outreach_thread_watch(outreach: Outreach) -> None:
    """While the expert is asked, their answer is looked for in the thread itself (mentions' watching),
    whatever words it uses."""
    from mentions.services.watching import thread_watch_start

    ticket = outreach.ticket
    handles = outreach.expert.identities.filter(kind=ticket.channel.kind).values_list("handle", flat=True)
    until = timezone.now() + timedelta(days=settings.DESK_WATCH_OUTREACH_DAYS)
    thread_watch_start(ticket=ticket, reason=ThreadWatch.Reason.OUTREACH, until=until, authors=list(handles))


def outreach_watch_end(ticket_ids: set[int]) -> None:
    """The outreach watch of tickets with no open outreach left ends (answered, declined)."""
    from mentions.services.watching import thread_watch_stop

    still_open = set(
        Outreach.objects.filter(ticket_id__in=ticket_ids, status__in=OPEN_STATUSES).values_list("ticket_id", flat=True)
    )
    thread_watch_stop(ticket_ids=ticket_ids - still_open, reason=ThreadWatch.Reason.OUTREACH)


class OutreachDelivery(Protocol):
    """Post the pending outreach `outreach_id` to Slack, at most once, on behalf of `actor`. Returns the
    outreach as it is then (sent, still pending with a retry queued, or failed), None when it is gone."""

    def __call__(self, *, outreach_id: int, actor: Any) -> Outreach | None: ...


# Posting an outreach to Slack is notifications' (notifications.outreach), registered at start-up: experts
# knows what to ask and whom, notifications how a message reaches Slack once. One delivery, not a list: two
# would post the question twice.
_deliver: OutreachDelivery | None = None


def outreach_delivery_register(deliver: OutreachDelivery) -> None:
    global _deliver
    hook_check(OutreachDelivery, deliver)
    _deliver = deliver


def outreach_send(
    *,
    ticket: Ticket,
    expert: Expert,
    advocate: Any,
    message: str,
    channel: str = "",
    base_url: str = "",
    seen_version: int | None = None,
) -> Outreach:
    """Ask `expert` in Slack. Returns the outreach: sent, or still pending when Slack is busy
    (a retry is queued; `last_error` says when). A permanent refusal marks it failed and is
    raised as a ValidationError carrying Slack's readable message. `seen_version`: the ticket's
    version the advocate saw (a stale one is refused before anything is recorded or posted)."""
    message = (message or "").strip()
    if not message:
        raise ValidationError("Write the message to the expert first.")
    if not expert.active:
        raise ValidationError(f"{expert.name} is no longer an active expert.")
    ensure_can_act(ticket=ticket, user=advocate)
    return outreach_deliver_new(
        ticket=ticket, expert=expert, advocate=advocate, message=message, channel=channel, seen_version=seen_version
    )


def outreach_deliver_new(
    *, ticket: Ticket, expert: Expert, advocate: Any, message: str, channel: str = "", seen_version: int | None = None
) -> Outreach:
    """outreach_send without the advocate's permission check, for an ask authorised elsewhere: an expert's
    "Not me: suggest someone" in Slack (experts.slack_outreach) asks the next expert for the same advocate."""
    channel = (channel or "").strip() or outreach_channel_for(expert=expert)
    outreach = _outreach_open(
        ticket=ticket, expert=expert, advocate=advocate, message=message, channel=channel, seen_version=seen_version
    )
    if _deliver is None:
        logger.warning(
            "outreach %s: no delivery registered (notifications is not installed); it stays pending", outreach.pk
        )
    else:
        outreach = _deliver(outreach_id=outreach.pk, actor=advocate) or outreach
    if outreach.status == Outreach.Status.FAILED:
        raise ValidationError(outreach.last_error)
    return outreach


def outreach_decline(*, outreach: Outreach, advocate: Any, reason: str, seen_version: int | None = None) -> Outreach:
    """The expert cannot help (or the advocate withdraws the ask). A pending one is not sent. `seen_version`: the
    ticket's version the advocate saw."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the outreach is declined.")
    ensure_can_act(ticket=outreach.ticket, user=advocate)
    return outreach_close_declined(outreach=outreach, actor=advocate, reason=reason, seen_version=seen_version)


def outreach_close_declined(
    *, outreach: Outreach, actor: Any, reason: str, seen_version: int | None = None, **data: Any
) -> Outreach:
    """outreach_decline without the advocate's permission check (the expert's own "Not me" in Slack)."""
    with transaction.atomic():
        # The ticket's row lock first, then the outreach's (the order macro_apply takes them in).
        ticket_lock(outreach.ticket_id, seen_version=seen_version, related=())
        locked = Outreach.objects.select_for_update(of=("self",)).select_related("ticket", "expert").get(pk=outreach.pk)
        if locked.status not in OPEN_STATUSES:
            raise ValidationError(f"This outreach is already {locked.get_status_display().lower()}.")
        locked.status = Outreach.Status.DECLINED
        locked.declined_at = timezone.now()
        locked.decline_reason = reason
        locked.save(update_fields=["status", "declined_at", "decline_reason", "updated_at"])
        outreach_note(locked, actor, reason=reason, **data)
        outreach_watch_end({locked.ticket_id})
    return locked


def outreach_answered_on_macro(*, ticket: Ticket, macro: Macro, user: Any, link: str = "", **_: Any) -> str | None:
    """Macro hook (experts.apps): "Expert responded" applied with the link of the expert's public
    answer closes the ticket's open outreaches as answered, with that link, now."""
    if not link or not any(a.kind == MacroAction.Kind.ANSWER_LINK for a in macro.actions.all()):
        return None
    now = timezone.now()
    open_ones = list(
        Outreach.objects.select_for_update()
        .select_related("expert")
        .filter(ticket=ticket, status__in=[Outreach.Status.SENT, Outreach.Status.PENDING])
    )
    for outreach in open_ones:
        outreach_mark_answered(outreach, at=now, actor=user, url=link)
    if not open_ones:
        return None
    outreach_watch_end({ticket.pk})
    names = ", ".join(o.expert.name for o in open_ones)
    return f"Outreach to {names} marked answered."


def outreach_mark_answered(outreach: Outreach, *, at: datetime, actor: Any, **data: Any) -> None:
    """One open outreach answered at `at`, in its ticket's history (the caller holds the outreach's row lock and
    ends the outreach watch). Answer time is counted from the send, as the KPIs count it."""
    outreach.status = Outreach.Status.ANSWERED
    outreach.answered_at = at
    outreach.answer_seconds = max(0, int((at - (outreach.sent_at or outreach.created_at)).total_seconds()))
    outreach.save(update_fields=["status", "answered_at", "answer_seconds", "updated_at"])
    outreach_note(outreach, actor, answer_seconds=outreach.answer_seconds, **data)
