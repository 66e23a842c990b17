"""Erasing a person (people.privacy.erasure_hooks): the Slack lines about their tickets. A new-ticket line
is a copy of the requester's message, so on a ticket they opened it is emptied whole; elsewhere (and in
pings and digests) their name and handle are replaced where they stand."""

from __future__ import annotations

from notifications.models import CoverageDigest, SlackNotice, UrgentPing
from people.privacy import ERASED, Erasing


def slack_rows_erase(*, erasing: Erasing) -> dict[str, int]:
    opened = SlackNotice.objects.filter(ticket_id__in=erasing.opened_ticket_ids).exclude(text=ERASED)
    counts = {"slack_notices": opened.update(text=ERASED)}
    notices = SlackNotice.objects.filter(ticket_id__in=erasing.ticket_ids)
    counts["slack_notices"] += erasing.scrub(notices, "text", "last_error")
    pings = UrgentPing.objects.filter(ticket_id__in=erasing.ticket_ids)
    counts["urgent_pings"] = erasing.scrub(pings, "reasons", "last_error")
    # A digest lists many tickets (ids in JSON): the ones naming any of theirs.
    digests = CoverageDigest.objects.none()
    for ticket_id in erasing.ticket_ids:
        digests |= CoverageDigest.objects.filter(ticket_ids__contains=[ticket_id])
    counts["coverage_digests"] = erasing.scrub(digests, "text", "last_error")
    return counts
