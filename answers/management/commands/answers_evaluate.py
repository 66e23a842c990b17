"""Recall at 3 and mean reciprocal rank of the suggestions, and of the naive full-text baseline (PostgreSQL),
on the evaluation set; nothing stays in the database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from answers.evaluation import DATASET, dataset_load, evaluate


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--dataset", type=Path, default=DATASET)
        parser.add_argument("--misses", action="store_true", help="List the questions missed in the top 3.")

    def handle(self, *args, dataset: Path, misses: bool, **options) -> None:
        data = dataset_load(dataset)
        self.stdout.write(f"{len(data['tickets'])} answered tickets, {len(data['queries'])} questions asked again")
        for figures in evaluate(data):
            self.stdout.write(
                f"{figures.name:<20} recall@3 {figures.at_3}/{figures.queries} = {figures.recall_at_3:.3f}"
                f"   MRR {figures.mrr:.3f}"
            )
            if misses:
                for line in figures.misses:
                    self.stdout.write(f"    {line}")
