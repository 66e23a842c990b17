"""A side panel's Insert without JavaScript (the Answers panel, a story's answer): the button posts the composer's
form to the panel's own address (formaction, mentions/_composer.html), so the reply box's text and the version of
the ticket the page showed come with it. The panel's view reads them here and writes through its service, which
puts the text after the reply box's and checks the version with the ticket's row locked (mentions.services.drafts).
Refused (the ticket changed, the text is gone): nothing is written, and the ticket page shows the reason beside
the panel's buttons with the reply box's text back in it (views/refused.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from mentions.forms import DraftInsertForm
from mentions.models import Ticket
from mentions.services.versions import NO_VERSION, TicketStale
from mentions.views.refused import refused_redirect
from mentions.views.ticket import seen_version_posted

# (the reply box's text as posted, or None when the post carried none; the version the page showed) -> text
Insert = Callable[[str | None, int], str]


def draft_insert(request: HttpRequest, ticket: Ticket, key: str, insert: Insert, said: str) -> HttpResponse:
    """Run `insert` with what the composer's form posted; back to the reply box, or refused beside the panel's
    buttons (`key`: their result slot)."""
    form = DraftInsertForm(request.POST)
    if form.is_valid():
        seen = seen_version_posted(request)
        typed = form.cleaned_data["body"] if "body" in request.POST else None
        try:
            if seen is None:
                raise TicketStale(NO_VERSION)
            insert(typed, seen)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, said)
            return redirect(ticket.get_absolute_url() + "#composer")
    return refused_redirect(request, ticket.pk, key, form)
