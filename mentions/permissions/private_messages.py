"""Who reads a ticket's private messages: the direct messages between the desk and a person (ours,
`Message.Kind.DIRECT`, and their answers, `Message.Kind.PRIVATE`), in one place for every surface: the ticket page,
its live refresh, its panels and history, the answers to its actions in place, the ticket list's search and the API
(docs/desk.md, "Who reads private messages").

Those who work the queue (`mentions.work_queue`: Advocates, Managers, someone holding an "Advocate for a day" grant,
superusers) read them: the person wrote to the team privately, and whoever answers the ticket must see what was said.
An expert (the Experts role alone) does not, not even on a ticket they were asked about: they are asked for the
public answer, which never quotes a DM, and an advocate who needs their view on something said privately passes
on what is needed. Search, the queue and the API already ask the same permission of everyone; the ticket page,
which also opens to experts (mentions.views.access.ticket_open), asks this."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

# Message.Kind.DIRECT and Message.Kind.PRIVATE (their values: this module is imported by the selectors' callers
# and by the models' neighbours, and needs no model).
PRIVATE_KINDS = frozenset({"direct", "private"})
READS = "mentions.work_queue"
# What a reader without the permission sees in place of the private messages (the page, its live refresh).
HIDDEN_SAID = "advocates and managers read them"

M = TypeVar("M")


def private_messages_readable(user: Any) -> bool:
    """Whether `user` reads private messages (the module's docstring says who, and why)."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(READS))


def conversation_shown(messages: Iterable[M], *, private: bool) -> tuple[list[M], int]:
    """`messages` as a reader sees them: all of them when `private`, else without the private ones; and how many
    were left out."""
    rows = list(messages)
    if private:
        return rows, 0
    shown = [m for m in rows if getattr(m, "kind", None) not in PRIVATE_KINDS]
    return shown, len(rows) - len(shown)
