"""The ticket page, its live refresh and presence, and what every action on it shares (`ticket_action`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from channels import clean
from channels.adapters.registry import platform_or_default
from channels.adapters.slack.client import slack_configured
from mentions import selectors, services
from mentions.forms import (
    AFTER_REPLY,
    SNOOZE_CHOICES,
)
from mentions.live import etag_for, live
from mentions.models import Judgement, Ticket, View
from mentions.permissions.private_messages import private_messages_readable
from mentions.services import presence, versions
from mentions.services.approval_rule import QUEUE
from mentions.services.approvals import approval_shown
from mentions.services.community import community_answer_shown
from mentions.services.judgement import solved_as_noise
from mentions.services.outward_policy import outward_decision, outward_offers
from mentions.services.platform_actions import actions_offered
from mentions.services.team_model import team_output_of
from mentions.ticket_page.facts_panel import facts_context
from mentions.ticket_page.folds import fold_find
from mentions.ticket_page.history import history_lines
from mentions.ticket_page.macro_picker import macro_picker
from mentions.ticket_page.panels import panels_shown_inline, posted_value, ticket_panels
from mentions.views.access import ticket_open, work_queue
from mentions.views.in_place import action_done, action_failed, action_refused
from mentions.views.lists import serve_next
from mentions.views.refused import COMPOSER_POSTS, refused_forms


@require_GET
@ticket_open
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    found, merged_into = selectors.ticket_found(pk=pk)
    if not found:
        return render(request, "404.html", status=404)
    if merged_into:
        messages.info(request, f"#{pk} was merged into #{merged_into}; its conversation is here.")
        return redirect("mentions:ticket", pk=merged_into)
    try:
        obj = selectors.ticket_detail(pk=pk, panels=True, private=private_messages_readable(request.user))
    except Ticket.DoesNotExist:  # deleted in between
        return render(request, "404.html", status=404)
    return render(request, "mentions/ticket.html", ticket_page_context(request, obj, refused_forms(request, obj.pk)))


def ticket_page_context(
    request: HttpRequest, obj: Ticket, forms: dict, *, everything: bool = False, panels: bool = True
) -> dict:
    """The ticket page's context, shared by the page and the in-place answers to its actions.
    Its forms are written out in the template (mentions/ticket.html) rather
    than rendered through Django's widget templates, which were a fifth of the page's time; a
    form is built only when it comes back with errors (`forms`), and then its posted values and
    errors are shown. tests/test_ticket_forms.py keeps the written-out fields in step with the
    form classes. The first answer is the conversation, the composer and the context column's cheap panels
    (mentions.ticket_page.panels): the deferred ones come in one request after it, a folded one and the history when
    their fold is opened (`ticket_history`), unless the page is asked for them inline (`?panels=inline`,
    `?history=1`: the page without JavaScript). `everything`: the history too (an action's answer in place
    swaps the facts and history); `panels` off: no side panel (that answer swaps the facts alone)."""
    if request.session.get(presence.SESSION_NAME) != request.user.get_username():
        request.session[presence.SESSION_NAME] = request.user.get_username()
    version = versions.ticket_version(obj)
    last_message = max((m.pk for m in obj.messages.all()), default=0)
    live_url = f"{reverse('mentions:ticket-live', args=[obj.pk])}?after={last_message}&seen={version}"
    in_play = obj.served_to_id == request.user.pk and obj.served_view_id is not None
    panels_inline = panels_shown_inline(request, forms)
    shown, panel_context = ticket_panels(request, obj, forms, inline=panels_inline) if panels else ([], {})
    plan = services.reply_plan(obj)

    def posted(key: str, field: str, default: object = "") -> object:
        return posted_value(forms, key, field, default)

    # A refused macro or panel insert posted the composer's form: what its reply box held comes back in it.
    typed = next((posted(key, "body", None) for key in COMPOSER_POSTS if key in forms), None)
    draft = obj.reply_draft if typed is None else typed
    picker = macro_picker()
    needs_approval = outward_decision(request.user, "reply").needs_approval
    context = {
        **{f"{key}_form": form for key, form in forms.items()},  # their errors
        "reply_plan": plan,
        # Replies waiting for an advocate's approval (mentions.services.approvals): the composer submits them for
        # approval instead of sending; above it, the reply waiting (approve, edit, reject) or the submitter's own
        # rejected one.
        "needs_approval": needs_approval,
        "can_approve": not needs_approval and request.user.has_perm(QUEUE),
        "approval": approval_shown(obj, request.user),
        # Why the desk cannot post here, as the platform declares it (Hacker News: no API to post with).
        "no_reply_why": "" if plan else platform_or_default(obj.channel.kind).unsupported.get("replies", ""),
        "ticket": obj,
        "history": _history(request, obj) if everything or "history" in request.GET else None,
        "ticket_version": version,
        "live_url": live_url,
        "ticket_live_etag": etag_for(request, live_url),
        "ticket_refresh_seconds": _ticket_refresh_seconds(),
        "in_play": in_play,
        "can_skip": in_play and obj.served_view is not None and obj.served_view.allow_skip,
        "picker": picker,
        "after_reply_choices": AFTER_REPLY,
        # The desk's judgement and its correction (mentions/_ticket_judgement.html): the ticket's own columns.
        "judgement_choices": Judgement.choices,
        "solved_as_noise": solved_as_noise(obj),
        # An answer by someone outside the team that the asker accepted: "Close: answered by the community".
        "community_answer": community_answer_shown(obj),
        # The team model's summary (top of the conversation) and draft (in the composer), read with the ticket.
        "team_output": team_output_of(obj),
        # Like or repost a mention, message its author, delete our post: the platform's words where it has them
        # (mentions/_messages.html).
        "offered": actions_offered(obj) if plan else None,
        # Which of them this user may use, or why not (mentions.services.outward_policy): who they are, whose
        # ticket it is, and for a deletion whose post.
        "outward": outward_offers(request.user, obj, obj.messages.all()) if plan else None,
        "values": {
            "send_body": posted("send", "body", draft),
            "send_handle": posted("send", "handle", plan.chosen if plan else ""),
            "send_token": posted("send", "token") or uuid.uuid4().hex,
            "send_status": posted("send", "status", Ticket.Status.SOLVED),
            "send_style": posted("send", "style", plan.styles[0][0] if plan and plan.styles else ""),
            "send_image_alt": posted("send", "image_alt"),
            "reply_body": posted("reply", "body", draft),
            "reply_link": posted("reply", "link"),
            "reply_status": posted("reply", "status", Ticket.Status.SOLVED),
            "note_body": posted("note", "body"),
            "macro_link": posted("macro", "macro_link"),
            "macro_expert": str(posted("macro", "expert")),
            "merge_target": posted("merge", "target"),
            "merge_reason": posted("merge", "reason"),
            "release_reason": posted("release", "reason"),
            "skip_reason": posted("skip", "reason"),
            # A refused direct message comes back under its mention with its text and key (nothing was sent with it).
            "dm_message": clean.whole(posted("dm", "message", None), minimum=1),
            "dm_text": posted("dm", "text"),
            "dm_key": posted("dm", "key") or uuid.uuid4().hex,
            "snooze_preset": posted("snooze", "preset", "tomorrow"),
            "snooze_custom": posted("snooze", "custom"),
            "snooze_remind": posted("snooze", "remind_slack", False),
        },
        "snooze_choices": SNOOZE_CHOICES,
        # "Remind me in Slack" is offered only where a reminder can go out; otherwise it says why (a setting read).
        "snooze_slack_ready": slack_configured(),
        "ticket_panels": shown,
        # The whole page (no JavaScript, or a panel's form back with errors): the folds in it too (ticket_page.folds).
        "panels_inline": panels_inline,
        # Who else has it open, said in the first answer: the live refresh need not fire as the page loads.
        "presence_others": presence.presence_touch(
            ticket_id=obj.pk, user_id=str(request.user.pk), name=request.user.get_username()
        ),
        **panel_context,
    }
    if everything and not panels:
        context.update(facts_context(request, obj, forms))
    return context


def _ticket_refresh_seconds() -> int:
    """An open ticket's one refresh carries both its new messages and who else is there."""
    return min(settings.DESK_LIVE_REFRESH_SECONDS, presence.refresh_seconds())


def after_action(request: HttpRequest, ticket: Ticket, served_view: View | None) -> HttpResponse:
    """In play mode a submitted ticket is followed by the next one of the same view."""
    ticket.refresh_from_db(fields=["served_to", "served_view", "merged_into"])
    if served_view is not None and ticket.served_to_id is None:
        return serve_next(request, served_view)
    return redirect("mentions:ticket", pk=ticket.merged_into_id or ticket.pk)


def seen_version_posted(request: HttpRequest) -> int | None:
    """The ticket version the posted form was written against (its hidden `seen`), or None."""
    return clean.whole(request.POST.get("seen"), minimum=0, maximum=2**63 - 1)


def ticket_action(request: HttpRequest, pk: int, form_class, key: str, run, *, play_on: bool = True) -> HttpResponse:
    """Validate, run, say what happened; in play mode go on to the next ticket unless `play_on`
    is off (a released ticket would be served straight back). `run(ticket, data, seen_version)` calls
    the action's service with the version the form was written against: the service checks it with
    the ticket's row locked (mentions.services.versions), so two people never both act on what one of
    them saw; a stale form is refused 409, its text kept."""
    obj = get_object_or_404(Ticket.objects.select_related("served_view"), pk=pk)
    served_view = obj.served_view if obj.served_to_id == request.user.pk and play_on else None
    form = form_class(request.POST)
    if not form.is_valid():
        return action_failed(request, pk, key, form, 400)
    seen = seen_version_posted(request)
    try:
        if seen is None:
            raise versions.TicketStale(versions.NO_VERSION)
        message = run(obj, form.cleaned_data, seen)
    except (ValidationError, PermissionDenied) as exc:  # the service saved what it must (a failed send, the draft)
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            exc = ValidationError(" ".join(exc.messages))  # a field's ("until"): beside the control, as the form's own
        return action_refused(request, pk, key, form, exc)
    if message:
        messages.success(request, message)
    return action_done(request, key, after_action(request, obj, served_view))


def form_action(form_class, key: str, *, play_on: bool = True) -> Callable:
    """A queue action's view, POSTed from the ticket page and run through `ticket_action`: the decorated
    `run(request, ticket, data, seen_version)` calls the service and returns what the desk says. One decorator
    rather than a view each with its own `run` closure: every action is posted, needs the queue, and is refused
    and answered alike."""

    def decorate(run: Callable[[HttpRequest, Ticket, dict, int], str]) -> Callable:
        @require_POST
        @work_queue
        @wraps(run)
        def view(request: HttpRequest, pk: int) -> HttpResponse:
            return ticket_action(
                request,
                pk,
                form_class,
                key,
                lambda ticket, data, seen: run(request, ticket, data, seen),
                play_on=play_on,
            )

        return view

    return decorate


@require_GET
@ticket_open
def ticket_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The ticket's history, asked for when its fold on the ticket page is opened (htmx)."""
    obj = get_object_or_404(Ticket, pk=pk)
    return render(request, "mentions/_ticket_history.html", {"history": _history(request, obj)})


@require_GET
@ticket_open
def ticket_fold(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """A fold of the ticket page, asked for when it is opened (mentions.ticket_page.folds): its template with the
    page's context, its forms claiming the version the page showed (`seen`); a message's fold for its `message`."""
    fold = fold_find(name)
    if fold is None:
        return HttpResponse(status=404)
    try:
        obj = selectors.ticket_detail(pk=pk, private=private_messages_readable(request.user))
    except Ticket.DoesNotExist:
        return HttpResponse(status=404)
    context = ticket_page_context(request, obj, {}, panels=False)
    seen = clean.whole(request.GET.get("seen"), minimum=0)
    if seen is not None:
        context["ticket_version"] = seen
    if fold.per_message:
        wanted = clean.whole(request.GET.get("message"), minimum=1)
        context["m"] = next((m for m in obj.messages.all() if m.pk == wanted), None)
        if context["m"] is None:
            return HttpResponse(status=404)
    if fold.context is not None:
        context.update(fold.context(request, obj))
    return render(request, fold.template, context)


def _history(request: HttpRequest, ticket: Ticket) -> list:
    """The ticket's history as the page words it (mentions.ticket_page.history), read when asked for; its lines about
    private messages without their text for a reader who does not read them."""
    private = private_messages_readable(request.user)
    hidden = frozenset() if private else selectors.private_external_ids(ticket_id=ticket.pk)
    return history_lines(ticket, selectors.ticket_history(ticket=ticket), hidden=hidden)


@live(on_refresh=presence.presence_on_refresh)
@require_GET
@ticket_open
def ticket_live(request: HttpRequest, pk: int) -> HttpResponse:
    """An open ticket page's refresh: new messages appended to the conversation, a notice of
    what changed, and the forms' version moved past what it was shown (the draft stays put)."""
    after = clean.whole(request.GET.get("after"), minimum=0, maximum=2**63 - 1)
    seen = clean.whole(request.GET.get("seen"), minimum=0, maximum=2**63 - 1)
    if after is None or seen is None:
        return HttpResponseBadRequest("after and seen must be whole numbers")
    updates = selectors.ticket_updates(
        ticket_id=pk, after_message=after, seen=seen, private=private_messages_readable(request.user)
    )
    if updates is None:
        return HttpResponse(status=404)
    after = max((m.pk for m in updates.messages), default=after)
    live_url = f"{reverse('mentions:ticket-live', args=[pk])}?after={after}&seen={updates.version}"
    response = render(
        request,
        "mentions/_ticket_live.html",
        {
            "updates": updates,
            "authors": sorted({m.author_name or m.author_handle for m in updates.messages if m.kind != "note"}),
            "changes": versions.changes_described(updates.other_changes) if updates.other_changes else "",
            "live_url": live_url,
            "ticket_live_etag": etag_for(request, live_url),
            "ticket_refresh_seconds": _ticket_refresh_seconds(),
        },
    )
    if updates.version != seen:
        trigger_client_event(response, "ticketSeen", {"version": updates.version})
    return response


@require_POST
@ticket_open
def ticket_presence(request: HttpRequest, pk: int) -> JsonResponse:
    """The open ticket page says it is still open (and whether its reply is being typed); the
    answer lists the others who have it open."""
    if not Ticket.objects.filter(pk=pk).exists():
        return JsonResponse({"others": []}, status=404)
    others = presence.presence_touch(
        ticket_id=pk,
        user_id=str(request.user.pk),
        name=request.user.get_username(),
        typing=request.POST.get("typing") == "1",
        leaving=request.POST.get("leaving") == "1",
    )
    return JsonResponse({"others": others})
