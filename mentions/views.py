"""Pages of the queue. Each view validates input, calls one service, renders or redirects."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from channels.models import Channel
from mentions import selectors, services
from mentions.forms import MacroForm, NoteForm, ReplyForm, SendReplyForm, SkipForm, StatusForm
from mentions.models import Ticket, View
from mentions.services.play import ticket_served

work_queue = permission_required("mentions.work_queue", raise_exception=True)


@require_GET
@work_queue
def queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "mentions/queue.html",
        {
            "summaries": selectors.queue_summary(),
            "my_tickets": selectors.tickets_of_user(user=request.user),
            "served": ticket_served(user=request.user),
        },
    )


@require_GET
@work_queue
def ticket_index(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in Ticket.Status.values else ""
    channel_id = request.GET.get("channel", "")
    channel_id = int(channel_id) if channel_id.isdigit() else None
    q = request.GET.get("q", "").strip()[:100]
    mine = request.GET.get("mine") == "1"
    qs = selectors.ticket_list(status=status, channel_id=channel_id, q=q, assignee_id=request.user.pk if mine else None)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "mentions/ticket_list.html",
        {
            "page": page,
            "status": status,
            "channel_id": channel_id,
            "q": q,
            "mine": mine,
            "statuses": Ticket.Status.choices,
            "channels": Channel.objects.only("id", "name"),
        },
    )


@require_POST
@work_queue
def play(request: HttpRequest, slug: str) -> HttpResponse:
    view = get_object_or_404(View, slug=slug, is_active=True)
    return _serve_next(request, view)


def _serve_next(request: HttpRequest, view: View) -> HttpResponse:
    ticket = services.ticket_claim_next(view=view, user=request.user)
    if ticket is None:
        messages.info(request, f"Nothing is waiting in “{view.name}”.")
        return redirect("mentions:queue")
    return redirect(ticket)


@require_GET
@work_queue
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        obj = selectors.ticket_detail(pk=pk)
    except Ticket.DoesNotExist:
        return render(request, "404.html", status=404)
    return _render_ticket(request, obj)


def _render_ticket(request: HttpRequest, obj: Ticket, *, forms: dict | None = None, status: int = 200) -> HttpResponse:
    forms = forms or {}
    in_play = obj.served_to_id == request.user.pk and obj.served_view_id is not None
    plan = services.reply_plan(obj)
    context = {
        "reply_plan": plan,
        "send_form": forms.get("send")
        or SendReplyForm(
            initial={"body": obj.reply_draft, "handle": plan.chosen if plan else "", "token": uuid.uuid4().hex}
        ),
        "ticket": obj,
        "in_play": in_play,
        "can_skip": in_play and obj.served_view.allow_skip,
        "macros": selectors.macros_active(),
        "note_form": forms.get("note") or NoteForm(),
        "reply_form": forms.get("reply") or ReplyForm(initial={"body": obj.reply_draft}),
        "status_form": forms.get("status") or StatusForm(initial={"status": obj.status}),
        "macro_form": forms.get("macro") or MacroForm(),
        "skip_form": forms.get("skip") or SkipForm(),
    }
    return render(request, "mentions/ticket.html", context, status=status)


def _after_action(request: HttpRequest, ticket: Ticket, served_view: View | None) -> HttpResponseRedirect:
    """In play mode a submitted ticket is followed by the next one of the same view."""
    ticket.refresh_from_db(fields=["served_to", "served_view"])
    if served_view is not None and ticket.served_to_id is None:
        return _serve_next(request, served_view)
    return redirect(ticket)


def _action(request: HttpRequest, pk: int, form_class, key: str, run) -> HttpResponse:
    obj = get_object_or_404(Ticket.objects.select_related("served_view"), pk=pk)
    served_view = obj.served_view if obj.served_to_id == request.user.pk else None
    form = form_class(request.POST)
    if form.is_valid():
        try:
            message = run(obj, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if message:
                messages.success(request, message)
            return _after_action(request, obj, served_view)
    return _render_ticket(request, selectors.ticket_detail(pk=pk), forms={key: form}, status=400)


@require_POST
@work_queue
def ticket_note(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ticket: Ticket, data: dict) -> str:
        services.ticket_add_note(ticket=ticket, user=request.user, body=data["body"])
        return "Note added."

    return _action(request, pk, NoteForm, "note", run)


@require_POST
@work_queue
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ticket: Ticket, data: dict) -> str:
        services.ticket_mark_replied(
            ticket=ticket, user=request.user, body=data["body"], link=data["link"], status=data["status"]
        )
        return f"Reply recorded on #{ticket.pk}."

    return _action(request, pk, ReplyForm, "reply", run)


@require_POST
@work_queue
def ticket_send(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ticket: Ticket, data: dict) -> str:
        reply = services.ticket_send_reply(
            ticket=ticket,
            user=request.user,
            body=data["body"],
            handle=data["handle"],
            token=data["token"],
            status=data["status"],
        )
        where = f": {reply.permalink}" if reply.permalink else ""
        return f"Reply sent as {reply.author_handle}{where}."

    return _action(request, pk, SendReplyForm, "send", run)


@require_POST
@work_queue
def ticket_status(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ticket: Ticket, data: dict) -> str:
        services.ticket_change_status(ticket=ticket, user=request.user, status=data["status"])
        return f"#{ticket.pk} is now {data['status']}."

    return _action(request, pk, StatusForm, "status", run)


@require_POST
@work_queue
def ticket_macro(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ticket: Ticket, data: dict) -> str:
        macro = data["macro"]
        services.macro_apply(
            ticket=ticket,
            user=request.user,
            macro=macro,
            link=data["link"],
            base_url=request.build_absolute_uri("/")[:-1],
        )
        return f"“{macro.name}” applied to #{ticket.pk}."

    return _action(request, pk, MacroForm, "macro", run)


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
            return _serve_next(request, view) if view else HttpResponseRedirect(reverse("mentions:queue"))
    return _render_ticket(request, selectors.ticket_detail(pk=pk), forms={"skip": form}, status=400)
