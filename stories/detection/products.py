"""A ticket's story among equals is its product's (issue 71, docs/products.md).

A story has the product it is about (`Story.product`: its release plan's, or its first ticket's);
an empty one is the desk's, about any product. Where a new ticket could join several stories, by a shared link or by
the words it shares, the detector prefers one of its own product or the desk's over another product's: by a link,
before a larger story of another product; by its words, before one it reads more like, as long as its own reaches
the score a join needs. Another product's story is still joined when it is the only one that fits: a mention of the
runner in the cloud service's outage is about that outage. With one product every story is the desk's or that
product's, so nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stories.detection.reading import Read
    from stories.models import Story


def own_product(story: Story, read: Read) -> bool:
    """Whether the story is of the ticket's product or the desk's (an unknown product on either side: it is)."""
    return story.product_id is None or read.product_id is None or story.product_id == read.product_id


def product_of(members: Sequence[Read]) -> int | None:
    """A new story's product: its first ticket's (the earliest posted that has one)."""
    dated = sorted((m for m in members if m.product_id is not None), key=lambda m: (m.at, m.pk))
    return dated[0].product_id if dated else None
