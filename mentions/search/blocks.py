"""Blocks other apps show above the ticket list's search results, without mentions knowing them.

people registers the people matching the search ("People": up to five, each linking to their page, with
their accounts), so a search for a handle finds the person as well as their tickets (people.apps). A block
is HTML its app rendered, with everything from the internet in it escaped by its template; it is part of
the results fragment, which is cached for everyone who may see the list (mentions.live.fragment_cached), so
it must not depend on who asks. docs/architecture.md lists every hook.
"""

from __future__ import annotations

from typing import Protocol

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from advocacy.hooks import Hooks


class SearchBlockHook(Protocol):
    """The block shown above the tickets found for `q` (a search with words in it), or "" for none. A
    fixed number of queries whatever the data."""

    def __call__(self, *, q: str) -> SafeString | str: ...


search_block_hooks: Hooks[SearchBlockHook] = Hooks(SearchBlockHook)


def search_blocks(q: str) -> list[SafeString]:
    """The registered blocks for `q`, in registration order, the empty ones left out. A block returned as a
    plain string (not marked safe by a template) is shown as text."""
    return [conditional_escape(block) for hook in search_block_hooks if (block := hook(q=q))]
