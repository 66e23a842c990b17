"""Erasing a person (people.privacy.erasure_hooks): the deliveries Slack sent the desk are stored as they came
(`SlackEvent.payload`, shown in admin), and a message there can quote a member: Slack echoes the desk's own line
about a new ticket (its subject, their words) and the replies in its thread, and an expert answers an outreach in
its thread.

A delivery names no ticket, so two ways in. Those in the Slack thread of a line the desk posted about one of their
tickets (a new-ticket line, an urgent ping, an outreach: matched by the message's ts) lose, besides their strings,
the subjects of the tickets they opened, as the lines show them. Any other delivery can only be found by what it
holds: the table is scanned for their strings (name, handles, addresses), replaced where they stand in every text
column; the rest of the delivery is kept for the worker.
"""

from __future__ import annotations

import dataclasses

from django.db.models import Q

from experts.models import Outreach
from mentions.models import Ticket
from notifications.models import SlackNotice, UrgentPing
from people.erasing import Erasing
from slackapp.models import SlackEvent

# Every model of the Slack app can hold a member's words: none is declared free.
FREE_OF_PERSONAL_DATA: dict[str, str] = {}
# Where a delivery says which message it is, or which thread it is in: events, shortcuts, button presses.
_TS_KEYS = (
    "event__ts",
    "event__thread_ts",
    "event__message__ts",
    "event__message__thread_ts",
    "message__ts",
    "message__thread_ts",
    "message_ts",
    "container__message_ts",
    "container__thread_ts",
)
SUBJECT_SHOWN = 119  # the Slack lines cut a subject at 120 characters, the last an ellipsis


def _their_threads(ticket_ids: list[int]) -> list[str]:
    """The ts of every Slack message the desk posted about these tickets, and of the threads they are in."""
    notices = SlackNotice.objects.filter(ticket_id__in=ticket_ids).values_list("slack_ts", "thread_ts")
    ts = {t for pair in notices for t in pair}
    ts |= set(UrgentPing.objects.filter(ticket_id__in=ticket_ids).values_list("slack_ts", flat=True))
    ts |= set(Outreach.objects.filter(ticket_id__in=ticket_ids).values_list("slack_ts", flat=True))
    return sorted(ts - {""})


def _subjects(ticket_ids: list[int]) -> list[str]:
    """The subjects of the tickets they opened, as a Slack line shows them (whole, or cut)."""
    out = []
    for subject in Ticket.objects.filter(pk__in=ticket_ids).values_list("subject", flat=True):
        shown = " ".join(subject.split())
        out += [shown, shown[:SUBJECT_SHOWN]] if len(shown) > SUBJECT_SHOWN + 1 else [shown]
    return out


def slack_events_erase(*, erasing: Erasing) -> dict[str, int]:
    threads = _their_threads(erasing.ticket_ids)
    tied = 0
    if threads:
        about_them = Q()
        for key in _TS_KEYS:
            about_them |= Q(**{f"payload__{key}__in": threads})
        with_subjects = dataclasses.replace(erasing, strings=[*erasing.strings, *_subjects(erasing.opened_ticket_ids)])
        tied = with_subjects.scrub(SlackEvent.objects.filter(about_them))
    # Tied to no ticket: found by what they hold, a scan of the table.
    return {"slack_events": tied + erasing.scrub(SlackEvent.objects.all())}
