"""Parse a page item by item, so one item the parser cannot read costs that item, not the page.

Every adapter's `parse_page` runs its per-item parser through `parse_each`: an item that raises,
or that comes out unstorable (`channels.clean.mention_clean`), becomes a `Rejected` with its raw
payload and the reason; the poll keeps those in the dead-letter table and stores the rest.

This is the boundary between channels and intake: `item_mentions` is where a mention an adapter
made is cleaned, the one time it is (intake takes it as it is).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from channels import clean

from .base import IncomingMention, PayloadError, Rejected

logger = logging.getLogger(__name__)


@dataclass
class Parsed:
    mentions: list[IncomingMention] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def extend(self, other: Parsed) -> None:
        self.mentions.extend(other.mentions)
        self.rejected.extend(other.rejected)


def item_id(item: Any, *keys: str) -> str:
    """The item's id under the first of `keys` it has, for naming a rejected item."""
    if isinstance(item, dict):
        for key in keys:
            found = clean.ident(item.get(key))
            if found:
                return found
    return ""


ParseOne = Callable[[Any], IncomingMention | Iterable[IncomingMention] | None]


def item_mentions(item: Any, parse_one: ParseOne) -> list[IncomingMention]:
    """What `parse_one` makes of one item (a mention, several for an item with nested replies, or
    None for an item rightly skipped: a deleted stub, a non-post event), each cleaned once
    (`clean.mention_clean`). Raises what `parse_one` raises, or `clean.Unstorable`."""
    produced = parse_one(item)
    if produced is None:
        return []
    found = [produced] if isinstance(produced, IncomingMention) else list(produced)
    return [clean.mention_clean(mention) for mention in found]


def parse_each(
    items: Iterable[Any],
    parse_one: ParseOne,
    *,
    id_keys: tuple[str, ...] = ("id",),
    platform: str = "",
) -> Parsed:
    """Run `parse_one` over `items` (`item_mentions`). Whatever it raises, and whatever it returns
    that cannot be stored, is rejected."""
    parsed = Parsed()
    for item in items:
        try:
            parsed.mentions.extend(item_mentions(item, parse_one))
        except Exception as exc:  # any parser failure is this item's, never the page's
            external_id = item_id(item, *id_keys)
            error = f"{exc.__class__.__name__}: {str(exc)[:500]}"
            logger.warning("parse: %s item %r rejected: %s", platform or "adapter", external_id, error)
            parsed.rejected.append(Rejected(external_id=external_id, error=error, raw=clean.raw(item)))
    return parsed


def nested_items(
    payload: Any, of_object: Callable[[dict[str, Any]], list[Any] | None], *, not_items: str, depth: int = 0
) -> list[Any]:
    """The items of a page: an object as `of_object` reads it (a list of items, a PayloadError for the platform's
    error answer, None for an object that is no page: said with its keys), a list's elements, and lists of saved
    pages flattened two deep (junk among them is rejected item by item); anything else a PayloadError.
    `not_items`: what the page should have been."""
    if isinstance(payload, dict):
        items = of_object(payload)
        if items is None:
            keys = ", ".join(sorted(clean.line(str(k), max_length=40) for k in payload)[:10])
            raise PayloadError(f"{not_items}; got an object with keys {keys}.")
        return items
    if not isinstance(payload, list):
        raise PayloadError(f"{not_items}; got {type(payload).__name__}.")
    items = []
    for element in payload:
        if isinstance(element, list) and depth < 2:
            items.extend(nested_items(element, of_object, not_items=not_items, depth=depth + 1))
        else:
            items.append(element)
    return items
