"""Replies posted to the platform from the desk: tweets (POST /2/tweets) and e-mail (SMTP)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from channels.adapters import ReplyError, get_adapter
from channels.email_send import email_reply_send
from channels.http import build_session
from mentions.models import Message, Ticket, TicketEvent
from mentions.services.events import ensure_can_act, event_record, first_reply_set, status_after_reply, status_set
from mentions.services.followups import followup_seen
from mentions.services.sla import ticket_breach_on_reply

logger = logging.getLogger(__name__)


@dataclass
class ReplyPlan:
    """What "Send reply" will do, shown to the advocate before sending."""

    handles: list[str]
    chosen: str
    reason: str
    in_reply_to: Message


def _reply_target(ticket: Ticket) -> Message | None:
    """The requester's latest tweet in the ticket (a reply threads under it)."""
    inbound = [m for m in ticket.messages.all() if m.kind == Message.Kind.INBOUND and m.external_id]
    own = [m for m in inbound if m.author_handle.casefold() == ticket.requester_handle.casefold()]
    candidates = own or inbound
    return max(candidates, key=lambda m: (m.platform_created_at, m.pk)) if candidates else None


def reply_plan(ticket: Ticket) -> ReplyPlan | None:
    """None when the ticket's channel cannot post replies (use "mark replied" there)."""
    if ticket.channel.kind == "email":
        target = _reply_target(ticket)
        address = ticket.channel.config.get("address", "")
        if target is None or not address:
            return None
        return ReplyPlan(handles=[address], chosen=address, reason="the mailbox's own address", in_reply_to=target)
    adapter = get_adapter(ticket.channel.kind)
    if not hasattr(adapter, "post_reply"):
        return None
    target = _reply_target(ticket)
    if target is None:
        return None
    config = ticket.channel.config
    handles = [h["username"] for h in config.get("handles", [])]
    if not handles:
        return None
    mentioned_all = [m for m in target.mentioned or [] if isinstance(m, str)]
    ours = {h.casefold() for h in handles}
    mentioned = [m for m in mentioned_all if m.casefold() in ours]
    chosen = adapter.choose_reply_handle(config=config, mentioned=mentioned, text=target.body)
    if len(mentioned) > 1:
        reason = f"the tweet mentions {', '.join('@' + m for m in mentioned)}: "
        reason += "availability question, so the status handle" if chosen != _main(config) else "the main handle"
    elif mentioned:
        reason = f"the tweet mentions @{mentioned[0]}"
    else:
        reason = "none of our handles is mentioned: the main handle"
    # A triage rule may say which handle answers (availability reports: the status handle).
    hinted = next((h["username"] for h in config.get("handles", []) if h.get("role") == ticket.reply_from_role), "")
    if ticket.reply_from_role and hinted and hinted != chosen:
        chosen = hinted
        reason = f"a triage rule marked it for the {ticket.reply_from_role} handle"
    return ReplyPlan(handles=handles, chosen=chosen, reason=reason, in_reply_to=target)


def _post(ticket: Ticket, plan: ReplyPlan, handle: str, body: str) -> Any:
    if ticket.channel.kind == "email":
        return email_reply_send(channel=ticket.channel, ticket=ticket, in_reply_to=plan.in_reply_to, text=body)
    return get_adapter(ticket.channel.kind).post_reply(
        channel=ticket.channel,
        session=build_session(),
        handle=handle,
        in_reply_to_tweet_id=plan.in_reply_to.external_id,
        text=body,
    )


def _main(config: dict[str, Any]) -> str:
    return next((h["username"] for h in config.get("handles", []) if h.get("role") == "main"), "")


def ticket_send_reply(
    *, ticket: Ticket, user: Any, body: str, handle: str = "", token: str = "", status: str = Ticket.Status.SOLVED
) -> Message:
    """Post `body` on the platform as a reply to the requester's latest message, then record
    it as our reply (first reply time, link). On failure the draft is kept and the
    platform's error is raised as a ValidationError. `token` makes a double submit of the
    same form send once."""
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write the reply first.")
    if status not in (Ticket.Status.OPEN, Ticket.Status.PENDING, Ticket.Status.SOLVED):
        raise ValidationError("Submit as pending or solved.")
    status = status_after_reply(status)
    failure: str | None = None
    with transaction.atomic():
        # The row lock serialises two submits of the same reply; the token then spots it.
        locked = Ticket.objects.select_for_update(of=("self",)).select_related("channel").get(pk=ticket.pk)
        ensure_can_act(ticket=locked, user=user)
        if token:
            previous = locked.events.filter(kind=TicketEvent.Kind.REPLY_SENT, data__token=token).first()
            if previous is not None:
                return Message.objects.get(pk=previous.data["message_id"])
        plan = reply_plan(locked)
        if plan is None:
            raise ValidationError(
                "This channel cannot post replies from the desk: reply on the platform and mark replied."
            )
        handle = handle or plan.chosen
        if handle not in plan.handles:
            raise ValidationError(f"@{handle} is not one of this channel's handles.")
        try:
            sent = _post(locked, plan, handle, body)
        except ReplyError as exc:
            failure = str(exc)
            logger.warning("reply: ticket=%s handle=%s refused: %s", locked.pk, handle, failure)
            locked.reply_draft = body
            locked.save(update_fields=["reply_draft", "updated_at"])
            event_record(ticket=locked, kind=TicketEvent.Kind.REPLY_FAILED, actor=user, handle=handle, error=failure)
        else:
            reply = Message.objects.create(
                ticket=locked,
                channel=locked.channel,
                kind=Message.Kind.OUR_REPLY,
                external_id=sent.external_id,
                parent_external_id=plan.in_reply_to.external_id,
                thread_external_id=plan.in_reply_to.thread_external_id or plan.in_reply_to.external_id,
                author_handle=handle,
                author_name=handle,
                author_user=user,
                body=body,
                permalink=sent.permalink,
                platform_created_at=sent.created_at,
                raw=sent.raw,
            )
            first = first_reply_set(ticket=locked, at=sent.created_at)
            if first:
                ticket_breach_on_reply(ticket=locked)
            event_record(
                ticket=locked,
                kind=TicketEvent.Kind.REPLY_SENT,
                actor=user,
                message_id=reply.pk,
                handle=handle,
                in_reply_to=plan.in_reply_to.external_id,
                url=sent.permalink,
                first_reply=first,
                token=token,
            )
            if locked.assignee_id is None:
                locked.assignee = user
            status_set(ticket=locked, status=status, actor=user)
            locked.reply_draft = ""
            locked.served_to = None
            locked.served_view = None
            followup_seen(locked)
            locked.save()
            return reply
    raise ValidationError(failure)
