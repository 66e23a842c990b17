"""The ticket page's "Involve an expert" panel (registered with mentions.ticket_page.panels in experts.apps) and its
two actions: ask an expert, decline an outreach."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from channels import clean
from channels.adapters.slack.client import slack_configured
from experts import services as expert_services
from experts.forms import ExpertSearchForm, OutreachDeclineForm, OutreachForm
from experts.models import Expert, Outreach
from experts.suggest import experts_search, experts_suggest
from mentions.models import Ticket
from mentions.ticket_page.panels import ticket_has
from mentions.views import form_action, ticket_action, work_queue

TEMPLATE = "experts/_outreach.html"


def outreach_panel(request: HttpRequest, obj: Ticket, forms: dict) -> dict:
    """The "Involve an expert" panel: suggestions, search, the prefilled ask, this ticket's outreaches."""
    search_form = ExpertSearchForm(request.GET or None)
    q = search_form.cleaned_data["expert_q"].strip() if search_form.is_valid() else ""
    outreach_form = forms.get("outreach")
    chosen = None
    if outreach_form is not None:
        posted_id = clean.whole(outreach_form.data.get("expert"), minimum=1, maximum=2**63 - 1)
        chosen = Expert.objects.filter(pk=posted_id).first() if posted_id else None
    elif expert_id := clean.whole(request.GET.get("expert"), minimum=1, maximum=2**63 - 1):
        chosen = Expert.objects.filter(pk=expert_id, active=True).prefetch_related("areas").first()
        if chosen is not None:
            outreach_form = OutreachForm(
                initial={
                    "expert": chosen.pk,
                    "channel": expert_services.outreach_channel_for(expert=chosen),
                    "message": expert_services.outreach_message_prefill(
                        ticket=obj, expert=chosen, advocate=request.user, base_url=request.build_absolute_uri("/")[:-1]
                    ),
                }
            )
    # Most tickets have none: the page read that with the ticket (mentions.ticket_page.panels, `rows`).
    has = ticket_has(obj, Outreach)
    outreaches = list(obj.outreaches.select_related("expert").order_by("-created_at", "-id")) if has else []
    return {
        "expert_suggestions": experts_suggest(ticket=obj, outreaches=outreaches),
        "ask_next": _ask_next(request, obj, outreaches),
        "expert_search_form": search_form,
        "expert_q": q,
        "expert_results": list(experts_search(q=q)[:10]) if q else [],
        "outreach_form": outreach_form,
        "slack_ready": slack_configured(),
        "outreach_expert": chosen,
        "outreaches": outreaches,
        "decline_form": forms.get("decline"),
    }


def _ask_next(request: HttpRequest, ticket: Ticket, outreaches: list[Outreach]) -> dict | None:
    """After a "Not me" (or a decline), or silence after the nudge (experts.nudge): the next
    suggested expert, nobody this ticket asked before (the one a "Not me" passed it to included), as a one-click
    ask (the usual message, prefilled)."""
    stalled = any(
        o.status == Outreach.Status.DECLINED or (o.status == Outreach.Status.SENT and o.silence_told_at)
        for o in outreaches
    )
    if not stalled:
        return None
    found = experts_suggest(ticket=ticket, outreaches=outreaches, exclude_asked=True, limit=1)
    if not found:
        return None
    expert = found[0].expert
    message = expert_services.outreach_message_prefill(
        ticket=ticket, expert=expert, advocate=request.user, base_url=request.build_absolute_uri("/")[:-1]
    )
    return {
        "suggestion": found[0],
        "channel": expert_services.outreach_channel_for(expert=expert),
        "message": message,
    }


@form_action(OutreachForm, "outreach")
def ticket_outreach(request: HttpRequest, ticket: Ticket, data: dict, seen: int) -> str:
    outreach = expert_services.outreach_send(
        ticket=ticket,
        expert=data["expert"],
        advocate=request.user,
        message=data["message"],
        channel=data["channel"],
        base_url=request.build_absolute_uri("/")[:-1],
        seen_version=seen,
    )
    if outreach.status == Outreach.Status.PENDING:
        messages.warning(request, f"{outreach.last_error}.")
        return ""
    return (
        f"Asked {outreach.expert.name} in {outreach.slack_channel}: {outreach.slack_permalink}. "
        "While you wait, consider a holding reply."
    )


@require_POST
@work_queue
def ticket_outreach_decline(request: HttpRequest, pk: int, outreach_id: int) -> HttpResponse:
    outreach = get_object_or_404(Outreach.objects.select_related("ticket", "expert"), pk=outreach_id, ticket_id=pk)

    def run(ticket: Ticket, data: dict, seen: int) -> str:
        expert_services.outreach_decline(
            outreach=outreach, advocate=request.user, reason=data["reason"], seen_version=seen
        )
        return f"Outreach to {outreach.expert.name} declined."

    return ticket_action(request, pk, OutreachDeclineForm, "decline", run)
