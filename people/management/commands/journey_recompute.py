"""Recount everyone's contributor-journey points and levels from their activities and the current weights
(people.journey.recompute): what saving a weight or a level in admin does. Safe to run at any time."""

from django.core.management.base import BaseCommand

from people.journey.recompute import journey_recompute


class Command(BaseCommand):
    help = "Recount everyone's contributor-journey points and levels."

    def handle(self, *args: object, **options: object) -> None:
        changed = journey_recompute()
        self.stdout.write(f"journey: points recounted, {changed} people changed level")
