"""The queue, the ticket list and its searches, Play, bulk actions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from access.requests import HtmxRequest
from channels import clean
from channels.attention import channels_stalled
from channels.models import Channel
from mentions import selectors, services
from mentions.forecast.reads import forecasts_attach
from mentions.forms import (
    BulkForm,
    SavedSearchForm,
    TicketFilterForm,
)
from mentions.live import CSRF_SLOT, fragment_cached, live, stamped
from mentions.models import Intent, Judgement, Sentiment, Ticket, View
from mentions.narrowing import PARAM, product_asked, product_param, product_switch
from mentions.products import desk_products
from mentions.queue.blocks import queue_blocks
from mentions.queue.row_marks import row_marks_attach
from mentions.search import tickets as search
from mentions.search.blocks import search_blocks
from mentions.search.text import JUDGEMENT_MORE
from mentions.services.approvals import approvals_waiting
from mentions.services.play import ticket_served
from mentions.views.access import work_queue

# The product Play was last pressed for (issue 71), in the session: the tickets it serves after each submit stay
# that product's; "" for every product.
PLAY_PRODUCT_KEY = "play_product"
APPROVALS_LISTED = 20  # the queue's line of replies waiting for approval names at most these, oldest first


@live(clock=True)
@require_GET
@work_queue
def queue(request: HtmxRequest) -> HttpResponse:
    """The views with their counts and My tickets; its live part refreshes itself (htmx)."""
    order = _order(request)
    now = timezone.now()
    user = request.user
    # Narrowed to a product (issue 71): the views' counts, forecast and Play; My tickets stay whole (they are yours
    # to finish whatever the product) with each row's product marked.
    product = product_asked(request.GET.get(PARAM))
    narrowing = product_param(product)
    context = {
        # Both tables are rendered once per change stamp and minute (mentions/live.py): the views'
        # figures for everyone, My tickets for each user; the 50 rows of relative times and
        # first-reply clocks were most of the page's time.
        "views_table": fragment_cached(
            request,
            name="queue-views",
            vary=narrowing,
            csrf=True,
            render=lambda: render_to_string(
                "mentions/_queue_views.html",
                {
                    "summaries": forecasts_attach(
                        selectors.queue_summary(product_id=product.pk if product else None), now=now
                    ),
                    "product_param": narrowing,
                    "snoozed": selectors.snoozed_count(product_id=product.pk if product else None),
                    # Replies waiting for an advocate's approval, each a link to its ticket (one query).
                    "approvals": approvals_waiting(limit=APPROVALS_LISTED, product_id=product.pk if product else None),
                    "approvals_listed": APPROVALS_LISTED,
                    "now": now,
                    "csrf_token": CSRF_SLOT,
                },
            ),
        ),
        "mine_table": fragment_cached(
            request,
            name="queue-mine",
            vary=f"{user.pk}|{order}",
            render=lambda: render_to_string(
                "mentions/_queue_mine.html",
                {
                    # The marks of the people who opened them (mentions/queue/row_marks.py): one query for the table.
                    "my_tickets": row_marks_attach(selectors.tickets_of_user(user=user, order=order)),
                    "now": now,
                    "followup_minutes": settings.DESK_FOLLOWUP_RETURN_MINUTES,
                },
            ),
        ),
        "served": stamped(request, name="served", vary=str(user.pk), compute=lambda: ticket_served(user=user)),
        # What other apps show above the views (mentions/queue/blocks.py): stories with tickets waiting, the same for
        # everyone who works the queue, so rendered once per change stamp and minute as the tables are (half of the
        # queue's CPU was the stories block, on every view). A story's own change with no ticket's shows within
        # the minute, as the live refresh, which answers 304 until the stamp or the minute moves, shows it. Narrowed to
        # a product, the block is that product's (its stories, its tickets waiting): kept apart by the narrowing.
        "queue_blocks": fragment_cached(
            request,
            name="queue-blocks",
            vary=narrowing,
            render=lambda: "".join(queue_blocks(product_id=product.pk if product else None)),
        ),
        "order": order,
        "product_param": narrowing,
    }
    if request.htmx:
        return render(request, "mentions/_queue_live.html", context)
    return render(
        request,
        "mentions/queue.html",
        {
            **context,
            # Narrowed, the product's release advocate first (issue 71).
            "duty": selectors.duty_today(today=now.date(), product_id=product.pk if product else None),
            # Not cached: a channel failing must show at once, and it is one query whatever their number.
            "stalled_channels": channels_stalled(now=now),
            "can_configure_channels": user.is_staff and user.has_perm("channels.change_channel"),
            "saved_searches": services.saved_searches_of(user=request.user),
            "product_switch": product_switch(request.GET, product),
        },
    )


def _order(request: HttpRequest) -> str:
    return selectors.ORDER_TIME_LEFT if request.GET.get("order") == selectors.ORDER_TIME_LEFT else ""


@live(clock=True)
@require_GET
@work_queue
def ticket_index(request: HtmxRequest) -> HttpResponse:
    """Every ticket, searched and filtered; its results refresh themselves (htmx)."""
    # Every parameter goes through the form's cleaners: "²".isdigit() is True but int("²")
    # raises, a NUL in ?q= cannot reach PostgreSQL; either was a 500. Bad values are dropped
    # and named on the page.
    form = TicketFilterForm(request.GET)
    query = form.ticket_query(user=request.user)
    query_string = form.query_string()
    can_tick = request.user.has_perm("mentions.manage_all_tickets")

    def results() -> str:
        page = search.ticket_search(query)
        # The marks of the people who opened them (mentions/queue/row_marks.py): one query for the page.
        page.tickets = row_marks_attach(page.tickets)
        return render_to_string(
            "mentions/_ticket_rows.html",
            {
                "page": page,
                # What else the words find (people, mentions/search/blocks.py), above the first page's tickets.
                "search_blocks": search_blocks(query.q) if query.has_text and query.page == 1 else [],
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
                "ranked_search": search.search_ranks(),
                "statuses": Ticket.Status.choices,
                "priorities": Ticket.Priority.choices,
                "judgements": [*Judgement.choices, *JUDGEMENT_MORE],
                "intents": Intent.choices,
                "sentiments": Sentiment.choices,
                "products": desk_products(),  # its choice shown from the second product on (issue 71)
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
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
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
    # Pressed on the queue narrowed to a product: that product's tickets only (the form's action keeps ?product=).
    # Kept in the session so the tickets Play serves next, after each submit, stay that product's.
    product = product_asked(request.GET.get(PARAM))
    if request.session.get(PLAY_PRODUCT_KEY, "") != (product.slug if product else ""):
        request.session[PLAY_PRODUCT_KEY] = product.slug if product else ""
    return serve_next(request, view)


def serve_next(request: HttpRequest, view: View) -> HttpResponse:
    """The next ticket of `view` for the user, narrowed to the product Play was last pressed for."""
    product = product_asked(request.session.get(PLAY_PRODUCT_KEY))
    narrowed = selectors.view_narrowed(view, product.pk if product else None)
    ticket = services.ticket_claim_next(view=narrowed, user=request.user) if narrowed is not None else None
    if ticket is None:
        where = f"“{view.name}”" + (f" for {product.name}" if product else "")
        messages.info(request, f"Nothing is waiting in {where}.")
        back = reverse("mentions:queue")
        return redirect(f"{back}?{product_param(product)}" if product else back)
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
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    try:
        result = tickets_bulk(user=request.user, ticket_ids=ids, action=form.cleaned_data["action"], value=form.value())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, result.describe(Action.done(form.cleaned_data["action"], form.value())))
    return redirect(back)
