"""The story detector: reads each new ticket once and puts it in a story when it tells the same story as others.

How a ticket joins a story is stories.detection.matching's; what is read of it (links, words, how usual each word is)
stories.detection.reading's. A word is distinctive when it is rare in the weeks before (TermDay; on a new desk without
weeks behind it, when it is not in most of the day's tickets); each ticket is indexed by its most bursting terms,
those used today well above their usual rate, so a release's or an outage's words win over a long post's rare
words. Everything a page of new tickets needs is read in a few queries and written with one statement per table.

Runs after each ingest committed (intake's after-ingest hook, in the worker), from beat for anything missed,
and at once with `manage.py stories_update`. Runs are serialised on the DetectorState row, and a ticket is read
once (its Signature), so running twice at once or again is harmless.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from mentions.coverage import Coverage
from mentions.models import Ticket
from stories.detection.matching import Matcher, story_core, window
from stories.detection.reading import DayCounts, page_read, read_ahead
from stories.locks import state_locked
from stories.models import DetectorState, Membership, Signature

__all__ = ["DetectResult", "stories_after_ingest", "stories_detect", "story_core", "window"]

logger = logging.getLogger(__name__)

BATCH = 500
SAFE_LAG = timedelta(minutes=15)  # older tickets are committed: the detector never looks below them again
SWEEP_EVERY = timedelta(minutes=1)
HOLD = timedelta(seconds=2)  # pages read in one transaction, holding the detector's lock, for at most this long
# Reading a history (pages come back full): an import's million tickets are read once, and each transaction's end
# writes the days' term counts and pays a commit; an advocate's edit of a story waits at most about this long.
HISTORY_HOLD = timedelta(seconds=20)
READ_AHEAD = 8  # pages read at once when reading a history


@dataclass
class DetectResult:
    read: int = 0
    joined: int = 0
    made: int = 0


def stories_after_ingest(*, ticket_ids: list[int], now: datetime | None, coverage: Coverage) -> dict[str, int]:
    """intake's after-ingest hook: read what was just stored (and anything earlier still unread)."""
    if not ticket_ids:
        return {}
    result = stories_detect()
    from stories.detection.spikes import spikes_after_detect  # spikes read what detection just wrote

    figures = {"stories_read": result.read, "stories_joined": result.joined, "stories_made": result.made}
    return {**figures, **spikes_after_detect()}


def stories_detect(
    *, batch: int = BATCH, sweep: bool = False, hold: timedelta | None = None, ahead: int = READ_AHEAD
) -> DetectResult:
    """Read every new ticket, a page at a time; then, at most every SWEEP_EVERY (or when `sweep`), the ones below
    that an ingest committed after a run had gone past them.

    New tickets are those above the highest one read (DetectorState.read_through): finding them is an index
    range, however many tickets the window holds. Looking below it for the rare ticket committed late reads the
    whole lagging range, so it is done once a minute, not after every ingest.

    Pages follow one another in one transaction for up to HOLD, the day's term counts written once for all of
    them and the commit paid once, while the lock taken first (state_locked) keeps an advocate's edit of a story
    waiting at most about that long. Once a page comes back full the run is reading a history (an import's
    thousands of pages): it holds for HISTORY_HOLD, and reads `ahead` pages at once (which tickets, their first
    mentions, tags and vectors: one query each instead of one per page). `hold` sets both holds (tests). Each
    page is still matched exactly as if it had a transaction of its own: the same pages, the same figures read."""
    total = DetectResult()
    sweeping = False
    after = 0  # the sweep's position
    backlog = False  # a page came back full: a history is being read
    while True:
        with transaction.atomic():
            state = state_locked()
            _jit_off()
            counts = DayCounts()
            began = time.monotonic()
            done = False
            while not done:
                size = batch * (ahead if backlog else 1)
                if sweeping:
                    chunk = _unread(low=max(state.last_ticket_id, after), high=state.read_through, batch=size)
                else:
                    chunk = _unread(low=max(state.last_ticket_id, state.read_through), high=None, batch=size)
                # The chunk's pages are the ones successive reads would return: matching a page marks only its
                # own tickets read, and the lock keeps other runs out.
                pages = [chunk[i : i + batch] for i in range(0, len(chunk), batch)] or [[]]
                backlog = backlog or len(pages[0]) == batch
                limit = (hold if hold is not None else (HISTORY_HOLD if backlog else HOLD)).total_seconds()
                cut = False
                with read_ahead([row["pk"] for row in chunk] if len(pages) > 1 else []):
                    for n, unread in enumerate(pages):
                        if unread:
                            _page_match(unread, counts, total)
                            state.runs += 1
                            if sweeping:
                                after = unread[-1]["pk"]
                            else:
                                state.read_through = unread[-1]["pk"]
                        if n + 1 < len(pages) and time.monotonic() - began > limit:
                            cut = True  # held long enough: the chunk's other pages are read again after the commit
                            break
                if cut:
                    break
                if len(pages[-1]) < batch and not sweeping and (sweep or _sweep_due(state)):
                    sweeping = True
                elif len(pages[-1]) < batch:
                    if sweeping:
                        _watermark_advance(state)
                    done = True
                if time.monotonic() - began > limit:
                    break
            counts.flush()
            state.save(update_fields=["runs", "read_through", "last_ticket_id", "swept_at", "updated_at"])
        if done:
            return total


def _page_match(unread: list[dict[str, Any]], counts: DayCounts, total: DetectResult) -> None:
    page, usual = page_read(unread, counts)
    matched = Matcher(page, usual).run()
    total.read += matched.read
    total.joined += matched.joined
    total.made += matched.made


def _jit_off() -> None:
    """PostgreSQL's JIT compiles a query whose estimated cost is high: a page's lookups of 1,500 index keys or
    8,000 terms are, and compiling them took 0.8-1 s each where running them took as long (EXPLAIN ANALYZE on a
    50,000-ticket history). For this transaction only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def _sweep_due(state: DetectorState) -> bool:
    return state.swept_at is None or timezone.now() - state.swept_at >= SWEEP_EVERY


def _unread(*, low: int, high: int | None, batch: int) -> list[Any]:
    # Read: in a story (its membership), or left outside one (its signature).
    signed = Signature.objects.filter(ticket_id=OuterRef("pk"))
    member = Membership.objects.filter(ticket_id=OuterRef("pk"))
    tickets = Ticket.objects.filter(pk__gt=low, merged_into__isnull=True)
    if high is not None:
        tickets = tickets.filter(pk__lte=high)
    return list(
        tickets.filter(~Exists(signed), ~Exists(member))
        .order_by("pk")
        .values("pk", "subject", "requested_at", "channel__kind", "product_id")[:batch]
    )


def _watermark_advance(state: DetectorState) -> None:
    """Nothing is left unread: tickets stored before SAFE_LAG ago are never looked at again."""
    now = timezone.now()
    safe = (
        Ticket.objects.filter(pk__gt=state.last_ticket_id, pk__lte=state.read_through, created_at__lt=now - SAFE_LAG)
        .aggregate(top=Max("pk"))["top"]
    )  # fmt: skip
    state.last_ticket_id = max(state.last_ticket_id, safe or 0)
    state.swept_at = now
