"""Judging the tickets not yet judged, in the worker: live ones first, newest first, in batches, one UPDATE per batch.

Called by the `mentions.judgement_run` task after an ingest commits (with the new tickets' ids: those, at once) and
by beat every 20 s (without: `backlog_judge`, whatever is left). Live tickets (ingested by a poll or a
webhook) come before imported history (`Ticket.imported`), newest first in each, and a beat run stops starting
batches after SWEEP_SECONDS: after an import of 30,000 tickets or an outage's backlog, a live ticket is judged by its
own task or by the next run, whichever comes first, with at most one short run ahead of it on the worker's queue,
while the backlog drains behind, run after run (issue 69: 312 of 503 live tickets were still unjudged minutes after
a 30,001-ticket import; bench/judging_backlog.py). Idempotent: only rows with `judged_at IS NULL` are read and
written, and an advocate's judgement (`judged_by="advocate"`) is never overwritten, even one saved between the
read and the write (the UPDATE asks again)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db.models import Case, CharField, FloatField, Q, QuerySet, Value, When
from django.utils import timezone

from advocacy import embeddings
from advocacy.enqueue import task_enqueue_on_commit
from mentions.judgement.cascade import cascaded, second_model
from mentions.judgement.classify import Verdict, verdicts
from mentions.judgement.combine import ADVOCATE_NEAR, combined, other_sense_noise
from mentions.judgement.corrections import corrections_unembedded, judgement_corrected
from mentions.judgement.evidence import earlier, like_earlier
from mentions.judgement.examples import Shipped, examples_load
from mentions.judgement.exclusions import excluded_terms_applied, senses_not_declined
from mentions.judgement.features import MentionText, feature_matrix
from mentions.judgement.fingerprint import fingerprint_of
from mentions.judgement.intent import readings
from mentions.judgement.intent_model import intent_model
from mentions.judgement.learning import active_model
from mentions.judgement.product import JudgedProducts, Product, products_load
from mentions.judgement.product_texts import product_texts
from mentions.judgement.reading import answered_texts, first_mentions
from mentions.judgement.second_opinion import team_model_second_opinion
from mentions.judgement.shipped_model import shipped_model, shipped_without
from mentions.meaning import first_text, ticket_vectors
from mentions.models import JudgedBy, Judgement, TeamModelEndpoint, Ticket
from mentions.services.judgement_rules import judged_rules_run

BATCH = 200
# Beat's runs: batches of SWEEP_BATCH until SWEEP_SECONDS have passed. A live page's own run, queued behind one of
# them on the worker's queue (one process, one task at a time), waits at most about SWEEP_SECONDS and a batch.
SWEEP_BATCH = 100
SWEEP_SECONDS = 15.0


def _text(mention: MentionText) -> str:
    # The same words mentions.meaning.first_texts embeds: the title, then the text.
    return first_text(mention.title, mention.text)


def _follow_ups(mentions: list[MentionText]) -> dict[int, np.ndarray]:
    """The meaning of each author's newest follow-up (reading.first_mentions), for the intent: one embedding for
    each ticket its author wrote on again before it was judged (few: a ticket is judged seconds after its ingest)."""
    places = [n for n, m in enumerate(mentions) if m.follow_up]
    if not places:
        return {}
    vectors = embeddings.embed([first_text("", mentions[n].follow_up) for n in places])
    return dict(zip(places, vectors, strict=True))


@dataclass(frozen=True)
class HandRead:
    """Tickets as both readings see them: their first mentions, vectors (in `ids`' order) and the hand-written
    verdicts (classify.py), with the product's shipped reference points."""

    ids: list[int]
    mentions: dict[int, MentionText]
    matrix: np.ndarray
    hand: list[Verdict]
    shipped: Shipped


def hand_read(
    ticket_ids: list[int], product: Product, *, key: int | None = None, where: Q | None = None
) -> HandRead | None:
    """None when no ticket has an inbound message with a vector (missing vectors are computed and stored). `key`,
    `where`: the product whose advocates' corrections are examples (examples_load); every correction without."""
    mentions = first_mentions(ticket_ids)
    ids = [i for i in ticket_ids if i in mentions]
    vectors = ticket_vectors(ids, texts={i: _text(mentions[i]) for i in ids}) if ids else {}
    ids = [i for i in ids if i in vectors]
    if not ids:
        return None
    examples, shipped = examples_load(product.name, product.description, key=key, where=where)
    matrix = np.vstack([vectors[i] for i in ids])
    hand = verdicts([mentions[i] for i in ids], matrix, product, examples, shipped)
    return HandRead(ids=ids, mentions=mentions, matrix=matrix, hand=hand, shipped=shipped)


def tickets_by_product(ticket_ids: list[int], products: JudgedProducts) -> dict[int | None, list[int]]:
    """The batch's tickets by product, in `ticket_ids`' order: one query with several products, none with one."""
    if not products.desk.many:
        return {products.key(None): ticket_ids} if ticket_ids else {}
    product_of = dict(Ticket.objects.filter(pk__in=ticket_ids).values_list("pk", "product_id"))
    groups: dict[int | None, list[int]] = {}
    for ticket_id in ticket_ids:
        groups.setdefault(products.key(product_of.get(ticket_id)), []).append(ticket_id)
    return groups


def batch_judge(ticket_ids: list[int], product: Product | None = None, *, without: str = "") -> dict[int, Verdict]:
    """The verdict of each ticket (those without an inbound message are left out), each by its own product's
    judgement (issue 71): the batch's tickets are grouped by product, the products read once, and each group judged
    with its product's description, fingerprint and active version. `product`: every ticket judged as that product's,
    with the first product's version (the evaluation judges another product's mentions). `without`: a shipped
    training set (its file name) the cold-start models are refitted without, for measuring on that set (the
    evaluation)."""
    products = products_load()
    groups = (
        {products.desk.default_id: (ticket_ids, product)}
        if product is not None
        else {key: (ids, products.of(key)) for key, ids in tickets_by_product(ticket_ids, products).items()}
    )
    judged: dict[int, Verdict] = {}
    mentions: dict[int, MentionText] = {}
    product_of: dict[int, Product] = {}
    for key, (ids, its) in groups.items():
        found, read = _group_judge(ids, its, products, key, without=without)
        judged |= found
        mentions |= read
        product_of |= dict.fromkeys(found, its)
    # The team model is asked once for the batch (its time budget is a run's), each mention with its product.
    return judged | team_model_second_opinion(judged, mentions, product_of)


def _group_judge(
    ticket_ids: list[int], product: Product, products: JudgedProducts, key: int | None, *, without: str
) -> tuple[dict[int, Verdict], dict[int, MentionText]]:
    """One product's tickets judged by its judgement; what the team taught (its active version, the earlier tickets a
    reason names, its answered history, the other senses of its channels) is that product's alone."""
    read = hand_read(ticket_ids, product, key=key, where=products.scope(key, field="ticket__product"))
    if read is None:
        return {}, {}
    ids, mentions, matrix, hand = read.ids, read.mentions, read.matrix, read.hand
    model = shipped_without(without) if without and shipped_model() is not None else active_model(products.stored(key))
    if model is None:  # the hand-written verdicts alone: no confidence, so nothing for the team model either
        return excluded_terms_applied(dict(zip(ids, hand, strict=True)), mentions), mentions
    listed = [mentions[i] for i in ids]
    features, cues = feature_matrix(listed, matrix, product, read.shipped)
    learned, confidence, _ = model.judge(features)
    if model.version == 0:
        # The shipped cold start: what it is unsure of goes to the second opinion (cascade.py). A desk's own
        # learned version decides alone.
        settled = np.array([c.bot or c.job_post or c.spam for c in cues]) | np.array(
            [v.reason == ADVOCATE_NEAR for v in hand]
        )
        learned, confidence, _ = cascaded(
            listed, features, product, learned, confidence, second=second_model(without=without), settled=settled
        )
    found = earlier(key, products.scope(key))
    fingerprint = fingerprint_of(
        product,
        learned_other=senses_not_declined(products.scope(key, field="channel__product")),
        answered=answered_texts(where=products.scope(key)),
        # One of several products reads its own docs and the desk's; one product, every docs page, as before.
        docs=product_texts(product_id=key if products.desk.many else None),
    )
    reading = readings(
        intent_model(without=without), listed, features, hand, cues, product, follow_ups=_follow_ups(listed)
    )
    judged = {
        i: other_sense_noise(
            combined(
                hand[n],
                learned[n],
                float(confidence[n]),
                cue_noise=cues[n].bot or cues[n].job_post or cues[n].spam,
                earlier=like_earlier(found, matrix[n], learned[n], skip=i),
                reading=reading[n],
            ),
            fingerprint.other_sense(mentions[i].whole),
            product.name,
        )
        for n, i in enumerate(ids)
    }
    # The exclusion terms a person accepted in admin (exclusions.py), before the team model reads the unsure.
    return excluded_terms_applied(judged, mentions), mentions


def _case(field: str, judged: dict[int, Verdict]) -> Case:
    return Case(
        *[When(pk=pk, then=Value(getattr(v, field))) for pk, v in judged.items()],
        output_field=CharField(),
    )


def verdicts_write(tickets: QuerySet[Ticket], judged: dict[int, Verdict]) -> int:
    """The desk's verdicts written on those of `tickets` that are in `judged`, in one UPDATE: the one way a verdict
    is stored (the runs' batch, a ticket judged again after a move: mentions.judgement.follow). Never over an
    advocate's judgement, whatever the caller's guard. Not updated_at: a verdict written in the background is no
    edit of the ticket. Returns the rows written."""
    if not judged:
        return 0
    return (
        tickets.filter(pk__in=list(judged))
        .exclude(judged_by=JudgedBy.ADVOCATE)
        .update(
            judgement=_case("judgement", judged),
            intent=_case("intent", judged),
            sentiment=_case("sentiment", judged),
            language=_case("language", judged),
            judgement_reason=_case("reason", judged),
            judgement_confidence=Case(
                *[When(pk=pk, then=Value(v.confidence)) for pk, v in judged.items()], output_field=FloatField()
            ),
            judged_by=Value(JudgedBy.DESK.value),
            judged_at=Value(timezone.now()),
        )
    )


def verdicts_store(judged: dict[int, Verdict]) -> int:
    """One UPDATE for the batch, guarded: still unjudged, never an advocate's. Returns the rows written."""
    return verdicts_write(Ticket.objects.filter(judged_at__isnull=True), judged)


def drafts_enqueue(ticket_ids: list[int]) -> None:
    """The team model's draft replies (answers.team_model_draft), when the admin switched drafts on: for the tickets
    not solved only. The task would skip a solved one anyway, but an imported history or the demo's month, judged
    in bulk, queued a task for each of its solved tickets (245 on the demo), ahead of the live tickets' drafts."""
    if ticket_ids and TeamModelEndpoint.objects.filter(enabled=True, drafts=True).exists():
        waiting = Ticket.objects.filter(pk__in=ticket_ids).exclude(status=Ticket.Status.SOLVED)
        for ticket_id in sorted(waiting.values_list("pk", flat=True)):
            task_enqueue_on_commit("answers.team_model_draft", ticket_id)


def unjudged_ids(ticket_ids: Iterable[int] | None = None, *, limit: int = BATCH) -> list[int]:
    """The tickets not yet judged (among `ticket_ids` when given): live ones first, then imported history, newest
    first in each (ticket_unjudged_idx)."""
    rows = Ticket.objects.filter(judged_at__isnull=True).exclude(judged_by=JudgedBy.ADVOCATE)
    if ticket_ids is not None:
        rows = rows.filter(pk__in=list(ticket_ids))
    return list(rows.order_by("imported", "-id").values_list("pk", flat=True)[:limit])


def backlog_judge() -> dict[str, int]:
    """Beat's run: whatever is left unjudged, live tickets first, for about SWEEP_SECONDS (see the docstring)."""
    return tickets_judge(batch=SWEEP_BATCH, batches=10_000, seconds=SWEEP_SECONDS)


def tickets_judge(
    ticket_ids: Iterable[int] | None = None, *, batch: int = BATCH, batches: int = 5, seconds: float | None = None
) -> dict[str, int]:
    """Judge up to `batches` batches of unjudged tickets, live ones first, newest first; with `seconds`, no batch is
    begun after that long. A ticket with no inbound message (none to judge) is marked judged with empty values, so
    it does not come back every run."""
    judged = written = 0
    wanted = list(ticket_ids) if ticket_ids is not None else None
    began = time.monotonic()
    for n in range(batches):
        if seconds is not None and n and time.monotonic() - began >= seconds:
            break
        ids = unjudged_ids(wanted, limit=batch)
        if not ids:
            break
        verdicts_by_id = batch_judge(ids)
        written += verdicts_store(verdicts_by_id)
        # The rules with a condition on the judgement, intent or sentiment (which could not match at intake).
        judged_rules_run(list(verdicts_by_id))
        drafts_enqueue([i for i, v in verdicts_by_id.items() if v.judgement == Judgement.NEEDS_RESPONSE])
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
