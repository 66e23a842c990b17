"""Apps above mentions take part when a reply of ours is sent or leaves the platform, without mentions knowing them.

answers registers what a reply sent means for the suggestions shown (`ReplySentHook`: the top one is recorded
ignored when none was inserted) and what a reply deleted means for the stored suggestions (`RepliesDeletedHook`:
those offering its ticket's answer are dropped at once). Both run inside the caller's transaction.
docs/architecture.md lists every hook.
"""

from __future__ import annotations

from typing import Any, Protocol

from advocacy.hooks import Hooks


class ReplySentHook(Protocol):
    """A reply of ours by `user` was recorded sent on the ticket (mentions.services.replies)."""

    def __call__(self, *, ticket_id: int, user: Any) -> object: ...


class RepliesDeletedHook(Protocol):
    """Replies of ours on these tickets were deleted from the platform (from the desk, or seen gone by a poll)."""

    def __call__(self, *, ticket_ids: list[int]) -> object: ...


reply_sent_hooks: Hooks[ReplySentHook] = Hooks(ReplySentHook)
replies_deleted_hooks: Hooks[RepliesDeletedHook] = Hooks(RepliesDeletedHook)


def reply_sent(*, ticket_id: int, user: Any) -> None:
    for hook in reply_sent_hooks:
        hook(ticket_id=ticket_id, user=user)


def replies_deleted(*, ticket_ids: list[int]) -> None:
    if ticket_ids:
        for hook in replies_deleted_hooks:
            hook(ticket_ids=ticket_ids)
