"""A ticket moved to another product is judged again by that product's judgement (issue 71, docs/products.md): what
the ticket is to the team follows its product, as its new product's description, fingerprint and learned version
read it. In the worker (`mentions.judgement_follow`, queued when the move commits): judging reads the ticket's
meaning vector and the models, never in a web process.

A person's verdict stays: an advocate's judgement (`judged_by="advocate"`) is never written over, here or by the
runs. Idempotent: the task carries the move's event, and a second run for the same move finds its history line and
writes nothing; a run for a move since overtaken by another (the ticket has another product now) leaves it to that
move's own run."""

from __future__ import annotations

from django.db import transaction

from mentions.judgement.product import products_load
from mentions.judgement.run import batch_judge, verdicts_write
from mentions.models import JudgedBy, Ticket, TicketEvent


def judgement_follow(ticket_id: int, product_id: int, move_event_id: int) -> str:
    """Judge the ticket again as its product's, after the move `move_event_id` gave it `product_id`. Says what it
    did: "judged", "kept" (a person's verdict), or why there was nothing to do."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return "gone"
    if ticket.judged_by == JudgedBy.ADVOCATE:
        return "kept"
    if ticket.judged_at is None:
        return "not judged yet"  # the next judgement run judges it, by its product
    if ticket.product_id != product_id:
        return "moved again"
    done = TicketEvent.objects.filter(ticket_id=ticket_id, kind=TicketEvent.Kind.REJUDGED, data__move=move_event_id)
    if done.exists():
        return "done"
    verdict = batch_judge([ticket_id]).get(ticket_id)
    if verdict is None:
        return "nothing to judge"
    with transaction.atomic():
        # The runs' one way of writing a verdict (never over an advocate's judgement, saved meanwhile or not), on the
        # ticket only while it still has the product it was judged as: a move since is left to its own run.
        written = verdicts_write(Ticket.objects.filter(product_id=product_id), {ticket_id: verdict})
        if not written:
            return "kept"
        TicketEvent.objects.create(
            ticket_id=ticket_id,
            kind=TicketEvent.Kind.REJUDGED,
            actor=None,
            data={
                "move": move_event_id,
                "product": products_load().of(product_id).name,
                "from": ticket.judgement,
                "to": verdict.judgement,
                "confidence": None if verdict.confidence is None else round(verdict.confidence, 3),
                "reason": verdict.reason,
            },
        )
    return "judged"
