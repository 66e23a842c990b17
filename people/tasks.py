"""People's work outside the request and the ingest's transaction. Thin: people.journey holds the logic."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="people.levels_refresh", ignore_result=True, acks_late=True)
def levels_refresh(person_ids: list[int]) -> None:
    """The open tickets of people who moved up a level take it (Ticket.requester_level). Queued on commit by the
    batch that moved them: writing tickets inside the ingest's transaction cost it a fifth of its throughput (their
    indexes and triggers), and a ticket's tie-break may wait a second. Idempotent: it sets what the person is now."""
    from people.journey.recompute import open_tickets_level

    open_tickets_level(person_ids)
