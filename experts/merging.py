"""Two tickets merged while each has an open outreach to the same expert (mentions.services.merge_hooks).

One open outreach per ticket and expert is the table's rule (a double submit never asks twice), so the two
become one: the one further along is kept (sent before pending; of two alike, the earlier), with its Slack
thread; the other is closed as merged, pointing at the one kept, and keeps its own Slack channel, message
time and link, which the target's history also records. A merged outreach is never posted (the delivery
only posts pending ones) and does not count in the expert's figures (the expert was asked once about this
conversation). Runs in the merge's transaction: the open outreaches of both tickets are locked first, so an
answer, a decline or a Slack delivery of one of them finishes before (and is seen) or waits until after.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils import timezone

from experts.models import Outreach
from mentions.models import Ticket, TicketEvent
from mentions.services.events import event_record

OPEN = (Outreach.Status.PENDING, Outreach.Status.SENT)
_STAGE: dict[str, int] = {Outreach.Status.SENT: 0, Outreach.Status.PENDING: 1}


def _precedence(outreach: Outreach) -> tuple[int, Any, int]:
    return (_STAGE[outreach.status], outreach.sent_at or outreach.created_at, outreach.pk)


def outreaches_merge(*, source: Ticket, target: Ticket, user: Any) -> dict[str, Any]:
    """Combine the open outreaches of `source` and `target` that ask the same expert. Returns, for the merge
    event, which were combined into which."""
    rows = list(
        Outreach.objects.select_for_update(of=("self",))
        .select_related("expert")
        .filter(ticket_id__in=[source.pk, target.pk], status__in=OPEN)
        .order_by("pk")
    )
    by_expert: dict[int, list[Outreach]] = defaultdict(list)
    for outreach in rows:
        by_expert[outreach.expert_id].append(outreach)
    combined: list[dict[str, Any]] = []
    now = timezone.now()
    for same in by_expert.values():
        if len(same) < 2:
            continue
        kept, *closed = sorted(same, key=_precedence)
        for outreach in closed:
            was = outreach.status
            outreach.status = Outreach.Status.MERGED
            outreach.merged_into = kept
            outreach.updated_at = now
            outreach.save(update_fields=["status", "merged_into", "updated_at"])
            slack = {
                "slack_channel": outreach.slack_channel,
                "slack_ts": outreach.slack_ts,
                "slack_permalink": outreach.slack_permalink,
            }
            event_record(
                ticket=target,
                kind=TicketEvent.Kind.NOTE,
                actor=user,
                outreach=outreach.pk,
                status=Outreach.Status.MERGED,
                was=was,
                expert=outreach.expert.name,
                into=kept.pk,
                from_ticket=outreach.ticket_id,
                **slack,
            )
            combined.append({"kept": kept.pk, "closed": outreach.pk, "expert": outreach.expert.name, **slack})
    return {"outreaches_combined": combined} if combined else {}
