"""Blocks other apps show on the queue page, above the views, without mentions knowing them.

stories registers the stories with tickets waiting ("Release 18.6 · 23 tickets · 17 waiting · X 8, Reddit 4,
HN 2 · Open"), so a wave of mentions reads as one line with its size before anyone plays it (stories.apps). A
block is HTML its app rendered, with everything from the internet in it escaped by its template; it is part of
the queue's live part, rendered on each of its refreshes, so it costs a fixed number of queries whatever the
data. docs/architecture.md lists every hook.
"""

from __future__ import annotations

from typing import Protocol

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from advocacy.hooks import Hooks


class QueueBlockHook(Protocol):
    """The block shown on the queue page, or "" for none. The same for everyone who may work the queue; on the queue
    narrowed to a product (`?product=`, issue 71) `product_id` is that product's id, else None (every product)."""

    def __call__(self, *, product_id: int | None) -> SafeString | str: ...


queue_block_hooks: Hooks[QueueBlockHook] = Hooks(QueueBlockHook)


def queue_blocks(*, product_id: int | None = None) -> list[SafeString]:
    """The registered blocks, in registration order, the empty ones left out. A block returned as a plain string
    (not marked safe by a template) is shown as text."""
    return [conditional_escape(block) for hook in queue_block_hooks if (block := hook(product_id=product_id))]
