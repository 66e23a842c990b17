"""Running an ImportRun of any kind to its end (the command and the worker alike), then what learns from the
history: the answers' index of replied tickets (answers.index.follow), so the imported replies are suggested at once."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from django.db.models import Max, Min

from answers.index.bulk import RANGE, range_index
from answers.index.rows import pending_flush
from imports.documented import documented_pages
from imports.models import ExternalRef, ImportRun
from imports.services import Page, import_run
from imports.starting import token_drop, token_read
from imports.zendesk_api import api_pages
from imports.zendesk_files import files_pages


def pages_for(run: ImportRun, token: str = "") -> Callable[[ImportRun], Iterator[Page]]:
    if run.kind == ImportRun.Kind.ZENDESK_API:
        return api_pages(token)
    if run.kind == ImportRun.Kind.DOCUMENTED:
        return documented_pages
    return files_pages


def run_execute(
    run_id: int,
    *,
    token: str = "",
    progress: Callable[[ImportRun], None] | None = None,
    index: bool = True,
    until: float | None = None,
) -> ImportRun:
    """Run the import to its end, or, with `until`, to the first page written past it (the run then QUEUED for
    the next slice, imports.tasks). The token kept on the run is dropped once the run has ended, either way."""
    run = ImportRun.objects.get(pk=run_id)
    try:
        import_run(run, pages_for(run, token or token_read(run)), progress, until=until)
    finally:
        if run.status != ImportRun.Status.QUEUED:
            token_drop(run)
    if run.status == ImportRun.Status.QUEUED:
        return run
    if index:
        run.counts["answers_indexed"] = history_index(run.source)[0]
        run.save(update_fields=["counts", "updated_at"])
    return run


def history_index(source: str, *, start: int | None = None, until: float | None = None) -> tuple[int, int | None]:
    """The source's replied tickets indexed for the answers' suggestions, by ranges of ids as the backfill does
    (answers.index.bulk): the incremental indexer reads only answers newer than its last, and history is older.
    From ticket id `start` (the first when None); with `until` (time.monotonic()), it stops after the first range
    past it, so a worker's slice stays inside its time limit. Returns (answers added, where the next slice starts,
    or None when every range is done). A range indexes only tickets not indexed yet: running one twice adds none."""
    bounds = ExternalRef.objects.filter(source=source, kind=ExternalRef.Kind.TICKET).aggregate(
        low=Min("local_id"), high=Max("local_id")
    )
    if bounds["low"] is None:
        return 0, None
    low, added = max(start or bounds["low"], bounds["low"]), 0
    while low <= bounds["high"]:
        added += range_index((low, low + RANGE))
        low += RANGE
        if until is not None and time.monotonic() > until:
            break
    if added:
        pending_flush()
    return added, (low if low <= bounds["high"] else None)
