"""Privacy on the person page (managers): everything held about a person as a JSON download, and erasing
them after typing their name (or ERASE) to confirm (people.privacy)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from people.models import Person
from people.privacy import person_erase, person_export
from people.views import manage_people

CONFIRM_WORD = "ERASE"


class EraseForm(forms.Form):
    confirm = forms.CharField(max_length=200, label="Type the person's name, or ERASE, to confirm")

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_confirm(self) -> str:
        typed = " ".join(self.cleaned_data["confirm"].split())
        if typed != CONFIRM_WORD and (not self.person.name or typed.casefold() != self.person.name.casefold()):
            raise forms.ValidationError(f"Type “{self.person.name or CONFIRM_WORD}” or {CONFIRM_WORD} to erase.")
        return typed


def privacy_context(request: HttpRequest, person: Person) -> dict[str, object]:
    return {"erase_form": EraseForm(person=person), "erase_word": CONFIRM_WORD}


@require_POST
@manage_people
def export(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    data = person_export(person=person, actor=request.user)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@manage_people
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    if person.erased_at:
        messages.info(request, "This person was erased already.")
        return redirect(person)
    form = EraseForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        erasure = person_erase(person=person, actor=request.user, via="page")
        total = sum(erasure.counts.values())
        messages.success(request, f"Erased: {total} rows emptied or changed. Their tickets stay in the reports.")
        return redirect(person)
    return render(request, "people/erase.html", {"person": person, "form": form, "erase_word": CONFIRM_WORD})
