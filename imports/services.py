"""Running an import (docs/importing.md): a source's pages (imports.zendesk_api, imports.zendesk_files,
imports.documented) written one page a transaction, the run's cursor and counts saved with each page's rows, so an
interrupted run resumes after the last page it wrote and a run's figures are what is in the database."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import DataError, transaction
from django.utils import timezone
from django.utils.text import slugify

from channels.adapters.base import RateLimited
from channels.adapters.webhook.platform import PLATFORM as WEBHOOK
from channels.models import Channel
from imports.macros_write import macros_write
from imports.models import ImportRun, QuarantinedRecord
from imports.people_write import organizations_write, people_write
from imports.records import MacroRecord, PersonRecord, Quarantined, TicketRecord
from imports.tickets_write import tickets_write

ORGANIZATIONS, USERS, MACROS, TICKETS = "organizations", "users", "macros", "tickets"


@dataclass
class Page:
    stream: str  # ORGANIZATIONS, USERS, MACROS or TICKETS
    items: list[Any]  # the records of imports.records (an organization: (id, name, stamp))
    cursor: Any = None  # where the stream goes on after this page; None: not resumable on its own
    done: bool = False  # the stream's last page
    # The source's records of this page that are not imported (a bad line, no id, no readable time), each with where
    # it is and why: kept on the run and counted, so an import that left some out says which.
    quarantined: list[Quarantined] = field(default_factory=list)
    file: str = ""  # the export's file the items come from (a quarantine by the database names it)


def done(run: ImportRun, stream: str) -> bool:
    return bool(run.cursor.get(f"{stream}_done"))


def imported_channel(source: str) -> Channel:
    """The channel the source's tickets are kept on: a webhook channel, disabled and without a signing secret, so
    nothing is polled, nothing can be pushed to it and the desk posts nothing there (a webhook has no replies):
    the history is read, never answered on the old tool (docs/importing.md, "Where imported tickets live")."""
    # Short enough for its authors' identities' platform ("webhook:<slug>", people.Identity.platform).
    slug = slugify(re.sub(r"[:/\\]+", "-", f"imported-{source}"))[:64]
    channel = Channel.objects.filter(slug=slug).first()
    if channel is None:
        channel = Channel(kind=WEBHOOK.kind, name=f"Imported: {source}"[:100], slug=slug, enabled=False)
        channel.save()
    return channel


def _write(run: ImportRun, channel: Channel, page: Page) -> dict[str, int]:
    if page.stream == ORGANIZATIONS:
        return {"organizations": organizations_write(run.source, page.items)}
    if page.stream == USERS:
        return people_write(run.source, channel, page.items)
    if page.stream == MACROS:
        return macros_write(run.source, page.items)
    return tickets_write(run.source, channel, page.items)


def _refused(page: Page, item: Any, exc: DataError) -> Quarantined:
    line, key = None, ""
    if isinstance(item, TicketRecord | MacroRecord):
        line, key = item.line, item.key
    elif isinstance(item, PersonRecord):
        line = item.line  # no key: a documented person's is their address
    # The database's first line, without the value it quotes ('invalid input syntax for type integer: "…"'): the
    # reason names the fault; the value stays in the export, where it can be fixed.
    detail = re.sub(r':\s*".*$', "", (str(exc).strip().splitlines() or ["no detail"])[0])
    return Quarantined(page.file or page.stream, line, f"the database refused it ({detail[:300]})", key[:200])


def _write_splitting(run: ImportRun, channel: Channel, page: Page, found: list[Quarantined]) -> dict[str, int]:
    """The page written in halves, each in a savepoint, until the record the database refuses is alone: it is
    quarantined, the rest written (as intake.services.quarantine does with a poll's page). Only after the whole page
    failed once: a good page pays no savepoint."""
    try:
        with transaction.atomic():
            return _write(run, channel, page)
    except DataError as exc:
        if len(page.items) <= 1:
            found.extend(_refused(page, item, exc) for item in page.items)
            return {}
    middle = len(page.items) // 2
    counts: dict[str, int] = {}
    for part in (page.items[:middle], page.items[middle:]):
        half = Page(page.stream, part, file=page.file)
        for name, value in _write_splitting(run, channel, half, found).items():
            counts[name] = counts.get(name, 0) + value
    return counts


def _quarantine(run: ImportRun, found: list[Quarantined]) -> None:
    """Kept on the run (once a line: a file read again on the next slice finds its bad lines again), and counted as
    the rows there are, so the figure is what the run's page lists."""
    rows = [QuarantinedRecord(run=run, file=q.file[:200], line=q.line, key=q.key[:200], reason=q.reason[:500])
            for q in found]  # fmt: skip
    QuarantinedRecord.objects.bulk_create(rows, ignore_conflicts=True)
    run.counts["quarantined"] = QuarantinedRecord.objects.filter(run=run).count()


def _page_store(run: ImportRun, channel: Channel, page: Page) -> None:
    """The page's rows, its quarantined records, the run's counts and cursor: one transaction."""
    found = list(page.quarantined)
    try:
        with transaction.atomic():
            counts = _write(run, channel, page)
            _page_done(run, page, counts, found)
        return
    except DataError:
        run.refresh_from_db(fields=["counts", "cursor"])  # what the rolled back page had added to them
    with transaction.atomic():
        counts = _write_splitting(run, channel, page, found)
        _page_done(run, page, counts, found)


def _page_done(run: ImportRun, page: Page, counts: dict[str, int], found: list[Quarantined]) -> None:
    for name, value in counts.items():
        run.counts[name] = run.counts.get(name, 0) + value
    if found:
        _quarantine(run, found)
    if page.cursor is not None:
        run.cursor[page.stream] = page.cursor
    if page.done:
        run.cursor[f"{page.stream}_done"] = True
    run.save(update_fields=["counts", "cursor", "updated_at"])


def import_run(
    run: ImportRun,
    pages: Callable[[ImportRun], Iterator[Page]],
    progress: Callable[[ImportRun], None] | None = None,
    *,
    until: float | None = None,
) -> ImportRun:
    """Write every page `pages(run)` gives (it starts after run.cursor); the run's status says how it ended. A bad
    record is quarantined and the run goes on. A failure is recorded on the run (its message names no secret: the
    HTTP layer's errors name the request's label, never its credentials) and raised again; a rate limit leaves it
    QUEUED (raised too). `until` (a time.monotonic() value): past it, the run stops after the page it wrote, QUEUED,
    for the next task to carry on from its cursor (a worker's task has a time limit; an import of a whole account
    does not fit in one)."""
    channel = imported_channel(run.source)
    run.status, run.error, run.started_at = ImportRun.Status.RUNNING, "", run.started_at or timezone.now()
    run.save(update_fields=["status", "error", "started_at", "updated_at"])
    try:
        for page in pages(run):
            _page_store(run, channel, page)
            if progress is not None:
                progress(run)
            # Only after a page with a cursor: a page without one (a documented page's people) is written again
            # by the next slice, with the tickets that follow it.
            if until is not None and page.cursor is not None and time.monotonic() >= until:
                run.status = ImportRun.Status.QUEUED
                run.save(update_fields=["status", "updated_at"])
                return run
    except RateLimited as exc:
        # Zendesk's limit is met in any import of size (a page of tickets asks for each one's comments): the run
        # waits it out and goes on from its cursor, QUEUED, the wait said on it; the caller waits (exc.retry_after).
        run.status, run.error = ImportRun.Status.QUEUED, str(exc)[:2000]
        run.save(update_fields=["status", "error", "updated_at"])
        raise
    except Exception as exc:
        run.status, run.error, run.finished_at = ImportRun.Status.FAILED, str(exc)[:2000], timezone.now()
        run.save(update_fields=["status", "error", "finished_at", "updated_at"])
        raise
    run.status, run.finished_at = ImportRun.Status.DONE, timezone.now()
    run.save(update_fields=["status", "finished_at", "updated_at"])
    return run
