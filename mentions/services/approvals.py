"""Replies that wait for an advocate's approval (issue 44).

Someone with temporary access (an "Advocate for a day" grant) or an expert (the Experts role) writes a reply on the
ticket page as anyone does; instead of Send, their composer submits it for approval (`reply_submit`): the reply is
kept as a `ReplyApproval` with everything the Send form carries, the history says so, and nothing is posted. An
advocate or manager opening the ticket sees it above the composer and approves it (`approval_approve`: posted
through the same Send path as the approver, the submitter credited in the history), takes it into the reply box to
edit (`approval_edit`), or rejects it with a reason the submitter sees on the ticket (`approval_reject`). Who needs
approval is `reply_needs_approval` (mentions.services.approval_rule).

Images are not kept with a reply waiting for approval: they are refused on submission ("attach them after
approval"), since an image's bytes would wait in the database for an approver who may never come, and a
described image is the approver's to post.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from mentions.live import change_stamp_move
from mentions.models import Message, ReplyApproval, ReplySend, Ticket, TicketEvent
from mentions.products import of_product
from mentions.services.approval_rule import QUEUE, can_draft, reply_needs_approval
from mentions.services.drafts import ticket_draft_set
from mentions.services.events import ensure_can_act, event_record
from mentions.services.outward_policy import OutwardRefused, outward_decision
from mentions.services.replies import SEND_KEPT, reply_checked, ticket_send_reply
from mentions.services.versions import ticket_lock

__all__ = [
    "approval_approve",
    "approval_edit",
    "approval_reject",
    "approval_shown",
    "approvals_waiting",
    "reply_needs_approval",
    "reply_submit",
]

AFTER_REPLY = (Ticket.Status.OPEN, Ticket.Status.PENDING, Ticket.Status.SOLVED)
K = TicketEvent.Kind
A = ReplyApproval.Status


def reply_submit(
    *,
    ticket: Ticket | int,
    user: Any,
    body: str,
    handle: str = "",
    status: str = Ticket.Status.SOLVED,
    style: str = "",
    seen_version: int | None = None,
    images: tuple | list = (),
) -> ReplyApproval:
    """Keep `body` (with the account, style and status the Send form gives) as a reply waiting for an advocate's
    approval; nothing is posted. The platform's checks run now (too long, an account that cannot post), so an
    approver is never handed a reply that cannot go. The submitter's own reply waiting on the ticket is withdrawn
    (replaced); another person's is not replaced: one waits at a time. Raises ValidationError (images: on the
    `image` field), versions.TicketStale, PermissionDenied (not someone whose replies wait)."""
    body = (body or "").strip()
    if not can_draft(user):
        raise PermissionDenied("You cannot reply on tickets.")
    if not outward_decision(user, "reply").needs_approval:
        raise ValidationError("Your replies are sent directly: press Send.")
    if images and not (decision := outward_decision(user, "image")).allowed:
        # The request's own part refused (the API's 400 on its field), not who is asking: the text alone may go.
        raise ValidationError({"image": [decision.reason]})
    if not body:
        raise ValidationError("Write the reply first.")
    if status not in AFTER_REPLY:
        raise ValidationError("Submit as pending or solved.")
    with transaction.atomic():
        locked = ticket_lock(ticket, seen_version=seen_version, kept=SEND_KEPT)
        # A grant's holder acts as an advocate does (unassigned tickets or their own): the outward policy.
        if (decision := outward_decision(user, "reply", ticket=locked)).verdict == "forbidden":
            raise OutwardRefused(decision.reason)
        _plan, handle = reply_checked(locked, body, handle, style)
        waiting = ReplyApproval.objects.select_for_update(of=("self",)).filter(ticket=locked, status=A.PENDING).first()
        if waiting is not None and waiting.requested_by_id != user.pk:
            who = waiting.requested_by.get_username() if waiting.requested_by else "someone"
            raise ValidationError(f"A reply by {who} is waiting for approval on this ticket already.")
        if waiting is not None:
            _close(waiting, A.WITHDRAWN, by=user)
            event_record(ticket=locked, kind=K.REPLY_WITHDRAWN, actor=user, approval=waiting.pk, replaced=True)
        approval = ReplyApproval.objects.create(
            ticket=locked, body=body, handle=handle, style=style, status_after=status, requested_by=user
        )
        event_record(ticket=locked, kind=K.REPLY_SUBMITTED, actor=user, approval=approval.pk, handle=handle)
        change_stamp_move()  # the queue's list of replies waiting (a table the live pages' triggers do not watch)
    return approval


def _approver(user: Any) -> None:
    """Only someone who may send directly approves (an advocate, a manager): never another whose replies wait."""
    if not user.has_perm(QUEUE) or reply_needs_approval(user):
        raise PermissionDenied("Only an advocate can approve or reject a reply waiting for approval.")


def _close(approval: ReplyApproval, status: str, *, by: Any, reason: str = "", message: Message | None = None) -> None:
    approval.status, approval.decided_by, approval.decided_at = status, by, timezone.now()
    approval.reason, approval.message = reason, message
    approval.save(update_fields=["status", "decided_by", "decided_at", "reason", "message", "updated_at"])


def _waiting(approval: ReplyApproval | int) -> tuple[ReplyApproval, Ticket]:
    """The approval as it is now and its ticket, both locked (in the caller's transaction: the ticket first, as every
    write to a ticket locks it, then the approval, as reply_submit does); refused unless it still waits."""
    pk = approval if isinstance(approval, int) else approval.pk
    ticket_id = ReplyApproval.objects.filter(pk=pk).values_list("ticket_id", flat=True).get()
    locked = ticket_lock(ticket_id, seen_version=None, related=())
    current = ReplyApproval.objects.select_for_update(of=("self",)).select_related("requested_by").get(pk=pk)
    if current.status != A.PENDING:
        raise ValidationError(f"This reply is no longer waiting: {current.get_status_display().lower()}.")
    return current, locked


def _send_key(approval: ReplyApproval) -> str:
    """The send's key (ReplySend.key): every press of "Approve and send" is the same send, so a double press posts
    once; a send the platform refused used its key up, so the next press is a new attempt with the next key."""
    refused = ReplySend.objects.filter(key__startswith=f"approval-{approval.pk}-", status=ReplySend.Status.REFUSED)
    return f"approval-{approval.pk}-{refused.count() + 1}"


def approval_approve(*, approval: ReplyApproval | int, user: Any, seen_version: int | None = None) -> Message:
    """Post the waiting reply through the Send path (replies.ticket_send_reply) as `user`, the approver, with the
    submitter credited in the history; then the approval is approved with its message. A second press, or one while
    the first is being sent, answers with that send (its key). Raises what the Send path raises (SendFailed: the
    platform refused or did not answer; the reply keeps waiting), ValidationError when it no longer waits."""
    _approver(user)
    pk = approval if isinstance(approval, int) else approval.pk
    current = ReplyApproval.objects.select_related("requested_by", "message").get(pk=pk)
    if current.status == A.APPROVED and current.message is not None:
        return current.message  # pressed again after it was sent
    if current.status != A.PENDING:
        raise ValidationError(f"This reply is no longer waiting: {current.get_status_display().lower()}.")
    reply = ticket_send_reply(
        ticket=Ticket(pk=current.ticket_id),
        user=user,
        body=current.body,
        handle=current.handle,
        key=_send_key(current),
        status=current.status_after,
        style=current.style,
        seen_version=seen_version,
        drafted_by=current.requested_by,
    )
    with transaction.atomic():
        locked = ticket_lock(current.ticket_id, seen_version=None, related=())
        again = ReplyApproval.objects.select_for_update(of=("self",)).get(pk=pk)
        if again.status == A.PENDING:  # not recorded by a press that finished first
            _close(again, A.APPROVED, by=user, message=reply)
            by = current.requested_by.get_username() if current.requested_by else ""
            event_record(ticket=locked, kind=K.REPLY_APPROVED, actor=user, approval=pk, by=by, message_id=reply.pk)
            change_stamp_move()
    return reply


def approval_reject(*, approval: ReplyApproval | int, user: Any, reason: str) -> ReplyApproval:
    """Reject the waiting reply with a reason the submitter sees on the ticket; nothing is posted."""
    _approver(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why, for the person who wrote it.")
    with transaction.atomic():
        current, locked = _waiting(approval)
        ensure_can_act(ticket=locked, user=user, for_user=current.requested_by)
        _close(current, A.REJECTED, by=user, reason=reason)
        by = current.requested_by.get_username() if current.requested_by else ""
        event_record(ticket=locked, kind=K.REPLY_REJECTED, actor=user, approval=current.pk, by=by, reason=reason)
        change_stamp_move()
    return current


def approval_edit(*, approval: ReplyApproval | int, user: Any, seen_version: int | None = None) -> ReplyApproval:
    """The approver takes the waiting reply into the reply box (the ticket's draft) to edit and send it themselves;
    it no longer waits (withdrawn, by the approver)."""
    _approver(user)
    with transaction.atomic():
        current, locked = _waiting(approval)
        ticket_draft_set(ticket=locked, body=current.body, user=user, seen_version=seen_version)
        _close(current, A.WITHDRAWN, by=user)
        by = current.requested_by.get_username() if current.requested_by else ""
        event_record(ticket=locked, kind=K.REPLY_WITHDRAWN, actor=user, approval=current.pk, by=by, taken=True)
        change_stamp_move()
    return current


def approval_shown(ticket: Ticket, user: Any) -> ReplyApproval | None:
    """What the ticket page shows above the composer: the reply waiting for approval, or, for its submitter, their
    latest reply if it was rejected (with the reason) until they submit another. The page's ticket carries the id of
    its latest approval (`approval_latest`, read with it: selectors.ticket_detail), so a ticket without one costs no
    query; read without it, one."""
    latest = getattr(ticket, "approval_latest", -1)
    if latest is None:
        return None
    rows = ReplyApproval.objects.select_related("requested_by", "decided_by")
    found = rows.filter(pk=latest).first() if latest != -1 else rows.filter(ticket=ticket).order_by("-pk").first()
    if found is None or found.status == A.PENDING:
        return found
    return found if found.status == A.REJECTED and found.requested_by_id == user.pk else None


def approvals_waiting(*, limit: int = 20, product_id: int | None = None) -> list[ReplyApproval]:
    """The replies waiting for approval across the desk, oldest first (the queue's line; approval_pending_idx); those
    on a product's tickets when the queue is narrowed to it (issue 71)."""
    rows = ReplyApproval.objects.filter(status=A.PENDING).select_related("requested_by").order_by("created_at", "pk")
    return list(of_product(rows, product_id, field="ticket__product")[:limit])
