"""Panels other apps add to the ticket page, without mentions knowing them.

experts registers the "Involve an expert" panel (experts.apps): its template, included in the ticket
page's side column, and a function giving the template's context for one ticket. `forms` are the
page's bound forms when an action came back with errors (the panel shows its own form's).
docs/architecture.md lists every hook.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from advocacy.hooks import hook_check

if TYPE_CHECKING:
    from django.http import HttpRequest

    from mentions.models import Ticket


class PanelContext(Protocol):
    """The panel template's context for `ticket` on this request; `forms` by name, bound when an action
    came back with errors."""

    def __call__(self, request: HttpRequest, ticket: Ticket, forms: dict[str, Any], /) -> dict[str, Any]: ...


@dataclass(frozen=True)
class TicketPanel:
    template: str
    context: PanelContext
    # Where it stands in the side column: lower first, then in registration order (installed apps' order).
    # The facts are 0, who is asking (people's requester card) 2, the ticket's story 5; answers' panel takes 10
    # so the earlier answers sit near the top, beside the composer.
    order: int = 50


_panels: list[TicketPanel] = []


def ticket_panel_register(panel: TicketPanel) -> None:
    hook_check(PanelContext, panel.context)
    if panel not in _panels:
        _panels.append(panel)
        _panels.sort(key=lambda p: p.order)  # stable: equal orders keep their registration order


def ticket_panels(request: Any, ticket: Any, forms: dict) -> tuple[list[str], dict[str, Any]]:
    """The registered panels' templates, in order, and their context merged."""
    context: dict[str, Any] = {}
    for panel in _panels:
        context.update(panel.context(request, ticket, forms))
    return [p.template for p in _panels], context


def posted_value(forms: dict[str, Any], key: str, field: str, default: object = "") -> object:
    """What the form `key` posted in `field` when it came back with errors, else `default` (the value the
    control shows): the page and its panels fill their written-out forms with it."""
    form = forms.get(key)
    return form.data.get(field, default) if form is not None else default


def panel_slug(panel: TicketPanel) -> str:
    """A panel's name in its URL: its template's file name ("experts/_outreach.html" → "outreach")."""
    return panel.template.rsplit("/", 1)[-1].removesuffix(".html").lstrip("_")


def panel_find(slug: str) -> TicketPanel | None:
    return next((p for p in _panels if panel_slug(p) == slug), None)


# What makes a panel part of the page's first answer rather than loaded after it: a link or search
# inside the panel (it answers on the page's own URL), one of its forms coming back with errors, or
# no JavaScript to load it later (the placeholder's link asks for it inline).
INLINE_PARAMETERS = ("expert", "expert_q", "panels")
INLINE_FORMS = ("outreach", "decline", "share", "status", "priority", "tags", "assign", "answers", "story")


def panels_shown_inline(request: Any, forms: dict) -> bool:
    return any(name in request.GET for name in INLINE_PARAMETERS) or any(name in forms for name in INLINE_FORMS)


def panel_urls(request: Any, ticket_id: int) -> list[tuple[str, str]]:
    """Each registered panel's own URL, for the page to load after its first answer: (slug, url)."""
    from django.urls import reverse

    return [(panel_slug(p), reverse("mentions:ticket-panel", args=[ticket_id, panel_slug(p)])) for p in _panels]
