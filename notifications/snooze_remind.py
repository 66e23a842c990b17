"""The Slack reminder of a snoozed ticket that came back (mentions.services.snooze's wake hook): a direct
message to its owner, when they ticked "remind me in Slack" on the snooze form. Queued in the waking
transaction through the Slack outbox (posted by its flush, retried while Slack is down, never twice), to the
owner's Slack member id: their desk profile's (mentions.AdvocateProfile), else the one an expert entry of
theirs names. An owner without one gets the in-desk marker only (logged)."""

from __future__ import annotations

import logging

from django.conf import settings

from channels.adapters.slack.client import slack_escape, slack_link
from experts.models import Expert
from mentions.models import AdvocateProfile
from mentions.models.tickets import ticket_path
from mentions.services.snooze import Woken
from notifications.models import SlackNotice

logger = logging.getLogger(__name__)

SUBJECT_CHARS = 120
SNOOZE_LOG = "snooze reminders: %d owner(s) without a Slack member id"
REASONS = {"time": "snooze ended", "reply": "the requester answered"}


def _member_id(handle: str) -> str:
    """A Slack member id (U…/W…) as written in a profile or an expert's handle; "" for anything else."""
    handle = handle.strip().lstrip("@")
    return handle if handle[:1] in ("U", "W") and handle.isalnum() and handle.isupper() else ""


def slack_members(owner_ids: set[int]) -> dict[int, str]:
    """Each owner's Slack member id, from their desk profile, else from an expert entry of theirs (two queries)."""
    found = {
        user: member
        for user, handle in AdvocateProfile.objects.filter(user_id__in=owner_ids).values_list(
            "user_id", "slack_user_id"
        )
        if (member := _member_id(handle))
    }
    missing = owner_ids - set(found)
    if missing:
        for user, handle in Expert.objects.filter(user_id__in=missing, active=True).values_list(
            "user_id", "slack_handle"
        ):
            if user is not None and user not in found and (member := _member_id(handle)):
                found[user] = member
    return found


def ticket_bullet(ticket_id: int, subject: str) -> str:
    """A DM line's start: the ticket's link and its subject, one line, cut at SUBJECT_CHARS, escaped for Slack."""
    subject = " ".join(subject.split())
    if len(subject) > SUBJECT_CHARS:
        subject = subject[: SUBJECT_CHARS - 1] + "…"
    link = slack_link(f"{settings.DESK_BASE_URL}{ticket_path(ticket_id)}", f"#{ticket_id}")
    return f"• {link} {slack_escape(subject)}"


def reminder_line(woken: Woken) -> str:
    return f"{ticket_bullet(woken.ticket_id, woken.subject)} ({REASONS.get(woken.reason, 'back')})"


def snooze_reminders_queue(woken: list[Woken]) -> None:
    """Queue one DM line per woken ticket whose owner has a Slack member id."""
    dm_lines_queue([(w.owner_id, w.ticket_id, reminder_line(w)) for w in woken], SlackNotice.Kind.REMINDER, SNOOZE_LOG)


def dm_lines_queue(lines: list[tuple[int, int, str]], kind: str, log: str) -> None:
    """Queue each (user id, ticket id, text) as a DM line to the user's Slack member id, in the caller's transaction
    (posted by the outbox's flush, never twice); a user without a member id gets none, counted in the `log` line."""
    members = slack_members({user for user, _, _ in lines})
    rows = [
        SlackNotice(destination=members[user], ticket_id=ticket_id, kind=kind, text=text)
        for user, ticket_id, text in lines
        if user in members
    ]
    if len(rows) < len(lines):
        logger.info(log, len(lines) - len(rows))
    if rows:
        SlackNotice.objects.bulk_create(rows)
        from notifications.outbox import flush_after_commit

        flush_after_commit()
