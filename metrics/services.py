"""Keeping stored business first-reply times in step with the coverage schedule."""

from __future__ import annotations

from django.db import transaction

from mentions.coverage import coverage_load


def business_seconds_recompute(*, batch_size: int = 2000) -> int:
    """Recount every replied ticket's business first-reply time against the current schedule
    (after an admin edits it or adds a holiday). Returns the number of tickets updated."""
    from mentions.models import Ticket

    coverage = coverage_load()
    updated = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                Ticket.objects.filter(pk__gt=last_pk, first_reply_at__isnull=False)
                .order_by("pk")
                .only("pk", "requested_at", "first_reply_at", "first_reply_business_seconds")[:batch_size]
            )
            if not batch:
                return updated
            changed = []
            for ticket in batch:
                assert ticket.first_reply_at is not None  # the query takes replied tickets only
                value = coverage.seconds(ticket.requested_at, ticket.first_reply_at)
                if value != ticket.first_reply_business_seconds:
                    ticket.first_reply_business_seconds = value
                    changed.append(ticket)
            Ticket.objects.bulk_update(changed, ["first_reply_business_seconds"])
            updated += len(changed)
            last_pk = batch[-1].pk
