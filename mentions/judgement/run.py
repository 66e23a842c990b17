"""Judging the tickets not yet judged, in the worker: newest first, in batches, one UPDATE per batch.

Called by the `mentions.judgement_run` task after an ingest commits (with the new tickets' ids) and by beat
(without: whatever is left, newest first). Idempotent: only rows with `judged_at IS NULL` are read and
written, and an advocate's judgement (`judged_by="advocate"`) is never overwritten, even one saved between the
read and the write (the UPDATE asks again)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from django.db.models import Case, CharField, Value, When
from django.utils import timezone

from mentions.judgement.classify import Mention, Verdict, verdicts
from mentions.judgement.corrections import corrections_unembedded, judgement_corrected
from mentions.judgement.examples import examples_load
from mentions.judgement.product import Product, product_load
from mentions.meaning import TEXT_CHARS, ticket_vectors
from mentions.models import JudgedBy, Message, Ticket
from mentions.services.judgement import judgements_applied

BATCH = 200


def _mentions(ticket_ids: list[int]) -> dict[int, Mention]:
    """Each ticket's first inbound message as the judgement reads it, with the kind of channel it came from."""
    subjects = dict(Ticket.objects.filter(pk__in=ticket_ids).values_list("pk", "subject"))
    rows = (
        Message.objects.filter(ticket_id__in=ticket_ids, kind=Message.Kind.INBOUND)
        .order_by("ticket_id", "platform_created_at", "id")
        .values_list("ticket_id", "title", "body", "author_handle", "channel__kind")
    )
    found: dict[int, Mention] = {}
    for ticket_id, title, body, author, kind in rows:
        if ticket_id is None or ticket_id in found:
            continue
        found[ticket_id] = Mention(title=title or subjects.get(ticket_id, ""), text=body, author=author, platform=kind)
    return found


def _text(mention: Mention) -> str:
    # The same words mentions.meaning.first_texts embeds: the title, then the text.
    head = mention.title
    return (f"{head}\n{mention.text}" if head and head not in mention.text else mention.text)[:TEXT_CHARS]


def batch_judge(ticket_ids: list[int], product: Product | None = None) -> dict[int, Verdict]:
    """The verdict of each ticket (those without an inbound message are left out). `product`: the admin's
    profile unless given (the evaluation judges another product's mentions)."""
    mentions = _mentions(ticket_ids)
    ids = [i for i in ticket_ids if i in mentions]
    if not ids:
        return {}
    vectors = ticket_vectors(ids, texts={i: _text(mentions[i]) for i in ids})
    ids = [i for i in ids if i in vectors]
    if not ids:
        return {}
    product = product or product_load()
    examples, shipped = examples_load(product.name, product.description)
    matrix = np.vstack([vectors[i] for i in ids])
    return dict(zip(ids, verdicts([mentions[i] for i in ids], matrix, product, examples, shipped), strict=True))


def _case(field: str, judged: dict[int, Verdict]) -> Case:
    return Case(
        *[When(pk=pk, then=Value(getattr(v, field))) for pk, v in judged.items()],
        output_field=CharField(),
    )


def verdicts_store(judged: dict[int, Verdict]) -> int:
    """One UPDATE for the batch, guarded: still unjudged, never an advocate's. Returns the rows written."""
    if not judged:
        return 0
    return (
        Ticket.objects.filter(pk__in=list(judged), judged_at__isnull=True)
        .exclude(judged_by=JudgedBy.ADVOCATE)
        .update(
            judgement=_case("judgement", judged),
            intent=_case("intent", judged),
            sentiment=_case("sentiment", judged),
            language=_case("language", judged),
            judgement_reason=_case("reason", judged),
            judged_by=Value(JudgedBy.DESK.value),
            judged_at=Value(timezone.now()),
        )
    )


def unjudged_ids(ticket_ids: Iterable[int] | None = None, *, limit: int = BATCH) -> list[int]:
    """The newest tickets not yet judged (among `ticket_ids` when given)."""
    rows = Ticket.objects.filter(judged_at__isnull=True).exclude(judged_by=JudgedBy.ADVOCATE)
    if ticket_ids is not None:
        rows = rows.filter(pk__in=list(ticket_ids))
    return list(rows.order_by("-id").values_list("pk", flat=True)[:limit])


def tickets_judge(ticket_ids: Iterable[int] | None = None, *, batch: int = BATCH, batches: int = 5) -> dict[str, int]:
    """Judge up to `batches` batches of unjudged tickets, newest first. A ticket with no inbound message (none
    to judge) is marked judged with empty values, so it does not come back every run."""
    judged = written = 0
    wanted = list(ticket_ids) if ticket_ids is not None else None
    for _ in range(batches):
        ids = unjudged_ids(wanted, limit=batch)
        if not ids:
            break
        verdicts_by_id = batch_judge(ids)
        written += verdicts_store(verdicts_by_id)
        # The rules with a condition on the judgement, intent or sentiment (which could not match at intake).
        judgements_applied(list(verdicts_by_id))
        judged += len(verdicts_by_id)
        empty = [i for i in ids if i not in verdicts_by_id]
        if empty:
            Ticket.objects.filter(pk__in=empty, judged_at__isnull=True).exclude(judged_by=JudgedBy.ADVOCATE).update(
                judged_by=JudgedBy.DESK, judged_at=timezone.now()
            )
        if wanted is not None:
            wanted = [i for i in wanted if i not in ids]
        if len(ids) < batch:
            break
    # A correction made before its ticket had a vector teaches from now on.
    if taught := corrections_unembedded():
        ticket_vectors(taught)
        judgement_corrected()
    return {"judged": judged, "written": written}
