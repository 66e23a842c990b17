"""Stage 1, validate and clean: drop unusable items, keep one per id, and turn what will be
stored into column values (cleaned text, safe links, lengths that fit)."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.utils import timezone

from channels.adapters.base import IncomingMention
from channels.text import clean_text, safe_url
from intake.pipeline.page import Item, Page
from mentions.models import Message, Ticket

logger = logging.getLogger(__name__)

_MAX = {(model, f.name): f.max_length for model in (Message, Ticket) for f in model._meta.fields if f.max_length}
_EXTERNAL_ID_MAX = _MAX[Message, "external_id"]
_URL_MAX = _MAX[Message, "permalink"]


def fit(value: str, column: str, model: type = Message) -> str:
    return value[: _MAX[model, column]]


def url(value: str) -> str:
    found = safe_url(value)
    return found if len(found) <= _URL_MAX else ""


def _scrub(value: Any) -> Any:
    """PostgreSQL cannot store NUL in text or jsonb: drop it from every string of a raw payload."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def raw(value: dict[str, Any]) -> dict[str, Any]:
    # Almost no payload has a NUL: one C-speed dump finds out before walking the whole tree.
    return _scrub(value) if "\\u0000" in json.dumps(value) else value


def _usable(mention: IncomingMention, page: Page) -> bool:
    if not mention.external_id or len(mention.external_id) > _EXTERNAL_ID_MAX:
        logger.warning(
            "ingest: channel=%s dropped an item with an unusable external id %r",
            page.channel.slug,
            mention.external_id[:80],
        )
        return False
    if mention.created_at is None or timezone.is_naive(mention.created_at):
        logger.warning("ingest: channel=%s item %s has no aware created time", page.channel.slug, mention.external_id)
        return False
    return True


def validate(page: Page, mentions: list[IncomingMention]) -> int:
    """Fill `page.unique` (first occurrence of each id). Returns how many items were usable."""
    usable = 0
    for mention in mentions:
        if _usable(mention, page):
            usable += 1
            page.unique.setdefault(mention.external_id, mention)
    return usable


def columns_clean(item: Item, now: Any) -> None:
    """The columns of a fresh item, as stored."""
    mention = item.mention
    item.parent_external_id = fit(mention.parent_id, "parent_external_id")
    item.thread_external_id = fit(mention.thread_id, "thread_external_id")
    item.author_handle = fit(clean_text(mention.author_handle), "author_handle")
    item.author_name = fit(clean_text(mention.author_name), "author_name")
    item.author_url = url(mention.author_url)
    item.title = fit(clean_text(mention.title), "title")
    item.body = clean_text(mention.text)
    item.permalink = url(mention.permalink)
    item.deleted_at = now if mention.deleted else None
    item.raw = raw(mention.raw)
