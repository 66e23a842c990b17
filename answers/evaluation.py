"""How well the suggestions find an earlier answer: recall at 3 and mean reciprocal rank on a set of answered
tickets and questions asked again in other words (answers/eval/dataset.json, described in docs/answers.md).

The set's tickets are loaded as the desk stores them (channels, tickets, the mention and our reply), indexed
the way answers.index indexes, and each question is asked as a new ticket would ask it. The naive baseline is
the plain full-text query a first version would write: every word of the question OR-ed together over the
question and our answer (PostgreSQL 'english', ts_rank_cd), so it runs on PostgreSQL only. Everything is
written in a transaction rolled back at the end (`manage.py answers_evaluate` on any database).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.db import connection, transaction

from answers.index import answers_index
from answers.suggestions import text_suggestions
from channels.models import Channel
from mentions.models import Message, Ticket

DATASET = Path(__file__).parent / "eval" / "dataset.json"
KINDS = {"stackoverflow": "stackexchange"}
DEPTH = 10  # ranks read for the reciprocal rank; a target further down counts 0


@dataclass
class Figures:
    name: str
    queries: int
    at_3: int
    mrr: float
    misses: list[str]

    @property
    def recall_at_3(self) -> float:
        return self.at_3 / self.queries if self.queries else 0.0


class _Rollback(Exception):
    pass


def dataset_load(path: Path = DATASET) -> dict:
    return json.loads(path.read_text())


def evaluate(data: dict, *, baseline: bool = True, only: Callable[[int], bool] | None = None) -> list[Figures]:
    """The desk's figures and, on PostgreSQL, the baseline's, for the queries whose index `only` keeps."""
    out: list[Figures] = []
    try:
        with transaction.atomic():
            ids = tickets_load(data["tickets"])
            answers_index(everything=True)
            queries = [q for i, q in enumerate(data["queries"]) if only is None or only(i)]
            out.append(_figures("desk", queries, ids, _desk))
            if baseline and connection.vendor == "postgresql":
                out.append(_figures("naive full-text OR", queries, ids, _naive))
            raise _Rollback
    except _Rollback:
        pass
    return out


def tickets_load(tickets: list[dict]) -> dict[str, int]:
    """The set's tickets as the desk stores them; their ids by the set's names."""
    kinds = {KINDS.get(t["platform"], t["platform"]) for t in tickets}
    # bulk_create: a channel's save validates its platform settings, which the set has no use for.
    made = Channel.objects.bulk_create(
        [Channel(kind=kind, name=f"Evaluation {kind}", slug=f"evaluation-{kind}") for kind in sorted(kinds)]
    )
    channels = {c.kind: c for c in made}
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    ids: dict[str, int] = {}
    for n, t in enumerate(tickets):
        at = start + timedelta(hours=3 * n)
        channel = channels[KINDS.get(t["platform"], t["platform"])]
        ticket = Ticket.objects.create(
            channel=channel,
            subject=t.get("title", "")[:300],
            status=Ticket.Status.SOLVED,
            requested_at=at,
            first_reply_at=at + timedelta(hours=1),
        )
        Message.objects.bulk_create(
            [
                Message(ticket=ticket, channel=channel, kind=Message.Kind.INBOUND, external_id=f"q-{t['id']}",
                        title=t.get("title", "")[:300], body=t["question"], platform_created_at=at),
                Message(ticket=ticket, channel=channel, kind=Message.Kind.OUR_REPLY, external_id=f"a-{t['id']}",
                        body=t["reply"], platform_created_at=at + timedelta(hours=1)),
            ]
        )  # fmt: skip
        ids[t["id"]] = ticket.pk
    return ids


def _desk(query: dict) -> list[int]:
    return [s.ticket_id for s in text_suggestions(query.get("title", ""), query["question"], limit=DEPTH)]


def _naive(query: dict) -> list[int]:
    document = "to_tsvector('english', a.title || ' ' || a.question || ' ' || a.reply)"
    words = "replace(plainto_tsquery('english', %s)::text, '&', '|')::tsquery"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.ticket_id FROM answers_answer a, (SELECT {words} AS q) w WHERE {document} @@ w.q "  # noqa: S608
            f"ORDER BY ts_rank_cd({document}, w.q) DESC, a.ticket_id LIMIT %s",
            [query.get("title", "") + "\n" + query["question"], DEPTH],
        )
        return [row[0] for row in cursor.fetchall()]


def _figures(name: str, queries: list[dict], ids: dict[str, int], rank: Callable[[dict], list[int]]) -> Figures:
    at_3, reciprocal, misses = 0, 0.0, []
    for query in queries:
        found = rank(query)
        target = ids[query["target"]]
        position = found.index(target) + 1 if target in found else 0
        at_3 += 1 if 0 < position <= 3 else 0
        reciprocal += 1 / position if position else 0.0
        if not 0 < position <= 3:
            misses.append(f"{query['id']} ({query.get('overlap', '?')}): rank {position or f'>{DEPTH}'}")
    return Figures(name, len(queries), at_3, reciprocal / len(queries) if queries else 0.0, misses)
