"""The Community page's "Check a sample" (metrics.community.checks): a judged mention of the range drawn at random,
read by a manager, who says how it feels and what it is before seeing what the desk said."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from mentions.models import Intent, Sentiment, Ticket
from metrics.community.checks import check_draw, check_figures, check_record
from metrics.community.counted import counted_requested
from metrics.forms import CommunityFilterForm
from metrics.product_scope import product_narrowed

view_dashboards = permission_required("mentions.view_dashboards", raise_exception=True)


def _first_message(ticket: Ticket | None) -> object:
    return ticket.messages.order_by("platform_created_at", "pk").first() if ticket is not None else None


@require_http_methods(["GET", "POST"])
@view_dashboards
def community_check(request: HttpRequest) -> HttpResponse:
    form = CommunityFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "metrics/community_check.html", {"form": form}, status=400)
    filters, status = form.filters, 200
    done = ticket = None
    errors: dict[str, list[str]] = {}
    said = {"sentiment": "", "intent": ""}
    with product_narrowed(form.product_id):
        if request.method == "POST":
            said = {key: request.POST.get(key, "") for key in said}
            # Only a mention of the range the form names: a stale or hand-made id is refused, not recorded.
            posted = request.POST.get("ticket", "").strip()
            ticket = counted_requested(**filters).filter(pk=int(posted)).first() if posted.isdigit() else None
            if ticket is None:
                errors["ticket"] = ["That mention is not one of this range's: here is another."]
            else:
                try:
                    done = check_record(ticket=ticket, user=request.user, **said)
                except ValidationError as error:
                    errors, status = error.message_dict, 400
            if not errors or "ticket" in errors:
                ticket = None
        ticket = ticket or check_draw(**filters)
        figures = check_figures(**filters)
    return render(
        request,
        "metrics/community_check.html",
        {
            "form": form,
            "start": filters["start"],
            "end": filters["end"],
            "ticket": ticket,
            "message": _first_message(ticket),
            "done": done,
            "errors": errors,
            "said": said,
            "figures": figures,
            "sentiments": Sentiment.choices,
            "intents": Intent.choices,
        },
        status=status,
    )
