"""Erasing a person (people.privacy.erasure_hooks): the outreach about their tickets, in the advocate's
words and the expert's, may quote their name or handle; every text column of it is scrubbed."""

from __future__ import annotations

from experts.models import Outreach
from people.erasing import Erasing

# The experts app's models that hold no community member's text (model label: why).
FREE_OF_PERSONAL_DATA = {
    "experts.ProductArea": "product areas, their Slack channels and keywords, kept by admins",
    "experts.Expert": "the team's experts, staff entered by admins",
    "experts.ExpertIdentity": "an expert's own accounts, so their answers on a platform count for the team",
    "experts.OutreachSettings": "the outreach template and channels, set by admins",
}


def outreach_erase(*, erasing: Erasing) -> dict[str, int]:
    return {"outreach": erasing.scrub(Outreach.objects.filter(ticket_id__in=erasing.ticket_ids))}
