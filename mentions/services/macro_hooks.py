"""Apps that build on mentions act on macros without mentions knowing them.

experts registers a hook that closes the ticket's open outreaches when "Expert responded" is applied with
the answer's link, and notifications one that shares the mention in Slack when the community-involvement
macro is applied (their apps.py). A hook runs inside the macro's transaction, holding the ticket's row lock,
before the macro's actions: it may refuse the macro (raise ValidationError, in words an advocate can act on:
nothing is applied) or return a notice to show beside the result. docs/architecture.md lists every hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from advocacy.hooks import Hooks

if TYPE_CHECKING:
    from mentions.models import Macro, Ticket


class MacroHook(Protocol):
    """`macro` is being applied to `ticket` (locked) by `user`, with `link` (the answer's address, or "") and
    `expert_id` (the expert the advocate says they asked, or None).
    Returns a notice for the advocate, or None; raises ValidationError to refuse the macro."""

    def __call__(self, *, ticket: Ticket, macro: Macro, user: Any, link: str, expert_id: int | None) -> str | None: ...


macro_hooks: Hooks[MacroHook] = Hooks(MacroHook)


def macro_hooks_run(
    *, ticket: Ticket, macro: Macro, user: Any, link: str = "", expert_id: int | None = None
) -> list[str]:
    return [
        notice
        for hook in macro_hooks
        if (notice := hook(ticket=ticket, macro=macro, user=user, link=link, expert_id=expert_id))
    ]


class SavedReplyText(Protocol):
    """The text of the saved reply titled `title`, filled for `ticket` (answers registers it), or None when no
    active saved reply has that title. `link` is the link the macro asked for, or ""."""

    def __call__(self, *, ticket: Ticket, title: str, link: str) -> str | None: ...


saved_reply_texts: Hooks[SavedReplyText] = Hooks(SavedReplyText)


def saved_reply_text(*, ticket: Ticket, title: str, link: str = "") -> str | None:
    for hook in saved_reply_texts:
        text = hook(ticket=ticket, title=title, link=link)
        if text is not None:
            return text
    return None
