"""Replies waiting for an advocate's approval on the ticket page (mentions.services.approvals): the composer's
"Submit for approval", and the approver's "Approve and send", "Edit" and "Reject" above the composer."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse

from mentions.forms import ApprovalForm, SendReplyForm
from mentions.models import ReplyApproval, Ticket, View
from mentions.services.approvals import approval_approve, approval_edit, approval_reject, reply_submit
from mentions.views.in_place import action_done, action_refused
from mentions.views.ticket import after_action, form_action, seen_version_posted


def reply_submitted(request: HttpRequest, obj: Ticket, form: SendReplyForm, served_view: View | None) -> HttpResponse:
    """The composer's reply, from someone whose replies wait for approval (mentions.views.actions.ticket_send asks
    first): kept for an advocate's approval, nothing posted. Refused beside Send, the text kept, as a send is."""
    data = form.cleaned_data
    try:
        reply_submit(
            ticket=obj,
            user=request.user,
            body=data["body"],
            handle=data["handle"],
            status=data["status"],
            style=data["style"],
            seen_version=seen_version_posted(request),
            images=form.images(),
        )
    except (PermissionDenied, ValidationError) as exc:  # the outward policy: a ticket that is not theirs to answer
        return action_refused(request, obj.pk, "send", form, exc, cannot="You cannot reply here.")
    messages.success(request, "Submitted for approval: an advocate approves it before it is sent. Nothing was posted.")
    return action_done(request, "send", after_action(request, obj, served_view))


@form_action(ApprovalForm, "approval", play_on=False)
def ticket_approval(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    """An advocate decides on the reply waiting for approval: approve and send it, take it into the reply box to
    edit, or reject it with a reason."""
    approval = ReplyApproval.objects.filter(pk=data["approval"], ticket=ticket).first()
    if approval is None:
        raise ValidationError("No such reply waits for approval on this ticket: reload the page.")
    if data["action"] == ApprovalForm.APPROVE:
        reply = approval_approve(approval=approval, user=request.user, seen_version=seen)
        where = f": {reply.permalink}" if reply.permalink else ""
        return f"Approved and sent as {reply.author_handle}{where}."
    if data["action"] == ApprovalForm.EDIT:
        approval_edit(approval=approval, user=request.user, seen_version=seen)
        return "The reply is in the reply box: edit it, then send it."
    approval_reject(approval=approval, user=request.user, reason=data["reason"])
    return "Rejected: the person who wrote it sees why on the ticket."
