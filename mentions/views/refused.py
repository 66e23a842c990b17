"""A refused action without JavaScript: post, redirect, get.

The page without JavaScript posts an action's form; when the action is refused, its form (what was
typed, and why it was refused) is kept in the session and the browser is sent back to the ticket's
own address (303), where the page shows the form as it was posted with its errors beside the control.
The address never stays on the action's POST URL, so reloading the page does not post the form again
and the back button goes where the advocate expects.

Kept per ticket and taken once: the next view of that ticket shows it, later views don't.
"""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.utils.module_loading import import_string

from mentions.models import Ticket

logger = logging.getLogger(__name__)

SESSION_KEY = "refused-actions"
# Only the ticket page's action forms are rebuilt from the session, never a class a stored name picks.
FORM_MODULES = ("mentions.forms.", "experts.forms.", "notifications.forms.", "stories.issues.forms.")
# The controls whose result slot every viewer of the ticket page has; the others (release and reassign
# for some people only, skip only in Play, an outreach's decline) are also said at the top of the page,
# so a refusal is never sent to a slot the page does not show.
SLOTS_ALWAYS_SHOWN = frozenset(
    {
        "send",
        "reply",
        "note",
        "macro",
        "status",
        "priority",
        "tags",
        "merge",
        "outreach",
        "share",
        "answers",
        "story",
        "issue",
    }
)
# The buttons that post the composer's own form elsewhere (formaction): the macro picker's Apply, the side
# panels' Insert buttons (answers, a story's answer) and the team model's draft's. Refused, the reply box's text
# they carried is shown again.
COMPOSER_POSTS = ("macro", "answers", "story", "team_draft")
# Far more than one action's form: the session never grows with forms nobody came back for.
KEPT_AT_MOST = 5


def refused_redirect(request: HttpRequest, pk: int, key: str, form: forms.Form) -> HttpResponse:
    """Keep `form` for the ticket page's next answer and send the browser there, to the control's result."""
    kept: dict[str, Any] = request.session.get(SESSION_KEY, {})
    form_class = f"{type(form).__module__}.{type(form).__qualname__}"
    kept[str(pk)] = {
        "key": key,
        "form": form_class,
        "data": {name: form.data.getlist(name) for name in form.data if name != "csrfmiddlewaretoken"}
        if isinstance(form.data, QueryDict)
        else dict(form.data),
        "errors": [(field, e["message"]) for field, errors in form.errors.get_json_data().items() for e in errors],
    }
    request.session[SESSION_KEY] = dict(list(kept.items())[-KEPT_AT_MOST:])
    if key not in SLOTS_ALWAYS_SHOWN:
        said = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, "Not done: " + " ".join(said))
    response = HttpResponseRedirect(f"{Ticket(pk=pk).get_absolute_url()}#result-{key}")
    response.status_code = 303  # the browser GETs the page: a reload never posts again
    return response


def refused_forms(request: HttpRequest, pk: int) -> dict[str, forms.Form]:
    """The form refused on this ticket's last action without JavaScript, bound to what was posted and
    with the errors it was refused with, by its key; taken out of the session (shown once)."""
    kept: dict[str, Any] = request.session.get(SESSION_KEY) or {}
    entry = kept.pop(str(pk), None)
    if entry is None:
        return {}
    request.session[SESSION_KEY] = kept
    try:
        form = _rebuilt(entry)
    except (ImportError, KeyError, TypeError, ValueError):
        logger.warning("a refused action's form could not be shown again", extra={"ticket": pk}, exc_info=True)
        return {}
    return {entry["key"]: form}


def _rebuilt(entry: dict[str, Any]) -> forms.Form:
    if not str(entry["form"]).startswith(FORM_MODULES):
        raise ValueError(f"not an action form: {entry['form']!r}")
    form_class = import_string(entry["form"])
    if not (isinstance(form_class, type) and issubclass(form_class, forms.Form)):
        raise TypeError(f"not a form class: {entry['form']!r}")
    data = QueryDict(mutable=True)
    for name, values in entry["data"].items():
        data.setlist(name, values if isinstance(values, list) else [values])
    form = form_class(data)
    form.is_valid()  # the field errors again, from the same data
    for field, message in entry["errors"]:
        field_name = None if field == NON_FIELD_ERRORS else field
        present = list(form.non_field_errors() if field_name is None else form.errors.get(field_name) or [])
        # The refusals that came from beyond the form's fields: a conflict, the platform's answer.
        if message not in present and (field_name is None or field_name in form.fields):
            form.add_error(field_name, message)
    return form
