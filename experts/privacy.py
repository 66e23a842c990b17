"""Erasing a person (people.privacy.erasure_hooks): the outreach about their tickets, in the advocate's
words and the expert's, may quote their name or handle."""

from __future__ import annotations

from experts.models import Outreach
from people.privacy import Erasing


def outreach_erase(*, erasing: Erasing) -> dict[str, int]:
    rows = Outreach.objects.filter(ticket_id__in=erasing.ticket_ids)
    return {"outreach": erasing.scrub(rows, "message", "decline_reason", "last_error")}
