"""Running an import (docs/importing.md): a source's pages (imports.zendesk_api, imports.zendesk_files,
imports.documented) written one page a transaction, the run's cursor and counts saved with each page's rows, so an
interrupted run resumes after the last page it wrote and a run's figures are what is in the database."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from channels.adapters.base import RateLimited
from channels.adapters.webhook.platform import PLATFORM as WEBHOOK
from channels.models import Channel
from imports.macros_write import macros_write
from imports.models import ImportRun
from imports.people_write import organizations_write, people_write
from imports.tickets_write import tickets_write

ORGANIZATIONS, USERS, MACROS, TICKETS = "organizations", "users", "macros", "tickets"


@dataclass
class Page:
    stream: str  # ORGANIZATIONS, USERS, MACROS or TICKETS
    items: list[Any]  # the records of imports.records (an organization: (id, name, stamp))
    cursor: Any = None  # where the stream goes on after this page; None: not resumable on its own
    done: bool = False  # the stream's last page
    # The source's objects of this page that could not be read (no id, no readable time): counted on the run, so an
    # import that skipped some says so instead of ending "done" without them.
    rejected: int = 0


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


def import_run(
    run: ImportRun,
    pages: Callable[[ImportRun], Iterator[Page]],
    progress: Callable[[ImportRun], None] | None = None,
    *,
    until: float | None = None,
) -> ImportRun:
    """Write every page `pages(run)` gives (it starts after run.cursor); the run's status says how it ended. A
    failure is recorded on the run (its message names no secret: the HTTP layer's errors name the request's
    label, never its credentials) and raised again; a rate limit leaves it QUEUED (raised too). `until` (a
    time.monotonic() value): past it, the run stops after the page it wrote, QUEUED, for the next task to carry
    on from its cursor (a worker's task has a time limit; an import of a whole account does not fit in one)."""
    channel = imported_channel(run.source)
    run.status, run.error, run.started_at = ImportRun.Status.RUNNING, "", run.started_at or timezone.now()
    run.save(update_fields=["status", "error", "started_at", "updated_at"])
    try:
        for page in pages(run):
            with transaction.atomic():
                counts = _write(run, channel, page)
                if page.rejected:
                    counts["rejected"] = page.rejected
                for name, value in counts.items():
                    run.counts[name] = run.counts.get(name, 0) + value
                if page.cursor is not None:
                    run.cursor[page.stream] = page.cursor
                if page.done:
                    run.cursor[f"{page.stream}_done"] = True
                run.save(update_fields=["counts", "cursor", "updated_at"])
            if progress is not None:
                progress(run)
            if until is not None and time.monotonic() >= until:
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
