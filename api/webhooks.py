"""Outgoing webhooks: ticket events read from the change feed and queued once per subscription and
event. Sending them is api.webhook_delivery's; which URLs may be reached, api.webhook_urls'."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from api.models import WebhookDelivery, WebhookSubscription
from mentions.change_feed import changes_after, feed_end
from mentions.models import Ticket, TicketEvent

Event = WebhookSubscription.Event


def event_name(event: TicketEvent) -> str | None:
    """The webhook event a history event is, if any."""
    if event.kind == TicketEvent.Kind.CREATED:
        return Event.CREATED
    if event.kind in (TicketEvent.Kind.REPLIED, TicketEvent.Kind.REPLY_SENT):
        return Event.REPLIED
    if event.kind == TicketEvent.Kind.STATUS and (event.data or {}).get("to") == Ticket.Status.SOLVED:
        return Event.SOLVED
    if event.kind == TicketEvent.Kind.SLA_BREACHED:
        return Event.BREACHED
    return None


def subscription_start(subscription: WebhookSubscription) -> None:
    """A new subscription reads from the feed's end: what happened before it is not sent."""
    subscription.position = feed_end()


def deliveries_queue() -> int:
    """Read each active subscription's share of the change feed; queue one delivery per wanted event
    and move its position, in one transaction (a crash queues nothing and moves nothing). Deliveries
    are made in feed order, so their ids are the order they go out in."""
    made = 0
    for sub_id in WebhookSubscription.objects.filter(active=True).values_list("pk", flat=True):
        with transaction.atomic():
            sub = WebhookSubscription.objects.select_for_update(skip_locked=True).filter(pk=sub_id).first()
            if sub is None:
                continue  # another worker is reading it
            page = changes_after(after=sub.position, limit=1000)
            rows = []
            for event in page.events:
                name = event_name(event)
                if name is not None and name in sub.events:
                    rows.append(
                        WebhookDelivery(
                            subscription=sub,
                            event_id=event.pk,
                            ticket_id=event.ticket_id,
                            event=name,
                            payload=_payload(event, name),
                        )
                    )
            WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
            WebhookSubscription.objects.filter(pk=sub.pk).update(position=page.position)
            made += len(rows)
    return made


def _payload(event: TicketEvent, name: str) -> dict[str, Any]:
    return {
        "event": f"ticket.{name}",
        "ticket": event.ticket_id,
        "ticket_url": f"{settings.DESK_BASE_URL}/tickets/{event.ticket_id}/",
        "history_event": {"id": event.pk, "kind": event.kind, "data": event.data},
        "actor": event.actor.get_username() if event.actor else None,
        "at": event.created_at.isoformat(),
    }
