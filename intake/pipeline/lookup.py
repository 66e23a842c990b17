"""Stage 2, lookup: what is already stored: which of the page's ids are (duplicates), and the
tickets of the ids they reply to, name as their thread, or reference."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

from channels.adapters import get_adapter
from intake.pipeline.page import Item, Page
from mentions.models import Message, Ticket

_CHUNK = 5000


def stored_ids(page: Page, ids: list[str]) -> dict[str, int | None]:
    """external id -> ticket id (None for stored messages outside any ticket)."""
    found: dict[str, int | None] = {}
    if connection.vendor == "postgresql":
        # One array parameter instead of an IN list of a thousand: planned once, same index scan.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT external_id, ticket_id FROM {Message._meta.db_table} "  # noqa: S608 - model table
                "WHERE channel_id = %s AND external_id = ANY(%s)",
                [page.channel.pk, ids],
            )
            found.update(cursor.fetchall())
        return found
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        found.update(
            (external_id, ticket)
            for external_id, ticket in Message.objects.filter(channel=page.channel, external_id__in=chunk).values_list(
                "external_id", "ticket_id"
            )
            if external_id is not None  # matched by id, so always: said for the type checker
        )
    return found


def lookup(page: Page, usable: int) -> None:
    """Fill `page.known`, `page.items` (the fresh ones, oldest first) and `page.refs`."""
    page.known = stored_ids(page, list(page.unique))
    fresh = sorted(
        (m for m in page.unique.values() if m.external_id not in page.known),
        key=lambda m: (m.created_at, m.external_id),
    )
    # Unusable items (logged by validate) are neither created nor duplicates.
    page.result.duplicates = usable - len(fresh)
    page.items = [Item(m) for m in fresh]

    refs = {r for m in fresh for r in (m.parent_id, m.thread_id, *m.related_ids) if r and r not in page.unique}
    page.refs = dict(page.known)
    page.refs.update(stored_ids(page, list(refs)))
    page.refs.update(edited_versions(page, [r for r in refs if r not in page.refs]))
    hints = {m.ticket_hint for m in fresh if m.ticket_hint}
    if hints:
        for found in Ticket.objects.filter(channel=page.channel, pk__in=hints).values_list("pk", flat=True):
            page.refs[f"#ticket:{found}"] = found


def edited_versions(page: Page, refs: list[str]) -> dict[str, int | None]:
    """Ids the page refers to that are later versions of a stored post (an X post edited: each version has
    its own id, the desk stores the original's) -> that post's ticket. The adapter says where a version's
    original can be (`edit_chain_window`: a time range, so the query reads the channel's time index) and
    under which raw key a post lists its versions; one query for the page."""
    adapter = get_adapter(page.channel.kind)
    key = adapter.edit_history_key
    if not key or not refs:
        return {}
    condition = Q()
    for ref in refs[:_CHUNK]:
        window = adapter.edit_chain_window(ref)
        if window is not None:
            condition |= Q(platform_created_at__range=window, **{f"raw__{key}__contains": [ref]})
    if not condition:
        return {}
    found: dict[str, int | None] = {}
    wanted = set(refs)
    rows = Message.objects.filter(condition, channel=page.channel).values_list(f"raw__{key}", "ticket_id")
    for versions, ticket in rows:
        for version in versions if isinstance(versions, list) else []:
            if version in wanted:
                found.setdefault(version, ticket)
    return found
