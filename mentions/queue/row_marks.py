"""Marks beside ticket rows in the queue and the lists, from apps that know more about a ticket than mentions.

people registers the marks of the person who opened each ticket ("core contributor", "spam": their tags
that mark tickets), each linking to the person's page (people.apps). A hook answers for a whole page of
tickets at once, in one query, so a page of 50 rows costs what a page of 2 does; the pages call
`row_marks_attach` once per page, and the rows show `ticket.row_marks` (templates/mentions/_row_marks.html).
docs/architecture.md lists every hook.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple, Protocol

from advocacy.hooks import Hooks

if TYPE_CHECKING:
    from mentions.models import Ticket


class RowMark(NamedTuple):
    """A small tag beside a ticket's row: its words, a CSS class (static/desk.css, e.g. `mark-spam`) and
    where it leads (or "")."""

    label: str
    css_class: str
    url: str


class RowMarksHook(Protocol):
    """The marks of the tickets `ticket_ids` (one page of a list): {ticket id: marks}, leaving out tickets
    without any. One query for the page, whatever its size."""

    def __call__(self, *, ticket_ids: list[int]) -> dict[int, list[RowMark]]: ...


row_marks_hooks: Hooks[RowMarksHook] = Hooks(RowMarksHook)


def row_marks(ticket_ids: Iterable[int]) -> dict[int, list[RowMark]]:
    """Every registered hook's marks of these tickets, in registration order."""
    ids = sorted(set(ticket_ids))
    marks: dict[int, list[RowMark]] = {}
    if not ids:
        return marks
    for hook in row_marks_hooks:
        for ticket_id, found in hook(ticket_ids=ids).items():
            marks.setdefault(ticket_id, []).extend(found)
    return marks


def row_marks_attach(tickets: Iterable[Ticket]) -> list[Ticket]:
    """The page's tickets as a list, each with `row_marks` (a list, maybe empty) for its row."""
    page = list(tickets)
    marks = row_marks(t.pk for t in page)
    for ticket in page:
        # setattr: not a field the model declares (as search.py's snippets).
        setattr(ticket, "row_marks", marks.get(ticket.pk, []))  # noqa: B010
    return page
