"""The person page's contributions and gifts sections (their context and their actions), the gifts to send,
and the contributors page with its CSV.

Advocates log contributions; gifts and the contributors page are the managers' (people.manage_people).
Every action posts, then sends the browser back to the person page (a refused form comes back with its errors
beside the control, people.views.kept).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from advocacy.csv_cells import csv_lines
from channels import clean
from mentions.search.tickets import MAX_PAGE
from people import contributions as services
from people.contrib_forms import ContributionForm, ContributorsFilter, GiftForm, GiftStateForm
from people.contributors import CSV_HEADER, KINDS, contributors_all, contributors_paged, csv_rows
from people.models import Contribution, DiscountCode, Gift, Person
from people.views import manage_people, read_people
from people.views.kept import back_to, form_kept_or_new, refused_keep, refused_key, refused_take

SHOWN = 50  # contributions listed on the person page, newest first


def contributions_section(request: HttpRequest, person: Person) -> dict[str, Any]:
    """people/_contributions.html: the contributions, the form to log one, and the discount code the
    advocate gave this person (the codes' lists are the managers', in the gifts and codes section)."""
    _, code_errors = refused_take(request, person_id=person.pk, key="code")
    return {
        "contributions": list(person.contributions.all()[:SHOWN]),
        "contribution_form": form_kept_or_new(
            request, ContributionForm, person_id=person.pk, key="contribution", date=timezone.localdate()
        ),
        "codes_you_gave": list(
            DiscountCode.objects.filter(person=person, given_by=request.user.pk)
            .select_related("batch")
            .order_by("-given_at")[:5]
        ),
        "code_errors": code_errors,
    }


def gifts_codes_section(request: HttpRequest, person: Person) -> dict[str, Any]:
    """people/_gifts_codes.html (managers): the gifts with their state forms, and every code given."""
    gift_state_errors: dict[int, list[str]] = {}
    key = refused_key(request, person_id=person.pk)
    if key.startswith("gift-") and key.removeprefix("gift-").isdigit():
        _, errors = refused_take(request, person_id=person.pk, key=key)
        gift_state_errors[int(key.removeprefix("gift-"))] = errors
    gifts = list(person.gifts.select_related("sent_by"))
    for gift in gifts:
        gift.state_errors = gift_state_errors.get(gift.pk, [])  # type: ignore[attr-defined]
    return {
        "gifts": gifts,
        "gift_states": Gift.State.choices,
        "gift_form": form_kept_or_new(request, GiftForm, person_id=person.pk, key="gift"),
        "person_codes": list(person.codes.select_related("batch", "given_by").order_by("-given_at", "-id")),
    }


def _posted(request: HttpRequest, person: Person, form: Any, key: str, anchor: str, run: Callable[[dict], str],
            invalid: str = "") -> HttpResponse:  # fmt: skip
    """A section's form: `run(data)` calls the service and says what it did; refused, the form is kept with its
    errors for the page (people.views.kept; `invalid`: the words kept for a form that does not validate, else the
    page shows its fields' errors). Either way back to the person page, at `anchor`."""
    if form.is_valid():
        try:
            messages.success(request, run(form.cleaned_data))
            return back_to(person.get_absolute_url(), anchor)
        except ValidationError as exc:
            kept = said = exc.messages
    else:
        kept = [invalid] if invalid else []
        said = kept or [str(e) for field_errors in form.errors.values() for e in field_errors]
    refused_keep(request, person_id=person.pk, key=key, data=request.POST, errors=kept)
    messages.error(request, "Not done: " + " ".join(said))
    return back_to(person.get_absolute_url(), anchor)


@require_POST
@read_people
def contribution_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(data: dict) -> str:
        services.contribution_add(
            person=person, kind=data["kind"], on=data["date"], title=data["title"], link=data["link"], user=request.user
        )
        return f"{Contribution.Kind(data['kind']).label} logged."

    person = get_object_or_404(Person, pk=pk)
    return _posted(request, person, ContributionForm(request.POST), "contribution", "contributions", run)


@require_POST
@manage_people
def gift_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(data: dict) -> str:
        gift = services.gift_add(
            person=person, item=data["item"], postal_address=data["postal_address"], user=request.user
        )
        return f"Gift “{gift.item}” recorded as requested."

    person = get_object_or_404(Person, pk=pk)
    return _posted(request, person, GiftForm(request.POST), "gift", "gifts", run)


@require_POST
@manage_people
def gift_state(request: HttpRequest, pk: int, gift_pk: int) -> HttpResponse:
    def run(data: dict) -> str:
        changed = services.gift_state_set(gift=gift, state=data["state"], user=request.user)
        return f"“{changed.item}” is now {changed.get_state_display().lower()}."

    gift = get_object_or_404(Gift.objects.select_related("person"), pk=gift_pk, person_id=pk)
    key = f"gift-{gift.pk}"
    return _posted(request, gift.person, GiftStateForm(request.POST), key, key, run, invalid="Choose a state.")


@require_GET
@manage_people
def gifts(request: HttpRequest) -> HttpResponse:
    """The gifts still to send (requested or ordered), oldest first, with their addresses."""
    waiting = (
        Gift.objects.filter(state__in=[Gift.State.REQUESTED, Gift.State.ORDERED])
        .select_related("person", "sent_by")
        .order_by("created_at", "id")
    )
    return render(request, "people/gifts.html", {"gifts": waiting})


def _since(request: HttpRequest) -> tuple[ContributorsFilter, date | None]:
    form = ContributorsFilter(request.GET or None)
    return form, form.cleaned_data["since"] if form.is_valid() else None


@require_GET
@manage_people
def contributors_page(request: HttpRequest) -> HttpResponse:
    form, since = _since(request)
    page = contributors_paged(since=since, page=clean.whole(request.GET.get("page"), minimum=1, maximum=MAX_PAGE) or 1)
    return render(
        request,
        "people/contributors.html",
        {
            "filter_form": form,
            "page": page,
            "kinds": KINDS,
            "since": since.isoformat() if since else "",
            "query": urlencode({"since": since.isoformat()}) if since else "",
        },
    )


@require_GET
@manage_people
def contributors_csv(request: HttpRequest) -> StreamingHttpResponse:
    _, since = _since(request)
    response = StreamingHttpResponse(
        csv_lines(CSV_HEADER, csv_rows(contributors_all(since=since))), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="contributors.csv"'
    return response
