"""The backfill (answers.index.bulk: ranges of ids, rows from arrays, workers) writes the same index as the
indexer that follows new answers (answers.index.follow), on the same tickets: the rows, their stems and the counts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from answers.index.follow import answers_index
from answers.models import Answer, Term
from answers.tests.test_suggestions import answered
from mentions.models import Message, Tag, Ticket
from mentions.tests.factories import MessageFactory, TicketFactory

FIELDS = [f.attname for f in Answer._meta.concrete_fields if f.attname != "indexed_at"]


def history() -> None:
    for n in range(12):
        answered(f"Runner {n} stuck pending", f"job {n} never starts, runner's tags?", f"Tag the runner {n}")
    later = answered("Registry 403", "docker push gives 403 denied", "Looking into it!")
    MessageFactory(ticket=later, kind=Message.Kind.OUR_REPLY, body="Fixed by https://docs.example.com/registry/auth",
                   platform_created_at=later.requested_at + timedelta(hours=2))  # fmt: skip
    untitled = answered("", "Cache keys: what changes them?", "The lock file's hash https://docs.example.com/c")
    MessageFactory(ticket=untitled, title="A later mention's title", body="ignored, not the first",
                   platform_created_at=untitled.requested_at + timedelta(minutes=5))  # fmt: skip
    merged = answered("Artifacts gone", "artifacts expire", "see docs https://docs.example.com/a")
    merged.merged_into = later
    merged.save()
    spam = answered("Cheap artifacts", "buy artifacts", "no https://spam.example.com")
    spam.tags.add(Tag.objects.get_or_create(name="spam")[0])
    blank = answered("Blank reply", "nothing said", "   ")
    assert blank.pk
    closed = TicketFactory(subject="Closed without a reply", status=Ticket.Status.SOLVED)
    closed.first_reply_at = closed.requested_at
    closed.save()
    MessageFactory(ticket=closed, body="artifacts expire")


def snapshot() -> tuple[list[tuple], dict[str, int]]:
    rows = list(Answer.objects.order_by("pk").values_list(*FIELDS))
    return rows, dict(Term.objects.filter(df__gt=0).values_list("term", "df"))


def test_the_backfill_writes_what_the_incremental_indexer_writes(django_db_setup, db):
    history()
    assert answers_index() == 14
    incremental = snapshot()
    Answer.objects.all().delete()
    Term.objects.all().delete()
    # Ranges of 3 ids: tickets of one answer fall in different ranges, and the counts add up across them.
    from answers.index.bulk import answers_backfill

    assert answers_backfill(span=3) == 14
    assert snapshot() == incremental
    assert incremental[1][""] == 14
    assert answers_index(everything=True) == 0  # nothing twice, nothing counted twice
    assert snapshot() == incremental


@pytest.mark.django_db(transaction=True)
def test_backfill_workers_index_each_answer_once():
    history()
    assert answers_index(everything=True, workers=2) == 14
    parallel = snapshot()
    assert parallel[1][""] == 14
    Answer.objects.all().delete()
    Term.objects.all().delete()
    assert answers_index() == 14
    assert snapshot() == parallel
    assert answers_index(everything=True, workers=2) == 0
    assert snapshot() == parallel
