"""Apps that build on mentions take part in a ticket merge without mentions knowing them.

experts registers a hook that combines the two tickets' open outreaches to the same expert (experts.merging):
the outreach table allows one open outreach per ticket and expert, so moving both to the target would break
that rule. A hook runs inside the merge's transaction, holding both tickets' row locks, before the source's
rows move; it returns what it did, recorded in the target's "merged" event. docs/architecture.md lists every
hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from advocacy.hooks import Hooks

if TYPE_CHECKING:
    from mentions.models import Ticket


class MergeHook(Protocol):
    """`source` is being merged into `target` (both locked) by `user`. Returns facts for the merge event
    ({} when it had nothing to do)."""

    def __call__(self, *, source: Ticket, target: Ticket, user: Any) -> dict[str, Any]: ...


merge_hooks: Hooks[MergeHook] = Hooks(MergeHook)


def merge_hooks_run(*, source: Ticket, target: Ticket, user: Any) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for hook in merge_hooks:
        facts.update(hook(source=source, target=target, user=user) or {})
    return facts
