"""A refused form of a person page section, kept for the page's next answer (post, redirect, get).

The section's form posts to its own view; when it is refused, what was typed and why is kept in the session
and the browser goes back to the person page (303), whose section shows the form bound to it with the errors
beside the control. Taken once, and only by the page of the person it was posted for.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.http import HttpRequest, HttpResponseRedirect

SESSION_KEY = "people-refused"
F = TypeVar("F", bound=forms.Form)


def refused_keep(request: HttpRequest, *, person_id: int, key: str, data: Any, errors: list[str]) -> None:
    kept = {name: data.get(name) for name in data if name != "csrfmiddlewaretoken"} if data is not None else {}
    request.session[SESSION_KEY] = {"person": person_id, "key": key, "data": kept, "errors": errors}


def refused_take(request: HttpRequest, *, person_id: int, key: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The data and errors kept for this person's `key` form, taken out of the session; (None, []) if none."""
    entry = request.session.get(SESSION_KEY)
    if not entry or entry.get("person") != person_id or entry.get("key") != key:
        return None, []
    del request.session[SESSION_KEY]
    return entry.get("data") or {}, [str(e) for e in entry.get("errors") or []]


def refused_key(request: HttpRequest, *, person_id: int) -> str:
    """Which of this person's forms was refused last ("" if none), for sections with one form per row."""
    entry = request.session.get(SESSION_KEY) or {}
    return str(entry.get("key", "")) if entry.get("person") == person_id else ""


def form_kept_or_new(request: HttpRequest, form_class: type[F], *, person_id: int, key: str, **new: Any) -> F:
    """The form as it was refused (bound, with its errors), or a new one with `new` as its initial values."""
    data, errors = refused_take(request, person_id=person_id, key=key)
    if data is None:
        return form_class(initial=new)
    form = form_class(data)
    if form.is_valid():  # refused by the service, not the form: its reasons go above the fields
        for error in errors:
            form.add_error(None, error)
    return form


def back_to(url: str, anchor: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(f"{url}#{anchor}")
    response.status_code = 303  # the browser GETs the page: a reload never posts again
    return response
