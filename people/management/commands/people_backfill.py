"""Tie the inbound messages and tickets that have no person yet (people.backfill): after an ingest whose
people stage failed (logged), or to check that nothing is left untied. Safe to run at any time."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from people.backfill import people_backfill


class Command(BaseCommand):
    help = "Tie stored inbound messages and tickets without a person to their people."

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            counts = people_backfill(connection, timezone.now())
        self.stdout.write(
            f"people: {counts['people']} new, messages tied: {counts['messages']}, tickets tied: {counts['tickets']}"
        )
