"""Erasing a person (people.privacy.erasure_hooks): the Slack lines about their tickets. A new-ticket line
is a copy of the requester's message, so on a ticket they opened it is emptied whole; elsewhere (and in
pings, digests and front-page announcements) their name and handle are replaced where they stand, in every
text column."""

from __future__ import annotations

from notifications.models import CoverageDigest, FrontPageStory, SlackNotice, UrgentPing
from people.erasing import ERASED, Erasing

# Every model of the notifications app can name a ticket's requester: none is declared free.
FREE_OF_PERSONAL_DATA: dict[str, str] = {}


def slack_rows_erase(*, erasing: Erasing) -> dict[str, int]:
    opened = SlackNotice.objects.filter(ticket_id__in=erasing.opened_ticket_ids).exclude(text=ERASED)
    counts = {"slack_notices": opened.update(text=ERASED)}
    counts["slack_notices"] += erasing.scrub(SlackNotice.objects.filter(ticket_id__in=erasing.ticket_ids))
    counts["urgent_pings"] = erasing.scrub(UrgentPing.objects.filter(ticket_id__in=erasing.ticket_ids))
    counts["front_page_stories"] = erasing.scrub(FrontPageStory.objects.filter(ticket_id__in=erasing.ticket_ids))
    # A digest lists many tickets (their ids in JSON, which SQLite cannot search by containment): read in
    # Python, as there is one digest per covered day.
    theirs = set(erasing.ticket_ids)
    digests = [pk for pk, ids in CoverageDigest.objects.values_list("pk", "ticket_ids") if theirs & set(ids or [])]
    counts["coverage_digests"] = erasing.scrub(CoverageDigest.objects.filter(pk__in=digests))
    return counts
