"""Erasing a person (people.privacy.erasure_hooks): the webhook deliveries about their tickets carry the
ticket as it was (subject, requester), kept after delivery."""

from __future__ import annotations

from api.models import WebhookDelivery
from people.privacy import Erasing


def deliveries_erase(*, erasing: Erasing) -> dict[str, int]:
    rows = WebhookDelivery.objects.filter(ticket_id__in=erasing.ticket_ids)
    return {"webhook_deliveries": erasing.scrub(rows, "payload", "last_error")}
