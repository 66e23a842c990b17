"""Replies posted to the platform from the desk, by the sender its declaration names
(channels.adapters.registry.reply_sender): X, Reddit, Stack Exchange, Disqus, Discourse and GitLab through the
channel's connected accounts (channels.accounts), e-mail through SMTP from the mailbox's address.

A send happens in three steps so that it is never posted twice and never lost:

1. In one transaction, with the ticket's row locked: the checks (who may act, the version the
   advocate saw, which account sends) and a `ReplySend` row under the form's key. The draft is kept
   on the ticket. A second press with the same key finds the row and does not go on.
2. The platform is asked, outside any transaction (a slow platform holds no lock).
3. In a second transaction: our reply stored as a message with the platform's id and time (the
   next poll sees it as a duplicate), the first reply time, history and status; or the refusal,
   in words, with the draft kept. A platform that did not answer leaves the send "unknown": it may
   be posted, so the desk never sends it again by itself.

A reply may carry images where the platform's reply rule declares `media` (issue 43): they are checked and stripped of
their metadata before step 1 (`reply_images`), kept with the send in step 1, handed to the sender in step 2 (which
uploads them before it posts), and listed on our reply's message in step 3. Their bytes are dropped once the send
is sent or refused; an unknown outcome keeps them.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from channels import clean
from channels.adapters import ReplyError, ReplyTarget, ReplyUncertain, SentReply
from channels.adapters.base import OutgoingImage
from channels.adapters.registry import platform_or_default, reply_sender
from channels.http import build_session
from channels.models import Account
from mentions.models import Message, ReplySend, Ticket, TicketEvent
from mentions.services.events import event_record, first_reply_set, status_after_reply, status_set
from mentions.services.followups import followup_seen
from mentions.services.next_reply import ticket_next_reply_answered
from mentions.services.outward_policy import outward_allowed
from mentions.services.reply_hooks import reply_sent
from mentions.services.reply_images import (
    ImageGiven,
    images_checked,
    images_keep,
    images_of,
    images_release,
    media_listed,
)
from mentions.services.reply_plan import ReplyPlan, reply_plan
from mentions.services.sla import ticket_breach_on_reply
from mentions.services.versions import ticket_lock, version_check
from mentions.services.watching import thread_watch_after_reply

logger = logging.getLogger(__name__)

# A send still "sending" after this long lost its worker between asking the platform and writing
# down the answer: it becomes "unknown" (replies_sweep).
SENDING_EXPIRES = timedelta(minutes=10)


# What a reply refused as stale says (versions.TicketStale): nothing left the desk.
SEND_KEPT = "Nothing was sent; your text is kept below. Check the ticket and send again."


class SendFailed(ValidationError):
    """This press was used up: the platform refused it, or did not answer. A new press needs a
    new key (the page gives the form a fresh one)."""


def reply_target_of(message: Message, ticket: Ticket) -> ReplyTarget:
    raw = Message.objects.filter(pk=message.pk).values_list("raw", flat=True).first()  # deferred on the page
    return ReplyTarget(
        external_id=message.external_id or "",
        thread_id=message.thread_external_id,
        parent_id=message.parent_external_id,
        permalink=message.permalink,
        author_handle=message.author_handle,
        raw=raw if isinstance(raw, dict) else {},
        title=message.title or ticket.subject,
        ticket_hint=ticket.pk,
    )


def _post(
    send: ReplySend, ticket: Ticket, account: Account | None, target_message: Message, media: Sequence[OutgoingImage]
) -> SentReply:
    sender = reply_sender(ticket.channel.kind)
    if sender is None:  # the platform declares no sender; reply_plan offers none either
        raise ReplyError(f"The desk cannot post on {ticket.channel.get_kind_display()}.")
    # Only a sender whose reply rule declares media takes `media` (the others keep their signature).
    extra: dict[str, Any] = {"media": media} if media else {}
    sent: SentReply = sender(
        channel=ticket.channel,
        account=account,
        session=build_session(),
        target=reply_target_of(target_message, ticket),
        text=send.body,
        style=send.style,
        **extra,
    )
    return sent


def _previous(send: ReplySend) -> Message:
    if send.status == ReplySend.Status.SENT and send.message_id:
        return Message.objects.get(pk=send.message_id)
    if send.status == ReplySend.Status.SENDING:
        raise ValidationError("This reply is being sent right now (a second click?): reload the ticket in a moment.")
    raise SendFailed(send.error or "This reply was not sent.")


IN_FLIGHT_POLL_SECONDS = 0.2


def reply_checked(ticket: Ticket, body: str, handle: str, style: str) -> tuple[ReplyPlan, str]:
    """What the platform would refuse before anything is asked of it: a channel without a sender, an account that
    cannot post, a reply too long, a style it does not offer. Returns the plan and the account's handle. Also checks
    a reply submitted for approval (mentions.services.approvals), so an approver is not handed one that cannot go."""
    plan = reply_plan(ticket)
    if plan is None:
        raise ValidationError("This channel cannot post replies from the desk: reply on the platform and mark replied.")
    handle = (handle or plan.chosen).lstrip("@")
    if handle not in plan.handles:
        raise ValidationError(f"{handle or 'That account'} cannot post replies from the desk here.")
    if handle in plan.unavailable:
        raise ValidationError(f"{handle} {plan.unavailable[handle]}. Your draft is kept.")
    if refusal := plan.rule.refusal(body):
        raise ValidationError(refusal)
    if style and style not in {value for value, _label in plan.styles}:
        raise ValidationError("Choose how to post the reply from the list.")
    return plan, handle


def _send_open(
    locked: Ticket,
    user: Any,
    key: str,
    body: str,
    handle: str,
    style: str,
    seen: int | None,
    images: Sequence[OutgoingImage] = (),
) -> tuple[ReplySend, Account | None, ReplyPlan]:
    """Step 1's checks and the send's row, with the ticket's row locked."""
    version_check(ticket=locked, seen_version=seen, kept=SEND_KEPT)
    plan, handle = reply_checked(locked, body, handle, style)
    # The channel's own address sends without an account (e-mail); every other sender is a connected account.
    account = (
        None
        if platform_or_default(locked.channel.kind).reply_as == "address"
        else Account.objects.select_related("channel").get(channel=locked.channel, username__iexact=handle)
    )
    send = ReplySend.objects.create(
        key=key,
        ticket=locked,
        account=account,
        sender=handle,
        in_reply_to=plan.in_reply_to,
        body=body,
        style=style,
        created_by=user,
    )
    images_keep(send, images)
    locked.reply_draft = body
    locked.save(update_fields=["reply_draft", "updated_at"])
    return send, account, plan


def ticket_send_reply(
    *,
    ticket: Ticket,
    user: Any,
    body: str,
    handle: str = "",
    key: str = "",
    status: str = Ticket.Status.SOLVED,
    style: str = "",
    seen_version: int | None = None,
    images: Sequence[ImageGiven] = (),
    drafted_by: Any = None,
) -> Message:
    """Post `body` on the platform as a reply to the requester's latest message and record it as
    our reply (first reply time, link). `key` (the form's) makes a second press of the same form
    answer with the first one's outcome (checked before the version: a double click posts once).
    `seen_version`: the ticket version the advocate saw (None: do not check). `images`: what the reply carries,
    each with its description, where the platform takes them (refused on the `image` or `image_alt` field
    otherwise). `drafted_by`: who wrote the reply an advocate approved (mentions.services.approvals), credited in the
    history. Raises versions.TicketStale, SendFailed (the key is used up) or ValidationError; PermissionDenied for a
    user whose replies wait for approval (they submit them: approvals.reply_submit) and for anyone the outward
    policy refuses (mentions.services.outward_policy: a reply, and an image with it)."""
    outward_allowed(user, "reply", for_user=drafted_by)
    if images:
        outward_allowed(user, "image")
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write the reply first.")
    if status not in (Ticket.Status.OPEN, Ticket.Status.PENDING, Ticket.Status.SOLVED):
        raise ValidationError("Submit as pending or solved.")
    key = (key or uuid.uuid4().hex)[:64]
    # Read and re-encoded before any lock is taken: seconds of work on a large image hold nothing. (`ticket` may be
    # a bare Ticket(pk=...): its channel is asked only when there are images.)
    checked: list[OutgoingImage] = []
    if images:
        kind = Ticket.objects.filter(pk=ticket.pk).values_list("channel__kind", flat=True).first() or ""
        platform = platform_or_default(kind)
        checked = images_checked(images, platform.reply_rule.media, where=platform.spoken_name)
    # While a send on this ticket is in flight (this press's own first click, or another
    # advocate's), wait for its outcome: then a double click answers with it, and a second reply
    # written against the same version is refused as stale instead of posted too.
    deadline = time.monotonic() + settings.DESK_HTTP_TIMEOUT_SECONDS * 2 + 5
    while True:
        with transaction.atomic():
            # Locked here, its version checked in _send_open after the key: a second press of a form
            # that was sent is answered with that send, not refused as stale by its own reply.
            locked = ticket_lock(ticket, seen_version=None)
            outward_allowed(user, "reply", ticket=locked, for_user=drafted_by)
            previous = ReplySend.objects.filter(key=key).first()
            if previous is not None and previous.ticket_id != locked.pk:
                raise ValidationError("This form belongs to another ticket: reload the page.")
            if previous is not None and previous.status != ReplySend.Status.SENDING:
                return _previous(previous)
            if (
                previous is None
                and not ReplySend.objects.filter(ticket=locked, status=ReplySend.Status.SENDING).exists()
            ):
                send, account, plan = _send_open(locked, user, key, body, handle, style, seen_version, checked)
                break
        if time.monotonic() > deadline:
            raise ValidationError("A reply to this ticket is still being sent: reload the ticket in a moment.")
        time.sleep(IN_FLIGHT_POLL_SECONDS)

    try:
        # What the send kept is what goes: read back from the database, as any worker would find it.
        sent = _post(send, locked, account, plan.in_reply_to, images_of(send) if checked else ())
    except ReplyError as exc:
        outcome = ReplySend.Status.UNKNOWN if isinstance(exc, ReplyUncertain) else ReplySend.Status.REFUSED
        _failed(send, user, outcome, str(exc))
        raise SendFailed(str(exc)) from None
    except Exception:
        # Our bug, after the request may have gone out: never sent again by itself.
        logger.exception("reply: ticket=%s send=%s failed unexpectedly", locked.pk, send.pk)
        _failed(send, user, ReplySend.Status.UNKNOWN, "The desk failed while sending: check the platform.")
        raise
    return _recorded(send, user, sent, status_after_reply(status), checked, drafted_by)


def _failed(send: ReplySend, user: Any, outcome: str, error: str) -> None:
    logger.warning("reply: ticket=%s as %s %s: %s", send.ticket_id, send.sender, outcome, error)
    with transaction.atomic():
        ReplySend.objects.filter(pk=send.pk).update(
            status=outcome, error=error[:2000], finished_at=timezone.now(), updated_at=timezone.now()
        )
        if outcome == ReplySend.Status.REFUSED:  # used up: a new press uploads its own
            images_release(send.pk)
        ticket = Ticket.objects.get(pk=send.ticket_id)
        event_record(
            ticket=ticket,
            kind=TicketEvent.Kind.REPLY_FAILED,
            actor=user,
            handle=send.sender,
            error=error[:500],
            uncertain=outcome == ReplySend.Status.UNKNOWN,
        )


def sent_message_stored(
    locked: Ticket, sent: SentReply, *, external_id: str | None, author: str, user: Any, **fields: Any
) -> tuple[Message, bool]:
    """The desk's message for what the platform says it sent, and whether it is new: the next poll may have stored it
    already, between the platform's answer and now (`external_id` None: the platform named none to look up)."""
    if external_id is not None:
        found = Message.objects.filter(channel=locked.channel, external_id=external_id).first()
        if found is not None:
            return found, False
    answered = {"permalink": sent.permalink, "platform_created_at": sent.created_at, "raw": sent.raw}
    by = {"author_handle": author, "author_name": author, "author_user": user}
    made = Message.objects.create(
        ticket=locked, channel=locked.channel, external_id=external_id, **answered, **by, **fields
    )
    return made, True


def _recorded(
    send: ReplySend,
    user: Any,
    sent: SentReply,
    status: str,
    images: Sequence[OutgoingImage] = (),
    drafted_by: Any = None,
) -> Message:
    with transaction.atomic():
        locked = ticket_lock(send.ticket_id, seen_version=None)  # the send was checked when it opened
        target = send.in_reply_to
        media = clean.media_stored(media_listed(sent.media, images))
        reply, created = sent_message_stored(
            locked,
            sent,
            kind=Message.Kind.OUR_REPLY,
            external_id=sent.external_id,
            author=send.sender,
            user=user,
            body=send.body,
            # A message the desk recorded without a platform id has none to give (the column holds "").
            parent_external_id=(target.external_id or "") if target else "",
            thread_external_id=(target.thread_external_id or target.external_id or "") if target else "",
            media=media,
        )
        if not created:
            reply.author_user = user
            reply.permalink = reply.permalink or sent.permalink
            reply.ticket = reply.ticket or locked
            reply.media = reply.media or media  # the poll's reading of the post, where it came first
            reply.save(update_fields=["author_user", "permalink", "ticket", "media", "updated_at"])
        first = first_reply_set(ticket=locked, at=sent.created_at)
        if first:
            ticket_breach_on_reply(ticket=locked)
        ticket_next_reply_answered(ticket=locked, at=sent.created_at)
        thread_watch_after_reply(ticket=locked, at=sent.created_at)
        event_record(
            ticket=locked,
            kind=TicketEvent.Kind.REPLY_SENT,
            actor=user,
            message_id=reply.pk,
            handle=send.sender,
            in_reply_to=target.external_id if target else "",
            url=sent.permalink,
            first_reply=first,
            token=send.key,
            **({"drafted_by": drafted_by.get_username()} if drafted_by is not None else {}),
        )
        reply_sent(ticket_id=locked.pk, user=user)  # answers: the suggestions shown and not used
        if locked.assignee_id is None:
            locked.assignee = user
        status_set(ticket=locked, status=status, actor=user)
        locked.reply_draft = ""
        locked.served_to = None
        locked.served_view = None
        followup_seen(locked)
        locked.save()
        ReplySend.objects.filter(pk=send.pk).update(
            status=ReplySend.Status.SENT, message=reply, finished_at=timezone.now(), updated_at=timezone.now()
        )
        if images:
            images_release(send.pk)
    return reply


def replies_sweep(*, now: Any = None) -> int:
    """Sends whose worker died between asking the platform and writing the answer down: "unknown",
    so the advocate is told to check the platform, and the key is never used to post again."""
    now = now or timezone.now()
    stale = list(ReplySend.objects.filter(status=ReplySend.Status.SENDING, created_at__lt=now - SENDING_EXPIRES))
    for send in stale:
        updated = ReplySend.objects.filter(pk=send.pk, status=ReplySend.Status.SENDING).update(
            status=ReplySend.Status.UNKNOWN,
            error="The desk lost track of this send: check the platform before sending it again.",
            finished_at=now,
            updated_at=now,
        )
        if updated:
            event_record(
                ticket=Ticket.objects.get(pk=send.ticket_id),
                kind=TicketEvent.Kind.REPLY_FAILED,
                actor=None,
                handle=send.sender,
                error="the desk lost track of this send: it may be on the platform",
                uncertain=True,
            )
    return len(stale)
