"""What an advocate does on a ticket: reply, send, note, status, macro, priority, tags, merge, assignment."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from mentions import services
from mentions.forms import (
    CommunityCloseForm,
    DirectMessageForm,
    JudgementForm,
    MacroForm,
    MergeForm,
    MessageForm,
    NoteForm,
    NotNoiseForm,
    PriorityForm,
    ReassignForm,
    ReleaseForm,
    ReplyDeleteForm,
    ReplyForm,
    SendReplyForm,
    SkipForm,
    StatusForm,
    TagsForm,
)
from mentions.models import Judgement, Ticket
from mentions.services.community import ticket_close_community
from mentions.services.direct_messages import ticket_direct_message
from mentions.services.judgement import judgement_correct, noise_undo
from mentions.services.outward_policy import outward_decision
from mentions.services.platform_actions import action_said, message_like, message_repost, reply_delete
from mentions.views.access import ticket_open, work_queue
from mentions.views.approvals import reply_submitted
from mentions.views.in_place import action_done, action_failed, action_refused, from_htmx
from mentions.views.lists import serve_next
from mentions.views.ticket import after_action, form_action, seen_version_posted


@form_action(NoteForm, "note")
def ticket_note(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    services.ticket_add_note(ticket=ticket, user=request.user, body=data["body"], seen_version=seen)
    return "Note added."


@form_action(ReplyForm, "reply")
def ticket_reply(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    services.ticket_mark_replied(
        ticket=ticket,
        user=request.user,
        body=data["body"],
        link=data["link"],
        status=data["status"],
        seen_version=seen,
    )
    return f"Reply recorded on #{ticket.pk}."


@require_POST
@ticket_open
def ticket_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send from the desk. Not through `ticket_action`: a press that was sent already is answered with
    that send (its key), and a form without a version is not refused (the API's sends have none). From someone
    whose replies wait for approval (a grant's holder, an expert), the same form submits it for approval."""
    from mentions.services.replies import SendFailed

    obj = get_object_or_404(Ticket.objects.select_related("served_view"), pk=pk)
    served_view = obj.served_view if obj.served_to_id == request.user.pk else None
    form = SendReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return action_failed(request, pk, "send", form, 400)
    if outward_decision(request.user, "reply").needs_approval:  # their reply waits for an advocate's approval instead
        return reply_submitted(request, obj, form, served_view)
    data = form.cleaned_data
    try:
        reply = services.ticket_send_reply(
            ticket=obj,
            user=request.user,
            body=data["body"],
            handle=data["handle"],
            key=data["token"],
            status=data["status"],
            style=data["style"],
            seen_version=seen_version_posted(request),
            images=form.images(),
        )
    except (PermissionDenied, ValidationError) as exc:  # in place: beside Send, the text kept
        if isinstance(exc, SendFailed):
            # That press is used up: another one is a new send, with a new key.
            data_again = request.POST.copy()  # the form's data: a mutable copy of it
            data_again["token"] = uuid.uuid4().hex
            form.data = data_again
        response = action_refused(request, pk, "send", form, exc, cannot="You cannot send here.")
        if isinstance(exc, ValidationError) and from_htmx(request):  # the new key goes to the form, its text kept
            trigger_client_event(response, "sendToken", {"token": form.data["token"]})
        return response
    where = f": {reply.permalink}" if reply.permalink else ""
    messages.success(request, f"Reply sent as {reply.author_handle}{where}.")
    return action_done(request, "send", after_action(request, obj, served_view))


@form_action(StatusForm, "status")
def ticket_status(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    services.ticket_change_status(ticket=ticket, user=request.user, status=data["status"], seen_version=seen)
    return f"#{ticket.pk} is now {data['status']}."


@form_action(MacroForm, "macro")
def ticket_macro(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    macro = data["macro"]
    applied = services.macro_apply(
        ticket=ticket,
        user=request.user,
        macro=macro,
        link=data["macro_link"],
        base_url=request.build_absolute_uri("/")[:-1],
        expert_id=data["expert"],
        seen_version=seen,
        # Posted from the composer's form, the reply box's text comes along (even empty); posted
        # without it (another client), the saved draft stays what a prefill follows.
        typed=data["body"] if "body" in request.POST else None,
    )
    for notice in applied.notices:
        messages.warning(request, notice)
    return f"“{macro.name}” applied to #{ticket.pk}."


@form_action(ReleaseForm, "release", play_on=False)
def ticket_release(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    services.ticket_release(ticket=ticket, user=request.user, reason=data["reason"], seen_version=seen)
    return f"#{ticket.pk} is back in the queue."


@form_action(ReassignForm, "assign")
def ticket_assign(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    services.ticket_reassign(ticket=ticket, user=request.user, to=data["assignee"], seen_version=seen)
    return f"#{ticket.pk} is now assigned to {data['assignee'].get_username()}."


@require_POST
@work_queue
def ticket_skip(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(Ticket.objects.select_related("served_view"), pk=pk)
    view = obj.served_view
    form = SkipForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_skip(ticket=obj, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.info(request, f"Skipped #{obj.pk}.")
            return action_done(
                request, "skip", serve_next(request, view) if view else HttpResponseRedirect(reverse("mentions:queue"))
            )
    return action_failed(request, pk, "skip", form, 400)


@form_action(PriorityForm, "priority", play_on=False)
def ticket_priority(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    changed = services.ticket_set_priority(
        ticket=ticket, user=request.user, priority=data["priority"], seen_version=seen
    )
    label = Ticket.Priority(data["priority"]).label.lower()
    return f"#{ticket.pk} is now {label} priority." if changed else f"#{ticket.pk} was {label} priority already."


@form_action(TagsForm, "tags", play_on=False)
def ticket_tags(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    added, removed = services.ticket_set_tags(ticket=ticket, user=request.user, names=data["tags"], seen_version=seen)
    said = [f"added {', '.join(added)}" if added else "", f"removed {', '.join(removed)}" if removed else ""]
    return f"Tags {' and '.join(s for s in said if s)}." if added or removed else "Tags unchanged."


@form_action(MergeForm, "merge")
def ticket_merge(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    target = services.ticket_merge(
        source=ticket, target_id=data["target"], user=request.user, reason=data["reason"], seen_version=seen
    )
    return f"#{ticket.pk} was merged into #{target.pk}."


@form_action(JudgementForm, "judgement", play_on=False)
def ticket_judgement(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    """An advocate corrects the desk's judgement (a form POST without JavaScript, in place with htmx)."""
    label = Judgement(data["judgement"]).label
    confirms = ticket.judgement == data["judgement"]  # an unsure one, confirmed: it was stored so
    if judgement_correct(ticket, data["judgement"], request.user, seen_version=seen):
        return f"Judgement {'confirmed' if confirms else 'corrected'}: {label}."
    return f"The judgement was {label} already."


@form_action(NotNoiseForm, "judgement", play_on=False)
def ticket_not_noise(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    """ "Not noise?" on a ticket a rule solved as noise: reopened, its judgement corrected, in one click."""
    noise_undo(ticket, request.user, data["judgement"], seen_version=seen)
    return f"#{ticket.pk} is open again: {Judgement(data['judgement']).label.lower()}."


@form_action(CommunityCloseForm, "community")
def ticket_community_close(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    """ "Close: answered by the community": solved in one click, the accepted answer linked in the history."""
    ticket_close_community(ticket=ticket, user=request.user, seen_version=seen)
    return f"#{ticket.pk} is solved: answered by the community."


@form_action(MessageForm, "like", play_on=False)
def ticket_like(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    """Like the mention on its platform, as the account the desk replies from."""
    liked = message_like(ticket=ticket, message_id=data["message"], user=request.user)
    return action_said(ticket, "like", now=liked)


@form_action(ReplyDeleteForm, "delete", play_on=False)
def ticket_delete_post(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    """Delete one of our posts from its platform, once the advocate said yes; the ticket keeps its text."""
    if reply_delete(ticket=ticket, message_id=data["message"], user=request.user, confirmed=data["confirm"]):
        return f"Deleted from {ticket.channel.get_kind_display()}; its text stays on the ticket."
    return "It was deleted already."


@form_action(MessageForm, "repost", play_on=False)
def ticket_repost(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    """Repost (boost) the mention to our followers, as the account the desk replies from."""
    reposted = message_repost(ticket=ticket, message_id=data["message"], user=request.user)
    return action_said(ticket, "repost", now=reposted)


@form_action(DirectMessageForm, "dm", play_on=False)
def ticket_direct_message_send(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    """Send the mention's author a direct message; the ticket keeps it, and says the conversation moved there."""
    sent = ticket_direct_message(
        ticket=ticket, message_id=data["message"], user=request.user, text=data["text"], key=data["key"]
    )
    return f"Direct message sent to {sent.mentioned[0] if sent.mentioned else 'the author'} as {sent.author_handle}."
