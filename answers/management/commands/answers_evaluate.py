"""Per evaluation set: recall at 3 and mean reciprocal rank of the suggestions on the questions asked again, and
the share of the questions no earlier answer fits that got no suggestion; the naive full-text baseline's too
(PostgreSQL). The held-out set (answers/eval/heldout_ghost.json) first when there is one, then the one seen since
(heldout.json), then the development set;
or the sets named with --dataset, in that order. Nothing stays in the database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from answers.evaluation import DATASET, HELDOUT, SEEN, Figures, dataset_load, dataset_product, evaluate


def label(path: Path) -> str:
    resolved = path.resolve()
    if resolved == HELDOUT.resolve():
        return "held-out"
    if resolved == SEEN.resolve():
        return "held-out, seen"
    return "development" if resolved == DATASET.resolve() else str(path)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--dataset", type=Path, action="append", dest="datasets", metavar="PATH",
            help="An evaluation set (repeatable). Default: the held-out set if present, then the development set.",
        )  # fmt: skip
        parser.add_argument("--misses", action="store_true", help="List the questions missed in the top 3.")
        parser.add_argument(
            "--noisy", action="store_true", help="List the questions nothing fits that got a suggestion, and why."
        )

    def handle(self, *args, datasets: list[Path] | None, misses: bool, noisy: bool, **options) -> None:
        paths = datasets or [p for p in (HELDOUT, SEEN, DATASET) if p.exists()]
        for path in paths:
            data = dataset_load(path)
            unfit = sum(1 for q in data["queries"] if q.get("target") is None)
            written = f", written {data['written']}" if data.get("written") else ""
            self.stdout.write(
                f"{label(path)} ({path.name}, product {dataset_product(data)}{written}): "
                f"{len(data['tickets'])} answered tickets, {len(data['queries']) - unfit} questions asked again, "
                f"{unfit} that no earlier answer fits"
            )
            for figures in evaluate(data):
                self._figures(figures, misses=misses, noisy=noisy)

    def _figures(self, figures: Figures, *, misses: bool, noisy: bool) -> None:
        line = (
            f"  {figures.name:<20} recall@3 {figures.at_3}/{figures.queries} = {figures.recall_at_3:.3f}"
            f"   MRR {figures.mrr:.3f}"
        )
        if figures.unfit:
            line += f"   no suggestion when nothing fits {figures.silent}/{figures.unfit} = {figures.silent_share:.0%}"
        self.stdout.write(line)
        if len(figures.by_overlap) > 1:  # the set says how much each question shares with the first asking
            parts = [f"{name} {hits}/{asked}" for name, (hits, asked) in figures.by_overlap.items()]
            self.stdout.write(f"  {'':<20} recall@3 by overlap: {', '.join(parts)}")
        for wanted, lines in ((misses, figures.misses), (noisy, figures.noisy)):
            if wanted:
                for text in lines:
                    self.stdout.write(f"      {text}")
