"""Typed hooks: how a higher app takes part in a lower app's work without the lower app importing it.

The app that CALLS a hook declares it: a `typing.Protocol` whose `__call__` is the exact call (keyword-only
where the caller passes keywords), and a `Hooks` list of that protocol. The app above registers its function
in its `AppConfig.ready()`. Registering checks the function against the protocol's call, so a hook whose
parameters drifted from the call fails at start-up, naming both, instead of at the first ingest or macro.
Every hook is listed in docs/architecture.md with the app that registers it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

H = TypeVar("H", bound=Callable[..., Any])


def _call_shape(protocol: type) -> tuple[list[str], list[str]]:
    """The positional and keyword parameter names of `protocol.__call__` (self left out)."""
    parameters = list(inspect.signature(protocol.__call__).parameters.values())[1:]
    positional = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    keywords = [p.name for p in parameters if p.kind == p.KEYWORD_ONLY]
    return positional, keywords


def hook_check(protocol: type, hook: Callable[..., Any]) -> None:
    """TypeError unless `hook` accepts every call `protocol` describes: its positional arguments, and each of
    its keywords by name (a hook may take more, with defaults, or collect them with **kwargs)."""
    positional, keywords = _call_shape(protocol)
    try:
        inspect.signature(hook).bind(*positional, **dict.fromkeys(keywords))
    except TypeError as exc:
        name = getattr(hook, "__qualname__", repr(hook))
        raise TypeError(
            f"{getattr(hook, '__module__', '?')}.{name} cannot be a {protocol.__name__} hook: {exc}"
        ) from None


class Hooks(Generic[H]):
    """The hooks registered for one call, in registration order; each registered once."""

    # `type`, not `type[H]`: the protocol is not a class mypy lets stand for `type[H]`; the variable's annotation,
    # `Hooks[SomeHook]`, is what binds H.
    def __init__(self, protocol: type) -> None:
        self.protocol = protocol
        self._hooks: list[H] = []
        DECLARED.append(self)

    def register(self, hook: H) -> H:
        hook_check(self.protocol, hook)
        if hook not in self._hooks:
            self._hooks.append(hook)
        return hook

    def __iter__(self) -> Iterator[H]:
        return iter(tuple(self._hooks))

    def __len__(self) -> int:
        return len(self._hooks)


# Every hook list declared (at import of its module): what docs/architecture.md's table must name.
DECLARED: list[Hooks[Any]] = []
