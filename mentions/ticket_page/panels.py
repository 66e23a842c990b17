"""Panels other apps add to the ticket page, without mentions knowing them.

experts registers the "Involve an expert" panel (experts.apps): its template, included in the ticket
page's side column, and a function giving the template's context for one ticket. `forms` are the
page's bound forms when an action came back with errors (the panel shows its own form's).
A panel is in the page's first answer unless it says it is `deferred` (all deferred panels come in one
request after the page) or `folded` (computed when its fold is opened); a panel that declares when it is
`present` costs no query on a ticket where it has nothing to show. A page view is at most two requests
(tests/test_ticket_page_load.py counts what the page fires on load).
docs/architecture.md lists every hook.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.db import connection
from django.db.models import BooleanField, ForeignKey, Model
from django.db.models.expressions import RawSQL

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
    # Slow to compute (a remote search): not in the page's first answer but in the one request the page makes
    # after it for all its deferred panels (mentions:ticket-panels-later). A panel is cheap, in the first answer,
    # unless it says so: True, or a function saying whether it is slow now (the Answers panel, only when one of
    # our knowledge sources is active). A page whose panels are all cheap is one request.
    deferred: bool | Callable[[], bool] = False
    # Shown folded: the fold's title. Its context is computed only when the fold is opened (its own request,
    # mentions:ticket-panel, as the history's), or with the page at `?panels=inline`.
    folded: str = ""
    # Whether the panel has anything to say for a ticket: a model whose rows point at the ticket (a `ticket`
    # foreign key); whether the ticket has one is read with the page's ticket (selectors.ticket_detail), so an
    # empty panel costs no query of its own: it is rendered with `empty` for its context instead.
    present: type[Model] | None = None
    empty: Mapping[str, Any] = field(default_factory=dict)
    # A model (a `ticket` foreign key) whose rows the context lists when there are any: whether the ticket has
    # any is read with the page's ticket too, and the context asks `ticket_has` before querying them.
    rows: type[Model] | None = None


_panels: list[TicketPanel] = []


def ticket_panel_register(panel: TicketPanel) -> None:
    hook_check(PanelContext, panel.context)
    if panel not in _panels:
        _panels.append(panel)
        _panels.sort(key=lambda p: p.order)  # stable: equal orders keep their registration order


def panel_deferred(panel: TicketPanel) -> bool:
    return panel.deferred() if callable(panel.deferred) else panel.deferred


def panel_slug(panel: TicketPanel) -> str:
    """A panel's name in its URL: its template's file name ("experts/_outreach.html" → "outreach")."""
    return panel.template.rsplit("/", 1)[-1].removesuffix(".html").lstrip("_")


def _present_attr(model: type[Model]) -> str:
    return f"has_{model._meta.db_table}"


def panels_present() -> dict[str, Any]:
    """The page's ticket query's annotations saying which panels have anything to show (TicketPanel.present):
    one EXISTS per model, written out (RawSQL compiles in a fifth of the time an Exists(...) subquery takes,
    on every ticket page; measured in bench/page_profile.py's ticket page)."""
    found: dict[str, Any] = {}
    for model in {m for p in _panels for m in (p.present, p.rows) if m is not None}:
        key = model._meta.get_field("ticket")
        if not isinstance(key, ForeignKey) or not key.column:
            raise TypeError(f"{model.__name__}: a panel's `present` model needs a `ticket` foreign key")
        table, column = model._meta.db_table, key.column
        quote = connection.ops.quote_name
        sql = f"EXISTS (SELECT 1 FROM {quote(table)} WHERE {quote(table)}.{quote(column)} = {TICKET_ID})"  # noqa: S608 - names from the models
        found[_present_attr(model)] = RawSQL(sql, (), output_field=BooleanField())  # noqa: S611 - no parameter
    return found


TICKET_ID = '"mentions_ticket"."id"'  # the page's ticket query's own table (mentions.selectors.ticket_detail)


def ticket_has(ticket: Any, model: type[Model]) -> bool:
    """Whether `ticket` has rows of `model` (a panel's `rows`), as read with the page's ticket; True (so the
    rows are queried) when the ticket was read without the panels' annotations."""
    return bool(getattr(ticket, _present_attr(model), True))


def panel_context(panel: TicketPanel, request: Any, ticket: Any, forms: dict) -> Mapping[str, Any]:
    """One panel's context (`empty` where it has nothing to show): in the page, after it, or alone (a fold opened)."""
    if panel.present is not None and not getattr(ticket, _present_attr(panel.present), True):
        return panel.empty
    return panel.context(request, ticket, forms)


@dataclass(frozen=True)
class PanelShown:
    """One panel as the page shows it: rendered (`template`), folded (`url` loads it when opened), or the place
    where the deferred panels come (`url` loads them all)."""

    slug: str
    template: str = ""
    folded: str = ""
    url: str = ""


def ticket_panels(request: Any, ticket: Any, forms: dict, *, inline: bool) -> tuple[list[PanelShown], dict[str, Any]]:
    """The side column as the page's first answer shows it, in order, and the context of the panels it renders.
    `inline` (no JavaScript, or a panel's form or search in the request): every panel rendered. Otherwise the
    cheap ones are rendered, a folded one is its fold, and the deferred ones are one slot where the first of them
    stands, filled by one request after the page (`later_panels`)."""
    from django.urls import reverse

    shown: list[PanelShown] = []
    context: dict[str, Any] = {}
    for panel in _panels:
        slug = panel_slug(panel)
        if not inline and panel_deferred(panel):
            if not any(s.slug == LATER for s in shown):
                shown.append(PanelShown(slug=LATER, url=reverse("mentions:ticket-panels-later", args=[ticket.pk])))
            continue
        if not inline and panel.folded:
            url = reverse("mentions:ticket-panel", args=[ticket.pk, slug])
            shown.append(PanelShown(slug=slug, folded=panel.folded, url=url))
            continue
        context.update(panel_context(panel, request, ticket, forms))
        shown.append(PanelShown(slug=slug, template=panel.template))
    return shown, context


LATER = "later"  # the deferred panels' slot (id panel-later)


def later_panels(request: Any, ticket: Any) -> tuple[list[str], dict[str, Any]]:
    """The deferred panels' templates, in order, and their context merged: the page's one request after it."""
    context: dict[str, Any] = {}
    templates = []
    for panel in _panels:
        if panel_deferred(panel):
            context.update(panel_context(panel, request, ticket, {}))
            templates.append(panel.template)
    return templates, context


def posted_value(forms: dict[str, Any], key: str, field: str, default: object = "") -> object:
    """What the form `key` posted in `field` when it came back with errors, else `default` (the value the
    control shows): the page and its panels fill their written-out forms with it."""
    form = forms.get(key)
    return form.data.get(field, default) if form is not None else default


def panel_find(slug: str) -> TicketPanel | None:
    return next((p for p in _panels if panel_slug(p) == slug), None)


# What makes a panel part of the page's first answer rather than loaded after it: a link or search
# inside the panel (it answers on the page's own URL), one of its forms coming back with errors, or
# no JavaScript to load it later (the placeholder's link asks for it inline).
INLINE_PARAMETERS = ("expert", "expert_q", "panels")
INLINE_FORMS = (
    *("outreach", "decline", "share", "status", "priority", "tags", "assign", "answers", "story"),
    "product",
)


def panels_shown_inline(request: Any, forms: dict) -> bool:
    return any(name in request.GET for name in INLINE_PARAMETERS) or any(name in forms for name in INLINE_FORMS)
