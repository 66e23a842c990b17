"""A view's list: what waits in a saved view, in the order Play serves it (sure noise last, issue 68), with its Play
button and the bulk form. The Noise view is reviewed here in bulk: tick all, solve."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from access.requests import HtmxRequest
from channels import clean
from mentions import selectors
from mentions.forms import BulkForm
from mentions.live import fragment_cached, live
from mentions.models import Ticket, View
from mentions.models.play_order import NOISE_HELD_AT
from mentions.narrowing import PARAM, product_asked, product_param
from mentions.queue.row_marks import row_marks_attach
from mentions.search.tickets import MAX_PAGE, page_of
from mentions.services.bulk import Action
from mentions.views.access import work_queue


@live(clock=True)
@require_GET
@work_queue
def view_list(request: HtmxRequest, slug: str) -> HttpResponse:
    """The view's waiting tickets, Play's order, a page at a time; its results refresh themselves (htmx)."""
    view = get_object_or_404(View, slug=slug, is_active=True)
    # Opened from the queue narrowed to a product (issue 71): that product's tickets, in Play's order.
    product = product_asked(request.GET.get(PARAM))
    narrowing = product_param(product)
    narrowed = selectors.view_narrowed(view, product.pk if product else None)
    number = clean.whole(request.GET.get("page"), minimum=1, maximum=MAX_PAGE) or 1
    noise = view.noise_only
    # Managers get every bulk action (mentions.services.bulk), as on the ticket list. Every advocate may solve
    # unassigned tickets one at a time, so on a view of noise they may tick them to solve them together; elsewhere
    # a list of what needs answers offers no one-press solving.
    manager = request.user.has_perm("mentions.manage_all_tickets")
    can_tick = manager or noise

    def results() -> str:
        waiting = selectors.view_waiting(narrowed) if narrowed is not None else Ticket.objects.none()
        page = page_of(waiting, number)
        page.tickets = row_marks_attach(page.tickets)
        return render_to_string(
            "mentions/_ticket_rows.html",
            {"page": page, "query_string": narrowing, "can_tick": can_tick, "play_order": True, "now": timezone.now()},
        )

    # The same view and page at the same moment is the same HTML for everyone (mentions/live.py); the view's own
    # changes move the change stamp too (mentions_view is watched).
    vary = f"{view.pk}|{number}|{can_tick}|{narrowing}"
    context = {"results": fragment_cached(request, name="view-list", vary=vary, render=results)}
    if request.htmx:
        return render(request, "mentions/_ticket_results.html", context)
    initial = {"next": request.get_full_path()}
    if noise:
        initial |= {"action": Action.STATUS, "status": Ticket.Status.SOLVED}
    return render(
        request,
        "mentions/view_list.html",
        {
            **context,
            "view": view,
            "product": product,
            "product_param": narrowing,
            "noise_only": noise,
            "held_at": f"{NOISE_HELD_AT:.0%}".replace("%", "\u00a0%"),  # "90 %", never split at a line end
            "bulk_form": BulkForm(initial=initial) if manager else None,
            "can_tick": can_tick,
            "solve_next": initial["next"],
        },
    )
