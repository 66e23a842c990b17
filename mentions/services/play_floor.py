"""Where Play's claim starts reading an oldest-first view: the requested time of the last ticket it claimed there.

Each claim assigns the first unlocked waiting ticket and so takes it out of the waiting index (its new row
version is not in it), but the old version's index entry stays until a scan finds that version dead to every
transaction (it then marks the entry, kill_prior_tuple) or VACUUM removes it. While any transaction on the server
holds back the xmin horizon (a report or an export in this database; on PostgreSQL 15 also a writing transaction in
another database, since an index scan checks a dead version against its snapshot's xmin before it looks at the
per-database horizon), no entry can be marked, and a claim read from the head of the index visits the heap once for
every ticket claimed since: 968 buffers after 960 claims instead of 5 (bench/claim_latency.py, issue 58).

The claimed tickets sit at the head of the view's order, before the ticket the last claim took. So the claim reads
from that ticket's requested time (`requested_at >= floor`, an index condition of ticket_waiting_idx): the entries
of tickets claimed before it are never visited. The floor is a start point only; it is shared by the web processes
through the cache, and kept for FLOOR_SECONDS from the claim that read the whole order:

- a claim from the floor that finds nothing reads the whole order (a ticket may wait before the floor);
- a ticket put back before the floor (skipped, unassigned, a follow-up returned, snooze over, an old post ingested
  late, a lock held elsewhere while a claim passed it) is served by the next claim that reads the whole order, at
  most FLOOR_SECONDS later; ticket_skip forgets its view's floor at once;
- no claim can take a ticket another holds: the claim itself is unchanged (FOR UPDATE SKIP LOCKED, then the UPDATE).

The order starts with the held-back key (mentions.models.play_order: sure noise last), so the floor remembers whether
the last claimed ticket was held back. When it was not, the claim reads only tickets not held back from its requested
time (the key equal to 0, then `requested_at >=`: one range of the index); when none is left it reads the whole order,
which serves the oldest held-back ticket. From a held-back floor it reads `requested_at >=` alone: a ticket not held
back that arrived since comes first, as the order says, and the index condition skips the entries before the floor
without visiting the heap.

Deadline-first views are read whole: their order puts a new urgent ticket first, before any floor.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.core.cache import cache

from mentions.models import View
from mentions.products import desk_products

FLOOR_SECONDS = 5.0


def _key(view_id: int, product_id: int | None) -> str:
    # Per product too: a view narrowed to a product (the queue's ?product=, mentions.selectors.view_narrowed) serves
    # other tickets than the whole view, and its floor would skip the older tickets of the other products.
    return f"play:floor:{view_id}:{product_id or ''}"


def floor_get(view: View) -> tuple[datetime, float, bool] | None:
    """Where the claim on `view` may start: the requested time of the last ticket claimed there, when a claim
    last read the whole order, and whether that ticket was held back as sure noise; None: read the whole order."""
    if view.order != View.Order.OLDEST:
        return None
    stored: Any = cache.get(_key(view.pk, view.product_id))
    if not stored or len(stored) != 3 or time.time() - stored[1] > FLOOR_SECONDS:
        return None  # a floor stored before it said whether it was held back: read the whole order once
    return stored[0], stored[1], stored[2]


def floor_set(view: View, requested_at: datetime, *, held: bool, since: float | None) -> None:
    """After a claim on `view` took a ticket requested at `requested_at` (`held`: held back as sure noise), having
    read the whole order (`since` None) or from a floor kept since `since`. Two claims at once may store their floors
    in either order: the earlier one only makes the next claim read a few entries more, or the whole order."""
    if view.order != View.Order.OLDEST:
        return
    stored = (requested_at, time.time() if since is None else since, held)
    cache.set(_key(view.pk, view.product_id), stored, timeout=int(FLOOR_SECONDS) + 1)


def floor_forget(view_id: int) -> None:
    """A ticket went back to the view's queue: the next claim reads the whole order, narrowed to a product or not."""
    cache.delete_many([_key(view_id, None), *(_key(view_id, p.pk) for p in desk_products().products)])


def floor_peek(view: View) -> datetime | None:
    """The stored floor whatever its age (bench/claim_latency.py EXPLAINs the claim from it after a run)."""
    stored: Any = cache.get(_key(view.pk, view.product_id))
    return stored[0] if stored else None
