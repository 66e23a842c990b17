"""The Zendesk import at scale: 100,000 tickets (about 3 comments each: the requester's question, an agent's public
reply, and a follow-up or an internal note), 20,000 users (10 of them agents) in 500 organizations and 50 macros,
written as Zendesk's JSON export (one object a line) into a temporary directory, then imported through
`imports.running.run_execute` (the command's and the worker's path) into PostgreSQL. Prints the generation time
apart, the import's time and rows, then the answers' indexing of the imported replies, timed apart.

Run by hand, from the repository root:

    .venv/bin/python bench/import_zendesk.py [--tickets 100000] [--users 20000] [--organizations 500]

It wipes the channel, ticket, message, people, macro and import tables of the benchmark database (DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/triage_bench) before it starts. Target: the import in at most 10 minutes
on 2 vCPUs.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common

TARGET_SECONDS = 600
AGENTS = 10
WORDS = (
    "pipeline",
    "runner",
    "cache",
    "export",
    "invoice",
    "login",
    "password",
    "reset",
    "upgrade",
    "webhook",
    "token",
    "billing",
    "refund",
    "timeout",
    "error",
    "page",
    "slow",
    "merge",
    "request",
    "branch",
    "deploy",
    "registry",
    "container",
    "permission",
    "group",
    "project",
    "issue",
    "label",
)


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _write(path: Path, objects) -> None:
    with path.open("wb") as handle:
        for item in objects:
            handle.write(orjson.dumps(item) + b"\n")


def export_generate(root: Path, *, tickets: int, users: int, organizations: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    _write(root / "organizations.json", ({"id": 1000 + o, "name": f"Org {o}"} for o in range(organizations)))
    _write(
        root / "users.json",
        (
            {"id": 10_000 + u, "name": f"User {u}", "email": f"user{u}@example.com",
             "role": "agent" if u < AGENTS else "end-user", "organization_id": 1000 + u % organizations,
             "updated_at": "2024-01-01T00:00:00Z"}
            for u in range(users)
        ),
    )  # fmt: skip
    _write(
        root / "macros.json",
        (
            {"id": m, "title": f"Macro {m}", "updated_at": "2024-01-01T00:00:00Z",
             "actions": [{"field": "status", "value": "solved"}, {"field": "comment_value", "value": _text(rng, 12)}]}
            for m in range(50)
        ),
    )  # fmt: skip

    def ticket(t: int) -> dict:
        at = start + timedelta(minutes=5 * t)
        requester, agent = 10_000 + AGENTS + rng.randrange(users - AGENTS), 10_000 + rng.randrange(AGENTS)
        third_public = rng.random() < 0.5
        comments = [
            {"id": 3 * t, "author_id": requester, "public": True, "body": _text(rng, 30), "created_at": at.isoformat()},
            {"id": 3 * t + 1, "author_id": agent, "public": True, "body": _text(rng, 40),
             "created_at": (at + timedelta(minutes=rng.randrange(5, 600))).isoformat()},
            {"id": 3 * t + 2, "author_id": requester if third_public else agent, "public": third_public,
             "body": _text(rng, 15), "created_at": (at + timedelta(hours=12)).isoformat()},
        ]  # fmt: skip
        return {
            "id": t + 1, "subject": _text(rng, 6), "status": rng.choice(("solved", "solved", "closed", "open")),
            "priority": rng.choice(("low", "normal", "normal", "high", "urgent")), "requester_id": requester,
            "created_at": at.isoformat(), "updated_at": (at + timedelta(days=1)).isoformat(),
            "tags": rng.sample(WORDS, 2), "comments": comments,
        }  # fmt: skip

    _write(root / "tickets.json", (ticket(t) for t in range(tickets)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--organizations", type=int, default=500)
    args = parser.parse_args()
    _common.setup_django()
    _common.machine_print()

    from django.db import connection

    from answers.models import Answer
    from channels.models import Channel
    from imports.models import ExternalRef, ImportRun
    from imports.running import history_index, run_execute
    from imports.starting import run_create
    from mentions.models import Macro, MacroAction, Message, Tag, Ticket
    from people.models import Authorship, Identity, Person, Requester

    models = (Channel, Ticket, Message, Tag, Ticket.tags.through, Macro, MacroAction, Person, Identity, Authorship,
              Requester, ExternalRef, ImportRun, Answer)  # fmt: skip
    _common.truncate(*(connection.ops.quote_name(m._meta.db_table) for m in models))
    with tempfile.TemporaryDirectory(prefix="zendesk-export-") as folder:
        root = Path(folder)
        began = time.perf_counter()
        export_generate(root, tickets=args.tickets, users=args.users, organizations=args.organizations)
        size = sum(p.stat().st_size for p in root.iterdir()) / 1024 / 1024
        print(f"generated: {args.tickets:,} tickets, {args.users:,} users, {args.organizations:,} organizations "
              f"({size:.0f} MiB of export) in {time.perf_counter() - began:.1f} s", flush=True)  # fmt: skip
        run = run_create(kind=ImportRun.Kind.ZENDESK_FILES, path=str(root))
        began = time.perf_counter()
        run = run_execute(run.pk, index=False)
        took = time.perf_counter() - began
    counts = ", ".join(f"{name} {value:,}" for name, value in sorted(run.counts.items()))
    print(f"import: {took:.1f} s ({args.tickets / took:,.0f} tickets/s), status {run.status}: {counts}")
    rows = {m._meta.db_table: m.objects.count() for m in models if m not in (ImportRun, Answer)}
    print("rows: " + ", ".join(f"{table} {count:,}" for table, count in rows.items()))
    began = time.perf_counter()
    indexed = history_index(run.source)[0]
    print(f"answers indexed: {indexed:,} in {time.perf_counter() - began:.1f} s (apart from the import)")
    print(f"load avg after: {_common.load_average()}")
    verdict = "met" if took <= TARGET_SECONDS else "MISSED"
    print(f"Target: import in at most {TARGET_SECONDS} s: {took:.1f} s, {verdict}")


if __name__ == "__main__":
    main()
