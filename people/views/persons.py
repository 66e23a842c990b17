"""The person page: who someone is across platforms, and the sections other parts of people add."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from people.models import Person
from people.sections import person_sections
from people.views import read_people


@require_GET
@read_people
def person(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Person.objects.prefetch_related("identities", "tags"), pk=pk)
    sections, section_context = person_sections(request, found)
    return render(request, "people/person.html", {"person": found, "sections": sections, **section_context})
