"""The person page's actions: each a small POST view that changes one thing through people.services and
goes back to the page (or shows it again with the form's errors beside its control)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from people import services
from people.forms import MergeForm, PersonForm, SplitForm, TagForm
from people.models import Person, PersonTag
from people.selectors import likeness_of, merge_said
from people.views import manage_people, read_people
from people.views.persons import person_loaded, person_page


def _gone(request: HttpRequest, error: services.PersonGone) -> HttpResponse:
    """A person this action named was merged away meanwhile: on to who they are now, if known."""
    messages.info(request, error.messages[0])
    if error.merged_into:
        return redirect("people:person", error.merged_into)
    return redirect("people:list")


def _person_or_gone(request: HttpRequest, pk: int) -> Person | HttpResponse:
    """The person an action is on, or, when they were merged away meanwhile (two people acting on the same
    pair at once), the way on to who they are now rather than an error page."""
    try:
        return person_loaded(pk)
    except Http404:
        merged_into = services.merged_into(pk)
        if merged_into is None:
            raise
        return _gone(request, services.PersonGone(pk, merged_into))


def _on_person(permission: Callable = read_people) -> Callable:
    """A person page's POST, for those with `permission` (the queue's by default): the action's person in place of
    its `pk`, or, when they were merged away meanwhile, the way on."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @require_POST
        @permission
        @wraps(view)
        def wrapped(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
            found = _person_or_gone(request, pk)
            if isinstance(found, HttpResponse):
                return found
            return view(request, found, **kwargs)

        return wrapped

    return decorate


@_on_person()
def person_edit(request: HttpRequest, found: Person) -> HttpResponse:
    form = PersonForm(request.POST, instance=Person.objects.get(pk=found.pk))
    if not form.is_valid():
        return person_page(request, found, {"edit": form}, status=400)
    try:
        changed = services.person_edit(person=found, actor=request.user, changes=form.cleaned_data)
    except services.PersonGone as error:
        return _gone(request, error)
    messages.success(request, f"Saved: {', '.join(changed)}." if changed else "Nothing changed.")
    return redirect(found)


@_on_person()
def person_tag_add(request: HttpRequest, found: Person) -> HttpResponse:
    form = TagForm(request.POST)
    if not form.is_valid():
        return person_page(request, found, {"tag": form}, status=400)
    services.person_tag_add(person=found, tag=form.cleaned_data["tag"], actor=request.user)
    return redirect(found)


@_on_person()
def person_tag_remove(request: HttpRequest, found: Person, tag_id: int) -> HttpResponse:
    services.person_tag_remove(person=found, tag=get_object_or_404(PersonTag, pk=tag_id), actor=request.user)
    return redirect(found)


@_on_person()
def likeness_confirm(request: HttpRequest, found: Person, other_id: int) -> HttpResponse:
    """ "Same person": the suggested other person is merged into this one. Advocates may do this only for a
    likeness the page suggests; any other merge is a manager's."""
    if likeness_of(found, other_id) is None and not request.user.has_perm("people.manage_people"):
        raise PermissionDenied("Only a suggested likeness can be confirmed.")
    other = get_object_or_404(Person, pk=other_id)
    said = merge_said(source=other, into=found)
    try:
        services.person_merge(source=other, into=found, actor=request.user)
    except services.PersonGone as error:
        return _gone(request, error)
    except ValidationError as error:
        return person_page(request, found, {"likeness_error": error.messages[0]}, status=409)
    messages.success(request, said)
    return redirect(found)


@_on_person()
def likeness_dismiss(request: HttpRequest, found: Person, other_id: int) -> HttpResponse:
    services.likeness_dismiss(person=found, other=get_object_or_404(Person, pk=other_id), actor=request.user)
    return redirect(found)


@_on_person(manage_people)
def person_merge(request: HttpRequest, found: Person) -> HttpResponse:
    """Merge this person into another (a manager's: any two people, not only suggested ones)."""
    form = MergeForm(request.POST)
    if not form.is_valid():
        return person_page(request, found, {"merge": form}, status=400)
    into = Person.objects.filter(pk=form.cleaned_data["into"]).first()
    if into is None:
        # Merged away a moment ago (another manager merged the pair the other way round), or never there.
        went = services.merged_into(form.cleaned_data["into"])
        if went is not None:
            form.add_error("into", services.PersonGone(form.cleaned_data["into"], went).messages[0])
            return person_page(request, found, {"merge": form}, status=409)
        form.add_error("into", f"There is no person {form.cleaned_data['into']}.")
        return person_page(request, found, {"merge": form}, status=400)
    said = merge_said(source=found, into=into)
    try:
        services.person_merge(source=found, into=into, actor=request.user)
    except services.PersonGone as error:
        if error.person_id == found.pk:  # this person was merged away: their page is gone
            return _gone(request, error)
        form.add_error("into", error.messages[0])
        return person_page(request, found, {"merge": form}, status=409)
    except ValidationError as error:
        form.add_error("into", error.messages[0])
        return person_page(request, found, {"merge": form}, status=400)
    messages.success(request, said)
    return redirect(into)


@_on_person(manage_people)
def person_split(request: HttpRequest, found: Person) -> HttpResponse:
    """Split the chosen identities off to a new person."""
    form = SplitForm(request.POST, person=found)
    if not form.is_valid():
        return person_page(request, found, {"split": form}, status=400)
    try:
        new = services.person_split(person=found, identity_ids=form.cleaned_data["identities"], actor=request.user)
    except services.PersonGone as error:
        return _gone(request, error)
    except ValidationError as error:
        form.add_error("identities", error.messages[0])
        return person_page(request, found, {"split": form}, status=400)
    messages.success(request, f"Split off to a new person: {new}.")
    return redirect(found)
