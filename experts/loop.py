"""Closing the loop: an expert's answer on the platform, seen by ingestion, is recorded on
the ticket as our reply, answers the open outreach, tags the ticket and (by the views'
policy) solves it. Runs inside the ingest transaction."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from experts.models import Outreach
from intake.hooks import TeamMember

EXPERT_RESPONDED_TAG = "expert-responded"


def expert_replies_record(*, replies: list[tuple[Any, TeamMember]]) -> list[Any]:
    """`replies`: (stored Message with a ticket, who wrote it: experts.team). An expert's answer marks their open
    outreach answered, tags and solves its ticket. Returns TicketEvents for the caller to insert."""
    from mentions.models import Tag, Ticket, TicketEvent, View
    from mentions.services.actions import ticket_change_status

    # A desk user outside the directory was not asked through an outreach: nothing of theirs to settle here.
    expert_replies = [(m, w.expert_id) for m, w in replies if m.ticket_id and w.expert_id is not None]
    if not expert_replies:
        return []
    ticket_ids = {m.ticket_id for m, _ in expert_replies}
    open_outreach = {
        (o.ticket_id, o.expert_id): o
        for o in Outreach.objects.select_for_update().filter(
            ticket_id__in=ticket_ids, status__in=[Outreach.Status.SENT, Outreach.Status.PENDING]
        )
    }
    events: list[TicketEvent] = []
    answered: dict[int, Outreach] = {}
    for message, expert_id in sorted(expert_replies, key=lambda r: r[0].platform_created_at):
        outreach = open_outreach.pop((message.ticket_id, expert_id), None)
        if outreach is None:
            continue
        outreach.status = Outreach.Status.ANSWERED
        outreach.answered_at = message.platform_created_at
        start = outreach.sent_at or outreach.created_at
        outreach.answer_seconds = max(0, int((message.platform_created_at - start).total_seconds()))
        outreach.answer_message_id = message.pk
        outreach.updated_at = timezone.now()
        answered[outreach.pk] = outreach
        events.append(
            TicketEvent(
                ticket_id=message.ticket_id,
                kind=TicketEvent.Kind.NOTE,
                data={
                    "outreach": outreach.pk,
                    "status": "answered",
                    "expert_id": expert_id,
                    "answer_seconds": outreach.answer_seconds,
                    "external_id": message.external_id,
                },
            )
        )
    if answered:
        Outreach.objects.bulk_update(
            answered.values(), ["status", "answered_at", "answer_seconds", "answer_message", "updated_at"]
        )
        from experts.services import outreach_watch_end

        outreach_watch_end({o.ticket_id for o in answered.values()})

    tag, _ = Tag.objects.get_or_create(name=EXPERT_RESPONDED_TAG)
    through = Ticket.tags.through
    tagged = set(through.objects.filter(ticket_id__in=ticket_ids, tag=tag).values_list("ticket_id", flat=True))
    new_links = [through(ticket_id=t, tag_id=tag.pk) for t in sorted(ticket_ids - tagged)]
    through.objects.bulk_create(new_links)
    events.extend(
        TicketEvent(ticket_id=link.ticket_id, kind=TicketEvent.Kind.TAG_ADDED, data={"tag": EXPERT_RESPONDED_TAG})
        for link in new_links
    )

    solve_ids = {o.ticket_id for o in answered.values()}
    if solve_ids:
        views = list(View.objects.filter(is_active=True).only("channel_ids", "solve_on_expert_reply"))
        unsolved = Ticket.objects.filter(pk__in=solve_ids).exclude(status=Ticket.Status.SOLVED).order_by("pk")
        for ticket_id, channel_id in unsolved.values_list("pk", "channel_id"):
            covering = [v for v in views if not v.channel_ids or channel_id in v.channel_ids]
            if any(not v.solve_on_expert_reply for v in covering):
                continue
            # Through mentions' one door for status: the desk itself solves it (no advocate, no version seen),
            # its history says why, and Play no longer holds it for anyone.
            ticket_change_status(ticket=ticket_id, user=None, status=Ticket.Status.SOLVED, reason="expert answered")
    return events
