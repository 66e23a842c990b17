"""Stage 1, validate: keep one mention per id (the newest version, where the platform numbers an item's
versions: `versions`), each as it will be stored.

A mention is cleaned once, at the boundary between channels and intake (channels.adapters.guard runs
`channels.clean.mention_clean` over everything an adapter's parser makes): its values already fit their
columns (the cleaners' limits are the columns' lengths), hold no NUL or lone surrogate, its id is usable
and its time aware and in range. This stage takes such a mention as it is. A mention that did not come
through an adapter (built by hand: a test, a script, a dead letter read back) is cleaned here instead,
with the same function, so it too is cleaned exactly once; one that cannot be is dropped and logged.
"""

from __future__ import annotations

import logging

from channels import clean
from channels.adapters.base import IncomingMention
from intake.pipeline.page import Page
from intake.pipeline.versions import older

logger = logging.getLogger(__name__)


def validate(page: Page, mentions: list[IncomingMention]) -> int:
    """Fill `page.unique` (the first occurrence of each id, or its newest version). Returns how many items were
    usable."""
    usable = 0
    key = page.version_key
    for mention in mentions:
        try:
            mention = clean.mention_storable(mention)
        except clean.Unstorable as exc:
            logger.warning("ingest: channel=%s dropped an item: %s", page.channel.slug, exc)
            continue
        usable += 1
        kept = page.unique.get(mention.external_id)
        if kept is None or (key and older(kept.raw.get(key), mention.raw.get(key))):
            page.unique[mention.external_id] = mention
    return usable
