"""Index answered tickets for the suggestions now (beat does it every minute); --all walks every ticket."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from answers.index.follow import answers_index, answers_prune


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Every answered ticket, not only the newest.")
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help="Processes for --all (the stems are built in Python: one process uses one core). Default 2.",
        )

    def handle(self, *args, all: bool, workers: int, **options) -> None:
        added = answers_index(everything=all, workers=workers)
        pruned = answers_prune()
        self.stdout.write(f"{added} answers indexed, {pruned} dropped (merged or spam)")
