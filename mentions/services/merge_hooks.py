"""Apps that build on mentions take part in a ticket merge without mentions knowing them.

experts registers a hook that combines the two tickets' open outreaches to the same expert (experts.merging):
the outreach table allows one open outreach per ticket and expert, so moving both to the target would break
that rule. A hook runs inside the merge's transaction, holding both tickets' row locks, before the source's
rows move; it returns what it did, recorded in the target's "merged" event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MergeHook = Callable[..., dict[str, Any]]  # (*, source, target, user) -> facts for the merge event

_hooks: list[MergeHook] = []


def merge_hook_register(hook: MergeHook) -> MergeHook:
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


def merge_hooks_run(*, source: Any, target: Any, user: Any) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for hook in _hooks:
        facts.update(hook(source=source, target=target, user=user) or {})
    return facts
