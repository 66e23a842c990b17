"""The ticket page's folds: the menus and forms that stay closed on most views of a ticket (Snooze, More actions,
"Replied elsewhere?", a message's direct message and our post's deletion, the Issue panel's "File or link an issue"),
sent when they are opened rather than with the page. They were 6-9 KB of a 31-38 KB page (issue 73: the ticket page's
HTML at most 30 KB in a browser).

A fold is in the page's first answer when it is shown open (its form came back with errors) or the page is asked
whole (`?panels=inline`: no JavaScript). Otherwise its slot (the `fold_slot` tag) asks mentions:ticket-fold when its
<details> opens; that view renders the fold's template with the ticket page's own context (and the fold's, for
another app's fold), so a fold is the same HTML either way. The slot carries the version of the ticket the page shows
(its `seen`, which the live refresh moves with the forms'), and the fold's forms claim that version, not a newer one
the advocate has not seen. Other apps register theirs (stories: the Issue panel's form); docs/architecture.md lists
the hooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from advocacy.hooks import hook_check

if TYPE_CHECKING:
    from django.http import HttpRequest

    from mentions.models import Ticket


class FoldContext(Protocol):
    """What a fold's template needs beyond the ticket page's context (another app's fold), for `ticket`."""

    def __call__(self, request: HttpRequest, ticket: Ticket, /) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Fold:
    template: str
    context: FoldContext | None = None
    # One per message: the message is the request's `message`, the template's `m`.
    per_message: bool = False


_folds: dict[str, Fold] = {
    "snooze": Fold("mentions/_fold_snooze.html"),
    "more": Fold("mentions/_fold_more.html"),
    "replied": Fold("mentions/_fold_replied.html"),
    "dm": Fold("mentions/_fold_dm.html", per_message=True),
    "delete": Fold("mentions/_fold_delete.html", per_message=True),
}


def fold_register(name: str, fold: Fold) -> None:
    if fold.context is not None:
        hook_check(FoldContext, fold.context)
    _folds[name] = fold


def fold_find(name: str) -> Fold | None:
    return _folds.get(name)
