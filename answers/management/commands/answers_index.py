"""Index answered tickets for the suggestions now (beat does it every minute); --all walks every ticket."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from answers.index import answers_index, answers_prune


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Every answered ticket, not only the newest.")

    def handle(self, *args, all: bool, **options) -> None:
        added = answers_index(everything=all)
        pruned = answers_prune()
        self.stdout.write(f"{added} answers indexed, {pruned} dropped (merged or spam)")
