"""Moving a conversation to a direct message (issue 43; the handbook: when someone must share an address or account
details, never in public): the desk sends the mention's author a private message where the platform allows it
(`Platform.actions["message"]`, the adapter's `direct_message`), as the account the desk replies from.

The message is kept on the ticket as our direct message (`Message.Kind.DIRECT`), with a `direct_message` event in
the history and the KPI's activity. It is not the first reply: the handbook's first reply is the public answer, which
the people who find the thread read too, so the first-reply clock, the status and the public thread are left as they
are; the ticket shows the conversation moved to a DM, and the advocate answers in public (or solves) as usual.

Sent once per key, as a reply is (mentions.services.replies): the press is a `ReplySend` row (style "direct") made
with the ticket's row locked before the platform is asked, outside any transaction. A second press with the same key
answers with the message already sent, or says it is being sent. A refusal (nothing was sent) leaves the key usable
again, as the form is still on the page; a platform that may have sent it ("unknown") never sends it again by itself.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from channels.adapters import ReplyError, ReplyUncertain, SentReply, get_adapter
from channels.adapters.registry import platform_or_default
from channels.http import build_session
from channels.models import Account
from mentions.models import Message, ReplySend, Ticket, TicketEvent
from mentions.services.events import event_record
from mentions.services.outward_policy import outward_allowed
from mentions.services.platform_actions import acting_account, action_message, action_word
from mentions.services.replies import reply_target_of, sent_message_stored
from mentions.services.versions import ticket_lock

logger = logging.getLogger(__name__)

DIRECT = "direct"  # ReplySend.style of a direct message's press


def ticket_direct_message(*, ticket: Ticket, message_id: int, user: Any, text: str, key: str = "") -> Message:
    """Send `text` privately to the author of the ticket's mention `message_id` and keep it on the ticket. A second
    call with the same `key` answers with the first one's message. Raises ValidationError in words."""
    outward_allowed(user, "message", ticket=ticket)  # refused before anything is read: who may, the outward policy
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write the message first.")
    word = action_word(ticket, "message")
    mention = action_message(ticket, message_id, Message.Kind.INBOUND)
    adapter = get_adapter(ticket.channel.kind)  # declares "message": has direct_message (the parts test)
    rule = platform_or_default(ticket.channel.kind).message_rule
    if rule.over(text):
        raise ValidationError(f"The message is {rule.length(text)} characters; {rule.limit} at most here.")
    recipient = mention.author_handle or mention.author_name
    if not recipient:
        raise ValidationError("The mention's author is not known: nobody to send it to.")
    account = acting_account(ticket)
    key = (key or uuid.uuid4().hex)[:64]
    with transaction.atomic():
        locked = ticket_lock(ticket.pk, seen_version=None)
        send = ReplySend.objects.select_for_update().filter(key=key).first()
        if send is not None and (send.ticket_id != locked.pk or send.style != DIRECT):
            raise ValidationError("This form belongs to another ticket: reload the page.")
        if send is not None and send.status == ReplySend.Status.SENT and send.message_id:
            return Message.objects.get(pk=send.message_id)
        if send is not None and send.status == ReplySend.Status.SENDING:
            raise ValidationError("This message is being sent right now (a second click?): reload in a moment.")
        if send is not None and send.status == ReplySend.Status.UNKNOWN:
            raise ValidationError(send.error or "This message may have been sent: check the platform first.")
        fields = {"account": account, "sender": account.username, "in_reply_to": mention, "body": text}
        if send is None:
            send = ReplySend.objects.create(key=key, ticket=locked, style=DIRECT, created_by=user, **fields)
        else:  # refused before: nothing was sent, so this press may try again
            ReplySend.objects.filter(pk=send.pk).update(status=ReplySend.Status.SENDING, error="", **fields)
    try:
        sent = adapter.direct_message(
            channel=ticket.channel,
            account=account,
            session=build_session(),
            target=reply_target_of(mention, ticket),
            text=text,
        )
    except ReplyError as exc:
        uncertain = isinstance(exc, ReplyUncertain)
        _finished(send, ReplySend.Status.UNKNOWN if uncertain else ReplySend.Status.REFUSED, str(exc))
        logger.warning("direct message on ticket %s to %s refused: %s", ticket.pk, recipient, exc)
        raise ValidationError(str(exc)) from None
    except Exception:
        # Our bug, after the request may have gone out: never sent again by itself.
        logger.exception("direct message on ticket %s (send %s) failed unexpectedly", ticket.pk, send.pk)
        _finished(send, ReplySend.Status.UNKNOWN, "The desk failed while sending: check the platform.")
        raise
    return _recorded(send, user, mention, account, sent, word, recipient)


def _finished(send: ReplySend, status: str, error: str) -> None:
    now = timezone.now()
    ReplySend.objects.filter(pk=send.pk).update(status=status, error=error[:2000], finished_at=now, updated_at=now)


def _recorded(
    send: ReplySend, user: Any, mention: Message, account: Account, sent: SentReply, word: str, recipient: str
) -> Message:
    with transaction.atomic():
        locked = ticket_lock(send.ticket_id, seen_version=None)
        message, _ = sent_message_stored(
            locked,
            sent,
            kind=Message.Kind.DIRECT,
            external_id=sent.external_id or None,  # Reddit names no message it sent
            author=account.username,
            user=user,
            body=send.body,
            parent_external_id=mention.external_id or "",
            mentioned=[recipient],
        )
        event_record(
            ticket=locked,
            kind=TicketEvent.Kind.DIRECT_MESSAGE,
            actor=user,
            message=message.pk,
            account=account.username,
            to=recipient,
            word=word,
            url=sent.permalink,
        )
        now = timezone.now()
        ReplySend.objects.filter(pk=send.pk).update(
            status=ReplySend.Status.SENT, message=message, error="", finished_at=now, updated_at=now
        )
    return message
