"""The answer index's rate over a history: the indexer of this tree (or of another, --code) over the tickets
with ids up to --tickets, in one process, in a transaction rolled back (the database keeps its index).

    .venv/bin/python bench/answers_index.py --tickets 20000                          # this tree
    .venv/bin/python bench/answers_index.py --tickets 20000 --code /work/before-answers

A tree without answers.index.bulk (before issue 41) is timed on its incremental walk, 500 tickets a batch, as its
`answers_index --all` ran. The whole history: `time manage.py answers_index --all` on a copy of the database.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triage_bench_pages")

import _common
from _common import load_average, setup_django


class _Rollback(Exception):
    pass


def _before(index, n: int) -> int:
    """The indexer before issue 41: its own walk (eligible tickets not indexed, 500 a batch)."""
    from django.db.models import Exists, OuterRef

    from answers.models import Answer
    from mentions.models import Ticket

    added, after = 0, 0
    while True:
        qs = Ticket.objects.filter(index._eligible(), pk__gt=after, pk__lte=n)
        qs = qs.exclude(Exists(Answer.objects.filter(pk=OuterRef("pk"))))
        ids = list(qs.order_by("pk").values_list("pk", flat=True)[: index.BATCH])
        if not ids:
            return added
        added += index._index_batch(ids)
        after = ids[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=20_000, help="index the tickets with ids up to this")
    parser.add_argument("--code", default="", help="a tree whose indexer is measured (default: this one)")
    args = parser.parse_args()
    if args.code:
        sys.path.insert(0, args.code)
        _common.REPO = Path(args.code)
    setup_django()

    from django.db import transaction

    from answers.index import follow as index
    from answers.models import Answer

    try:
        with transaction.atomic():
            Answer.objects.filter(pk__lte=args.tickets).delete()
            started = time.perf_counter()
            if hasattr(index, "_index_batch"):
                added = _before(index, args.tickets)
            else:
                from answers.index.bulk import RANGE, range_index

                bounds = range(1, args.tickets + 1, RANGE)
                added = sum(range_index((low, min(low + RANGE, args.tickets + 1))) for low in bounds)
            elapsed = time.perf_counter() - started
            print(
                f"{Path(index.__file__).resolve().parent.parent}: {added:,} answers (ids <= {args.tickets:,}) in "
                f"{elapsed:.1f} s = {added / elapsed:.0f}/s, one process; load {load_average()}",
                flush=True,
            )
            raise _Rollback
    except _Rollback:
        pass


if __name__ == "__main__":
    main()
