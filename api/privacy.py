"""Erasing a person (people.privacy.erasure_hooks): the webhook deliveries about their tickets carry the
ticket as it was (subject, requester), kept after delivery; every text column of them is scrubbed."""

from __future__ import annotations

from api.models import WebhookDelivery
from people.erasing import Erasing

# The API app's models that hold no community member's text (model label: why).
FREE_OF_PERSONAL_DATA = {
    "api.ApiToken": "an API token: the name staff gave it, its first characters and a digest",
    "api.WebhookSubscription": "where webhook events go and their signing secret, configured by admins",
}


def deliveries_erase(*, erasing: Erasing) -> dict[str, int]:
    rows = WebhookDelivery.objects.filter(ticket_id__in=erasing.ticket_ids)
    return {"webhook_deliveries": erasing.scrub(rows)}
