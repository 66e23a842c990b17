"""The ticket page's actions answered in place (htmx), and the panels loaded after the page.

An action sent by htmx is answered with a fragment: on an error, the error for the slot beside the
control that sent it (the page's forms and focus stay as they were); on success, the result for that
slot and, swapped out of band, what the action changed (the facts column, the conversation, the
history) plus the forms' new version (`ticketSeen`). When the action moves Play on, the browser is
sent to the next ticket (HX-Redirect). Without JavaScript the same views answer with a redirect: to the
ticket page showing the refused form with its errors, or where the action leads.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from mentions import selectors
from mentions.models import Ticket
from mentions.permissions.private_messages import private_messages_readable
from mentions.services import versions
from mentions.ticket_page.facts_panel import FACT_KEYS  # the actions whose answer is the facts, whole
from mentions.ticket_page.panels import later_panels, panel_context, panel_find
from mentions.views.access import ticket_open
from mentions.views.refused import refused_redirect


def from_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (django-htmx's middleware sets `request.htmx` on every request;
    the actions are typed as plain requests because other apps' views call them)."""
    return bool(getattr(request, "htmx", False))


def action_failed(request: HttpRequest, pk: int, key: str, form, status: int) -> HttpResponse:
    """A refused action: beside its control (htmx), or, without JavaScript, the ticket page again
    with the form as posted and its errors (post, redirect, get: views/refused.py)."""
    if from_htmx(request):
        response = render(request, "mentions/_action_result.html", {"key": key, "form": form}, status=status)
        response["HX-Retarget"] = f"#result-{key}"  # whatever the form's target, the error goes beside it
        response["HX-Reswap"] = "outerHTML"
        return response
    return refused_redirect(request, pk, key, form)


def action_refused(
    request: HttpRequest, pk: int, key: str, form, exc: Exception, *, cannot: str = "You cannot do this here."
) -> HttpResponse:
    """An action its service refused, the reason on the form (`action_failed`): a stale form 409
    (versions.TicketStale), any other ValidationError 400. A PermissionDenied without JavaScript is the 403 page (a
    form the page did not offer: its control is not shown); in place, the reason (the outward policy's, or the ticket
    not being theirs; `cannot` when it gives none) goes beside the control, 403."""
    if isinstance(exc, PermissionDenied):
        if not from_htmx(request):
            raise exc
        form.add_error(None, str(exc) or cannot)
        return action_failed(request, pk, key, form, 403)
    form.add_error(None, exc)
    return action_failed(request, pk, key, form, 409 if isinstance(exc, versions.TicketStale) else 400)


def action_done(request: HttpRequest, key: str, answer: HttpResponse) -> HttpResponse:
    """A done action: `answer` is what the page without JavaScript gets (a redirect). With htmx,
    staying on the same ticket is answered in place, going anywhere else by sending the browser there."""
    if not from_htmx(request):
        return answer
    location = answer.get("Location", "")
    pk = request.resolver_match.kwargs.get("pk") if request.resolver_match else None
    if pk is None or location != Ticket(pk=pk).get_absolute_url():
        return HttpResponseClientRedirect(location)
    from mentions.views.ticket import ticket_page_context

    obj = selectors.ticket_detail(pk=pk, private=private_messages_readable(request.user))
    # The facts and history are swapped in too; no other panel.
    context = ticket_page_context(request, obj, {}, everything=True, panels=False)
    context.update(
        key=key,
        done_key=key,
        done=[str(m) for m in messages.get_messages(request)],  # said here, not on the next page
        fact_keys=FACT_KEYS,
    )
    response = render(request, "mentions/_ticket_acted.html", context)
    # Its result goes beside its control, whichever form sent it: the macro picker's Apply posts the
    # composer's form, whose own target is the send button's slot. The facts' slots are inside the facts,
    # which are answered whole.
    response["HX-Retarget"] = "#ticket-facts" if key in FACT_KEYS else f"#result-{key}"
    trigger_client_event(response, "ticketSeen", {"version": versions.ticket_version(obj)})
    return response


@require_GET
@ticket_open
def ticket_panel(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One side panel of the ticket page on its own: a folded one, when its fold is opened."""
    panel = panel_find(name)
    if panel is None:
        return HttpResponse(status=404)
    try:
        obj = selectors.ticket_detail(pk=pk, panels=True, private=private_messages_readable(request.user))
    except Ticket.DoesNotExist:
        return HttpResponse(status=404)
    context = {"ticket": obj, "ticket_version": versions.ticket_version(obj), **panel_context(panel, request, obj, {})}
    return render(request, panel.template, context)


@require_GET
@ticket_open
def ticket_panels_later(request: HttpRequest, pk: int) -> HttpResponse:
    """The ticket page's deferred panels (mentions.ticket_page.panels: the slow ones, such as the earlier answers), all
    in the one request the page makes after its first answer; it replaces their slot (#panel-later)."""
    try:
        private = private_messages_readable(request.user)
        obj = selectors.ticket_detail(pk=pk, panels=True, conversation=False, private=private)
    except Ticket.DoesNotExist:
        return HttpResponse(status=404)
    templates, context = later_panels(request, obj)
    context.update(ticket=obj, ticket_version=versions.ticket_version(obj), later_templates=templates)
    return render(request, "mentions/_panels_later.html", context)
