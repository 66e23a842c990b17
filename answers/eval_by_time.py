"""The suggestions measured by time, through the product's own path (issue 74): a set's answered tickets arrive in
its order, STEPS slices of them, and after each slice the same questions are asked again as new mentions.

At each step, as the desk runs: the slice is stored as answered tickets, the worker's tasks run by name
(`answers.index` indexes them, `answers.meaning_fill` gives them their meaning), each question is stored as a new
ticket with its mention, `answers.suggest` computes and stores its suggestions as the intake hook queues it, and they
are read back from `GET /api/tickets/{id}/suggestions/` as a signed-in advocate reads them. The plain full-text OR query
(answers.evaluation.naive_ranked) runs on the same index in the same step. The questions are deleted after each step
(they never become answers), and everything is rolled back at the end.

With `--use`, the team's work is in the path too, as for the judgement (mentions.judgement.by_time): after each step
a quarter of half of the questions are asked and worked from the Answers panel's own views (`_work`), and the
`answers.fit_learn` task learns from what was recorded; the other half are the future questions, the same at every
step, that the figures are of. What the desk learnt from its team is then measured on questions it never saw worked.

A repeat counts as one at a step only once its first asking is indexed; before that nothing fits it yet, and the right
answer is no suggestion, as for the questions no earlier answer fits. So each step reports recall at 3 over the repeats
answerable then and silence over the rest, the plain query beside it; the last step holds the whole set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from celery import current_app
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client, override_settings

from answers.evaluation import (
    Figures,
    dataset_product,
    desk_back,
    desk_set_aside,
    figures_of,
    mention_stored,
    naive_ranked,
    set_channels,
    tickets_add,
)
from mentions.models import Ticket
from mentions.permissions.roles import ADVOCATES, roles_ensure

STEPS = 4
TASKS = ("answers.index", "answers.meaning_fill")


@dataclass
class Step:
    indexed: int  # answered tickets indexed so far
    desk: Figures
    plain: Figures | None  # the plain full-text query runs on PostgreSQL only (answers.evaluation)


class _Rollback(Exception):
    pass


def evaluate_by_time(data: dict, *, steps: int = STEPS, use: bool = False) -> list[Step]:
    """Each step's figures for the desk (through the worker's tasks and the API) and the plain query. With `use`, the
    team works half of the questions (every second one, a quarter of them after each step: `_work`) and
    `answers.fit_learn` runs after, and the figures are of the other half, the same at every step."""
    out: list[Step] = []
    try:
        with transaction.atomic(), override_settings(DESK_API_RATE="1000000/min"):  # a few hundred reads a minute
            desk_set_aside()
            tickets, queries = data["tickets"], data["queries"]
            channels = set_channels([*tickets, *queries], product=dataset_product(data))
            client = _advocate_client()
            future, worked = (queries[::2], queries[1::2]) if use else (queries, [])
            ids: dict[str, int] = {}
            for step in range(1, steps + 1):
                start, end = len(tickets) * (step - 1) // steps, len(tickets) * step // steps
                ids.update(tickets_add(tickets[start:end], channels, first=start))
                for name in TASKS:
                    current_app.tasks[name].apply(throw=True)
                if worked:
                    chunk = worked[len(worked) * (step - 1) // steps : len(worked) * step // steps]
                    _work(client, chunk, ids, _asked(chunk, channels, after=len(tickets)))
                    current_app.tasks["answers.fit_learn"].apply(throw=True)
                asked = _asked(future, channels, after=len(tickets))

                def shown(query: dict, asked: dict[str, int] = asked) -> list[int]:
                    return _shown(client, asked[query["id"]])

                desk = figures_of("desk", future, ids, shown)
                postgresql = connection.vendor == "postgresql"
                plain = figures_of("naive full-text OR", future, ids, naive_ranked) if postgresql else None
                out.append(Step(len(ids), desk, plain))
                Ticket.objects.filter(pk__in=asked.values()).delete()
            raise _Rollback
    except _Rollback:
        pass
    finally:
        desk_back()
    return out


def _asked(queries: list[dict], channels: dict, *, after: int) -> dict[str, int]:
    """The questions stored as new mentions and their suggestions computed by the worker's task, as intake queues it."""
    asked = _questions_stored(queries, channels, after=after)
    current_app.tasks["answers.suggest"].apply(args=(list(asked.values()),), throw=True)
    return asked


def _work(client: Client, queries: list[dict], ids: dict[str, int], asked: dict[str, int]) -> None:
    """A diligent team works these questions from the Answers panel: the earlier answer that is the question's first
    asking is inserted when shown (Insert reply), every other one shown gets "Doesn't fit"; through the panel's own
    views, which record what answers.fit.use learns from. The questions stay unanswered, so none joins the index."""
    for query in queries:
        ticket_id = asked[query["id"]]
        target = ids.get(query.get("target") or "")
        for answer in _shown(client, ticket_id):
            if answer == target:
                response = client.post(
                    f"/answers/tickets/{ticket_id}/use/{answer}/", headers={"Accept": "application/json"}
                )
            else:
                response = client.post(
                    f"/answers/tickets/{ticket_id}/dismiss/{answer}/", headers={"HX-Request": "true"}
                )
            assert response.status_code == 200, (response.status_code, response.content[:200])


def _advocate_client() -> Client:
    user = get_user_model().objects.create_user(username="evaluation-advocate", password=None)
    roles_ensure()
    user.groups.add(Group.objects.get(name=ADVOCATES))
    client = Client()
    client.force_login(user)  # the API takes a signed-in session as it takes a token (answers imports nothing of api)
    return client


def _questions_stored(queries: list[dict], channels: dict, *, after: int) -> dict[str, int]:
    """Each question as a new ticket with its mention, after every answered ticket of the set; ids by name."""
    at = datetime(2026, 1, 5, 9, tzinfo=UTC) + timedelta(hours=3 * after)
    return {q["id"]: mention_stored(q, channels, at=at, external_id=f"ask-{q['id']}").pk for q in queries}


def _shown(client: Client, ticket_id: int) -> list[int]:
    response = client.get(f"/api/tickets/{ticket_id}/suggestions/")
    body = response.json()
    assert response.status_code == 200 and not body["pending"], (response.status_code, body)
    return [row["ticket"] for row in body["results"]]
