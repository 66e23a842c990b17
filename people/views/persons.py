"""The person page and the people list: who someone is across platforms, their whole history, what may be
the same person, and the sections other parts of people add."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from channels import clean
from mentions.search.tickets import MAX_PAGE
from people.forms import MergeForm, PersonForm, TagForm
from people.journey.recognition import activities_weighed
from people.models import Person, PersonTag
from people.sections import person_sections
from people.selectors import identities_seen, likenesses, people_first, people_list, person_events, person_history
from people.views import read_people

MERGE_SEARCH_RESULTS = 10
ACTIVITIES_SHOWN = 10  # the contributor journey's latest, on the person page


def person_loaded(pk: int) -> Person:
    return get_object_or_404(Person.objects.select_related("level").prefetch_related("identities", "tags"), pk=pk)


def person_page(
    request: HttpRequest, found: Person, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """The person page; `forms` are the actions' bound forms when one came back with errors (shown beside
    their controls)."""
    forms = forms or {}
    manager = request.user.has_perm("people.manage_people")
    merge_q = (request.GET.get("merge_q") or "").strip()[:100]
    merge_results = (
        list(
            people_first(merge_q, stop=MERGE_SEARCH_RESULTS, leave_out=found.pk).prefetch_related("identities")[
                :MERGE_SEARCH_RESULTS
            ]
        )
        if manager and merge_q
        else []
    )
    sections, section_context = person_sections(request, found)
    identities = identities_seen(list(found.identities.all()))
    context = {
        "person": found,
        "identities": identities,
        "person_tags": list(found.tags.all()),
        "activities": activities_weighed(found.pk, ACTIVITIES_SHOWN),
        "edit_form": forms.get("edit") or PersonForm(instance=found),
        "tag_form": forms.get("tag") or TagForm(),
        "tag_choices": [t for t in PersonTag.objects.all() if t not in found.tags.all()],
        "likenesses": likenesses(found, identities),
        "history": person_history(found, request.GET.get("page")),
        "events": person_events(found, manager=request.user.has_perm("people.manage_people")),
        "manager": manager,
        "merge_form": forms.get("merge") or MergeForm(),
        "merge_q": merge_q,
        "merge_results": merge_results,
        "split_form": forms.get("split"),
        "likeness_error": forms.get("likeness_error"),
        "sections": sections,
        **section_context,
    }
    return render(request, "people/person.html", context, status=status)


@require_GET
@read_people
def person(request: HttpRequest, pk: int) -> HttpResponse:
    return person_page(request, person_loaded(pk))


@require_GET
@read_people
def people(request: HttpRequest) -> HttpResponse:
    """Everyone the desk has met, found by name, handle or address and filtered by tag."""
    q = (request.GET.get("q") or "").strip()[:100]
    tags = list(PersonTag.objects.all())
    tag_id = clean.whole(request.GET.get("tag"), minimum=1, maximum=2**63 - 1)
    tag = next((t for t in tags if t.pk == tag_id), None)
    page = people_list(q=q, tag=tag, page=clean.whole(request.GET.get("page"), minimum=1, maximum=MAX_PAGE) or 1)
    return render(request, "people/list.html", {"q": q, "tags": tags, "tag": tag, "page": page})
