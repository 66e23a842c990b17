"""Apps that build on mentions act on macros without mentions knowing them.

experts registers a hook that shares the mention in Slack when the community-involvement macro
is applied (experts.apps). A hook runs inside the macro's transaction, holding the ticket's row
lock, before the macro's actions: it may refuse the macro (raise ValidationError, in words an
advocate can act on: nothing is applied) or return a notice to show beside the result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MacroHook = Callable[..., str | None]  # (*, ticket, macro, user, link) -> notice or None

_hooks: list[MacroHook] = []


def macro_hook_register(hook: MacroHook) -> MacroHook:
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


def macro_hooks_run(*, ticket: Any, macro: Any, user: Any, link: str = "") -> list[str]:
    return [notice for hook in _hooks if (notice := hook(ticket=ticket, macro=macro, user=user, link=link))]
