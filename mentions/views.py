"""Pages of the queue. Each view validates input, calls one service, renders or redirects."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from channels import clean
from channels.models import Channel
from mentions import search, selectors, services
from mentions.forms import (
    AFTER_REPLY,
    BulkForm,
    MacroForm,
    MergeForm,
    NoteForm,
    PriorityForm,
    ReassignForm,
    ReleaseForm,
    ReplyForm,
    SavedSearchForm,
    SendReplyForm,
    SkipForm,
    StatusForm,
    TagsForm,
    TicketFilterForm,
)
from mentions.history import history_lines
from mentions.live import CSRF_SLOT, etag_for, fragment_cached, live, stamped
from mentions.models import Ticket, View
from mentions.panels import ticket_panels
from mentions.services import presence, versions
from mentions.services.play import ticket_served

work_queue = permission_required("mentions.work_queue", raise_exception=True)


@live(clock=True)
@require_GET
@work_queue
def queue(request: HttpRequest) -> HttpResponse:
    """The views with their counts and My tickets; its live part refreshes itself (htmx)."""
    order = _order(request)
    now = timezone.now()
    user = request.user
    context = {
        # Both tables are rendered once per change stamp and minute (mentions/live.py): the views'
        # figures for everyone, My tickets for each user; the 50 rows of relative times and
        # first-reply clocks were most of the page's time.
        "views_table": fragment_cached(
            request,
            name="queue-views",
            vary="",
            csrf=True,
            render=lambda: render_to_string(
                "mentions/_queue_views.html",
                {"summaries": selectors.queue_summary(), "now": now, "csrf_token": CSRF_SLOT},
            ),
        ),
        "mine_table": fragment_cached(
            request,
            name="queue-mine",
            vary=f"{user.pk}|{order}",
            render=lambda: render_to_string(
                "mentions/_queue_mine.html",
                {
                    "my_tickets": selectors.tickets_of_user(user=user, order=order),
                    "now": now,
                    "followup_minutes": settings.DESK_FOLLOWUP_RETURN_MINUTES,
                },
            ),
        ),
        "served": stamped(request, name="served", vary=str(user.pk), compute=lambda: ticket_served(user=user)),
        "order": order,
    }
    if request.htmx:
        return render(request, "mentions/_queue_live.html", context)
    return render(
        request,
        "mentions/queue.html",
        {
            **context,
            "duty": selectors.duty_today(today=now.date()),
            "saved_searches": services.saved_searches_of(user=request.user),
        },
    )


def _order(request: HttpRequest) -> str:
    return selectors.ORDER_TIME_LEFT if request.GET.get("order") == selectors.ORDER_TIME_LEFT else ""


@live(clock=True)
@require_GET
@work_queue
def ticket_index(request: HttpRequest) -> HttpResponse:
    """Every ticket, searched and filtered; its results refresh themselves (htmx)."""
    # Every parameter goes through the form's cleaners: "²".isdigit() is True but int("²")
    # raises, a NUL in ?q= cannot reach PostgreSQL; either was a 500. Bad values are dropped
    # and named on the page.
    form = TicketFilterForm(request.GET)
    query = form.ticket_query(user=request.user)
    query_string = form.query_string()
    can_tick = request.user.has_perm("mentions.manage_all_tickets")

    def results() -> str:
        return render_to_string(
            "mentions/_ticket_rows.html",
            {
                "page": search.ticket_search(query),
                "query": query,
                "query_string": query_string,
                "can_tick": can_tick,
                "now": timezone.now(),
            },
        )

    context = {
        # The same search at the same moment is the same HTML for everyone (no session data in it):
        # found and rendered once per change and minute (mentions/live.py).
        "results": fragment_cached(
            request, name="ticket-list", vary=f"{query!r}|{query_string}|{can_tick}", render=results
        ),
        "form": form,
        "query": query,
        "q": query.q,
        "query_string": query_string,
    }
    if request.htmx:
        return render(request, "mentions/_ticket_results.html", context)
    user_pk = request.user.pk

    def filters() -> str:
        return render_to_string(
            "mentions/_ticket_filters.html",
            {
                "form": form,
                "query": query,
                "query_string": query_string,
                "user_pk": user_pk,
                "statuses": Ticket.Status.choices,
                "priorities": Ticket.Priority.choices,
                "channels": Channel.objects.only("id", "name"),
                "assignees": services.queue_workers().order_by("username").only("id", "username"),
            },
        )

    return render(
        request,
        "mentions/ticket_list.html",
        {
            **context,
            # Channels and advocates change a few times a year: their option lists may be a minute old.
            "filters": fragment_cached(
                request, name="ticket-filters", vary=f"{user_pk}|{request.GET.urlencode()}", render=filters
            ),
            "saved_searches": services.saved_searches_of(user=request.user),
            "save_form": SavedSearchForm(initial={"query": query_string}),
            "bulk_form": BulkForm(initial={"next": request.get_full_path()})
            if request.user.has_perm("mentions.manage_all_tickets")
            else None,
        },
    )


@require_POST
@work_queue
def saved_search_create(request: HttpRequest) -> HttpResponse:
    form = SavedSearchForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        back = TicketFilterForm(QueryDict(request.POST.get("query", "")[:2000])).query_string()
        return redirect(f"{reverse('mentions:tickets')}?{back}")
    saved = services.saved_search_save(
        user=request.user, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
    )
    messages.success(request, f"Saved the search \u201c{saved.name}\u201d.")
    return redirect(saved.get_absolute_url())


@require_POST
@work_queue
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not services.saved_search_delete(user=request.user, pk=pk):
        raise Http404("No such saved search of yours.")
    messages.success(request, "Saved search deleted.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("mentions:tickets")
    return redirect(target)


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
    if ticket.served_view_id not in (None, view.pk):
        # Play serves the ticket you hold until it is submitted, whichever view you press: say so.
        held_from = (
            View.objects.filter(pk=ticket.served_view_id).values_list("name", flat=True).first() or "another view"
        )
        messages.warning(
            request,
            f"You still hold #{ticket.pk} from “{held_from}”: submit or release it before Play serves “{view.name}”.",
        )
    return redirect(ticket)


@require_GET
@work_queue
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        obj = selectors.ticket_detail(pk=pk)
    except Ticket.DoesNotExist:
        return render(request, "404.html", status=404)
    if obj.merged_into_id:
        messages.info(request, f"#{obj.pk} was merged into #{obj.merged_into_id}; its conversation is here.")
        return redirect("mentions:ticket", pk=obj.merged_into_id)
    return _render_ticket(request, obj)


def _render_ticket(request: HttpRequest, obj: Ticket, *, forms: dict | None = None, status: int = 200) -> HttpResponse:
    """The ticket page. Its forms are written out in the template (mentions/ticket.html) rather
    than rendered through Django's widget templates, which were a fifth of the page's time; a
    form is built only when it comes back with errors (`forms`), and then its posted values and
    errors are shown. tests/test_ticket_forms.py keeps the written-out fields in step with the
    form classes."""
    forms = forms or {}
    if request.session.get(presence.SESSION_NAME) != request.user.get_username():
        request.session[presence.SESSION_NAME] = request.user.get_username()
    version = versions.ticket_version(obj)
    last_message = max((m.pk for m in obj.messages.all()), default=0)
    live_url = f"{reverse('mentions:ticket-live', args=[obj.pk])}?after={last_message}&seen={version}"
    in_play = obj.served_to_id == request.user.pk and obj.served_view_id is not None
    panel_templates, panel_context = ticket_panels(request, obj, forms)
    plan = services.reply_plan(obj)
    manages = request.user.has_perm("mentions.manage_all_tickets")

    def posted(key: str, field: str, default: object = "") -> object:
        form = forms.get(key)
        return form.data.get(field, default) if form is not None else default

    context = {
        **{f"{key}_form": form for key, form in forms.items()},  # their errors
        "reply_plan": plan,
        "ticket": obj,
        "history": history_lines(obj, obj.events.all()),
        "ticket_version": version,
        "live_url": live_url,
        "ticket_live_etag": etag_for(request, live_url),
        "others_here": presence.presence_others(ticket_id=obj.pk, user=request.user),
        "ticket_refresh_seconds": _ticket_refresh_seconds(),
        "now": timezone.now(),
        "in_play": in_play,
        "can_skip": in_play and obj.served_view.allow_skip,
        "macros": selectors.macros_active(),
        "after_reply_choices": AFTER_REPLY,
        "status_choices": Ticket.Status.choices,
        "priority_choices": Ticket.Priority.choices,
        "values": {
            "send_body": posted("send", "body", obj.reply_draft),
            "send_handle": posted("send", "handle", plan.chosen if plan else ""),
            "send_token": posted("send", "token") or uuid.uuid4().hex,
            "send_status": posted("send", "status", Ticket.Status.SOLVED),
            "send_style": posted("send", "style", plan.styles[0][0] if plan and plan.styles else ""),
            "reply_body": posted("reply", "body", obj.reply_draft),
            "reply_link": posted("reply", "link"),
            "reply_status": posted("reply", "status", Ticket.Status.SOLVED),
            "note_body": posted("note", "body"),
            "macro_link": posted("macro", "link"),
            "status": posted("status", "status", obj.status),
            "priority": posted("priority", "priority", obj.priority),
            "tags": posted("tags", "tags", " ".join(t.name for t in obj.tags.all())),
            "merge_target": posted("merge", "target"),
            "merge_reason": posted("merge", "reason"),
            "release_reason": posted("release", "reason"),
            "skip_reason": posted("skip", "reason"),
            "assignee": str(posted("assign", "assignee")),
        },
        "workers": list(services.queue_workers().order_by("username").only("id", "username")) if manages else None,
        "ticket_panels": panel_templates,
        **panel_context,
    }
    return render(request, "mentions/ticket.html", context, status=status)


def _ticket_refresh_seconds() -> int:
    """An open ticket's one refresh carries both its new messages and who else is there."""
    return min(settings.DESK_LIVE_REFRESH_SECONDS, presence.refresh_seconds())


def _after_action(request: HttpRequest, ticket: Ticket, served_view: View | None) -> HttpResponseRedirect:
    """In play mode a submitted ticket is followed by the next one of the same view."""
    ticket.refresh_from_db(fields=["served_to", "served_view", "merged_into"])
    if served_view is not None and ticket.served_to_id is None:
        return _serve_next(request, served_view)
    return redirect("mentions:ticket", pk=ticket.merged_into_id or ticket.pk)


def ticket_action(request: HttpRequest, pk: int, form_class, key: str, run, *, play_on: bool = True) -> HttpResponse:
    """Validate, run, say what happened; in play mode go on to the next ticket unless `play_on`
    is off (a released ticket would be served straight back)."""
    obj = get_object_or_404(Ticket.objects.select_related("served_view"), pk=pk)
    served_view = obj.served_view if obj.served_to_id == request.user.pk and play_on else None
    form = form_class(request.POST)
    if not form.is_valid():
        return _render_ticket(request, selectors.ticket_detail(pk=pk), forms={key: form}, status=400)
    seen = clean.whole(request.POST.get("seen"), minimum=0, maximum=2**63 - 1)
    with transaction.atomic():
        # The row lock orders this action after any other on the ticket; then the version it
        # was written against is checked, so two people never both act on what one of them saw.
        Ticket.objects.select_for_update(of=("self",)).filter(pk=pk).values_list("pk", flat=True).first()
        changed = versions.changes_since(ticket=obj, seen=seen, token=str(request.POST.get("token", "")))
        if seen is None or changed:
            said = versions.changes_described(changed) if changed else "this form did not say which version you saw"
            form.add_error(
                None,
                f"This ticket changed since you opened it: {said}. "
                "Nothing was done; your text is kept below. Check the ticket and submit again.",
            )
            status = 409
        else:
            try:
                message = run(obj, form.cleaned_data)
            except ValidationError as exc:  # the service saved what it must (a failed send, the draft)
                form.add_error(None, exc)
                status = 400
            else:
                if message:
                    messages.success(request, message)
                status = 0
    if status:
        return _render_ticket(request, selectors.ticket_detail(pk=pk), forms={key: form}, status=status)
    return _after_action(request, obj, served_view)


@live(on_refresh=presence.presence_on_refresh)
@require_GET
@work_queue
def ticket_live(request: HttpRequest, pk: int) -> HttpResponse:
    """An open ticket page's refresh: new messages appended to the conversation, a notice of
    what changed, and the forms' version moved past what it was shown (the draft stays put)."""
    after = clean.whole(request.GET.get("after"), minimum=0, maximum=2**63 - 1)
    seen = clean.whole(request.GET.get("seen"), minimum=0, maximum=2**63 - 1)
    if after is None or seen is None:
        return HttpResponseBadRequest("after and seen must be whole numbers")
    updates = selectors.ticket_updates(ticket_id=pk, after_message=after, seen=seen)
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
@work_queue
def ticket_note(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ticket: Ticket, data: dict) -> str:
        services.ticket_add_note(ticket=ticket, user=request.user, body=data["body"])
        return "Note added."

    return ticket_action(request, pk, NoteForm, "note", run)


@require_POST
@work_queue
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ticket: Ticket, data: dict) -> str:
        services.ticket_mark_replied(
            ticket=ticket, user=request.user, body=data["body"], link=data["link"], status=data["status"]
        )
        return f"Reply recorded on #{ticket.pk}."

    return ticket_action(request, pk, ReplyForm, "reply", run)


@require_POST
@work_queue
def ticket_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send from the desk. Not through `_action`: the platform is asked outside any transaction
    (services.replies says why), so the service does its own locking and version check."""
    from mentions.services.replies import SendFailed, SendStale

    obj = get_object_or_404(Ticket.objects.select_related("served_view"), pk=pk)
    served_view = obj.served_view if obj.served_to_id == request.user.pk else None
    form = SendReplyForm(request.POST)
    if not form.is_valid():
        return _render_ticket(request, selectors.ticket_detail(pk=pk), forms={"send": form}, status=400)
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
            seen=clean.whole(request.POST.get("seen"), minimum=0, maximum=2**63 - 1),
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        if isinstance(exc, SendFailed):
            # That press is used up: another one is a new send, with a new key.
            form.data = form.data.copy()
            form.data["token"] = uuid.uuid4().hex
        status = 409 if isinstance(exc, SendStale) else 400
        return _render_ticket(request, selectors.ticket_detail(pk=pk), forms={"send": form}, status=status)
    where = f": {reply.permalink}" if reply.permalink else ""
    messages.success(request, f"Reply sent as {reply.author_handle}{where}.")
    return _after_action(request, obj, served_view)


@require_POST
@work_queue
def ticket_status(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ticket: Ticket, data: dict) -> str:
        services.ticket_change_status(ticket=ticket, user=request.user, status=data["status"])
        return f"#{ticket.pk} is now {data['status']}."

    return ticket_action(request, pk, StatusForm, "status", run)


@require_POST
@work_queue
def ticket_macro(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ticket: Ticket, data: dict) -> str:
        macro = data["macro"]
        applied = services.macro_apply(
            ticket=ticket,
            user=request.user,
            macro=macro,
            link=data["link"],
            base_url=request.build_absolute_uri("/")[:-1],
        )
        for notice in applied.macro_notices:
            messages.warning(request, notice)
        return f"“{macro.name}” applied to #{ticket.pk}."

    return ticket_action(request, pk, MacroForm, "macro", run)


@require_POST
@work_queue
def ticket_presence(request: HttpRequest, pk: int) -> JsonResponse:
    """The open ticket page says it is still open (and whether its reply is being typed); the
    answer lists the others who have it open."""
    if not Ticket.objects.filter(pk=pk).exists():
        return JsonResponse({"others": []}, status=404)
    others = presence.presence_touch(
        ticket_id=pk,
        user=request.user,
        typing=request.POST.get("typing") == "1",
        leaving=request.POST.get("leaving") == "1",
    )
    return JsonResponse({"others": others})


@require_POST
@work_queue
def ticket_release(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ticket: Ticket, data: dict) -> str:
        services.ticket_release(ticket=ticket, user=request.user, reason=data["reason"])
        return f"#{ticket.pk} is back in the queue."

    return ticket_action(request, pk, ReleaseForm, "release", run, play_on=False)


@require_POST
@work_queue
def ticket_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ticket: Ticket, data: dict) -> str:
        services.ticket_reassign(ticket=ticket, user=request.user, to=data["assignee"])
        return f"#{ticket.pk} is now assigned to {data['assignee'].get_username()}."

    return ticket_action(request, pk, ReassignForm, "assign", run)


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


@require_POST
@work_queue
def ticket_priority(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ticket: Ticket, data: dict) -> str:
        changed = services.ticket_set_priority(ticket=ticket, user=request.user, priority=data["priority"])
        label = Ticket.Priority(data["priority"]).label.lower()
        return f"#{ticket.pk} is now {label} priority." if changed else f"#{ticket.pk} was {label} priority already."

    return ticket_action(request, pk, PriorityForm, "priority", run, play_on=False)


@require_POST
@work_queue
def ticket_tags(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ticket: Ticket, data: dict) -> str:
        added, removed = services.ticket_set_tags(ticket=ticket, user=request.user, names=data["tags"])
        said = [f"added {', '.join(added)}" if added else "", f"removed {', '.join(removed)}" if removed else ""]
        return f"Tags {' and '.join(s for s in said if s)}." if added or removed else "Tags unchanged."

    return ticket_action(request, pk, TagsForm, "tags", run, play_on=False)


@require_POST
@work_queue
def ticket_merge(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ticket: Ticket, data: dict) -> str:
        target = services.ticket_merge(
            source=ticket, target_id=data["target"], user=request.user, reason=data["reason"]
        )
        return f"#{ticket.pk} was merged into #{target.pk}."

    return ticket_action(request, pk, MergeForm, "merge", run)


@require_POST
@work_queue
def tickets_bulk(request: HttpRequest) -> HttpResponse:
    """Managers: one action on the tickets ticked in the list; back to the same list."""
    from mentions.services.bulk import Action, tickets_bulk

    form = BulkForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = ""
    back = back or reverse("mentions:tickets")
    ids = [i for i in (clean.whole(v, minimum=1, maximum=2**63 - 1) for v in request.POST.getlist("ticket")) if i]
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    try:
        result = tickets_bulk(user=request.user, ticket_ids=ids, action=form.cleaned_data["action"], value=form.value())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, result.describe(Action.done(form.cleaned_data["action"], form.value())))
    return redirect(back)
