"""Moving a ticket to another of the desk's products (issue 71, docs/products.md).

Only its product changes: its messages, notes, tags, clocks and assignee stay as they are, and its history says who
moved it, from which product to which. Its judgement follows: once the move commits, the worker judges it again by
the new product's judgement and the history says so (mentions.judgement.follow; a person's verdict is kept). A
product that is not the desk's (deleted meanwhile, or never one) is refused. The move does not conflict with a reply
being written (mentions.services.versions), so it is not one of the versions a stale form is refused for, like a tag
or a note.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction

from advocacy.enqueue import task_enqueue_on_commit
from advocacy.hooks import Hooks
from mentions.models import Ticket, TicketEvent
from mentions.products import products_read
from mentions.services.events import ensure_can_act, event_record
from mentions.services.versions import ticket_lock


class ProductMovedHook(Protocol):
    """A ticket was moved to another product (in the move's transaction, the ticket locked)."""

    def __call__(self, *, ticket_id: int) -> None: ...


# Registered by answers (its AppConfig.ready()): the ticket's suggestions, ranked for its product, computed again.
product_moved_hooks: Hooks[ProductMovedHook] = Hooks(ProductMovedHook)


def ticket_move_product(*, ticket: Ticket, user: Any, product_id: int, seen_version: int | None = None) -> str:
    """Give the ticket the product `product_id`, recording who moved it from which product: the product's name, ""
    when it had that product already (nothing written). An empty product is the desk's first: a ticket from before
    products, moved to the first product, is not moved at all."""
    with transaction.atomic():
        ticket = ticket_lock(ticket, seen_version=seen_version, related=())
        ensure_can_act(ticket=ticket, user=user)
        products = products_read()
        target = next((p for p in products.products if p.pk == product_id), None)
        if target is None:
            raise ValidationError("Choose one of the desk's products.")
        before = products.get(ticket.product_id)
        if before is not None and before.pk == target.pk:
            return ""
        ticket.product_id = target.pk
        ticket.save(update_fields=["product", "updated_at"])
        moved = event_record(
            ticket=ticket,
            kind=TicketEvent.Kind.PRODUCT,
            actor=user,
            **{
                "from": before.name if before is not None else "",
                "to": target.name,
                "from_id": before.pk if before is not None else None,
                "to_id": target.pk,
            },
        )
        # In the worker, where the models are: a web process never judges (mentions.tasks.judgement_follow).
        task_enqueue_on_commit("mentions.judgement_follow", ticket.pk, target.pk, moved.pk)
        for hook in product_moved_hooks:
            hook(ticket_id=ticket.pk)
    return target.name
