from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from stories.evaluation import DATASET, dataset_load, evaluate


class Command(BaseCommand):
    help = (
        "Replay the hand-written release-day afternoon (stories/eval/release_day.json) through the ingest and the "
        "story detector, and print each story's precision and recall. Writes nothing: it runs in a transaction "
        "rolled back at the end."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dataset", type=Path, default=DATASET)
        parser.add_argument("--verbose-misses", action="store_true", help="List the missed and intruding mentions.")

    def handle(self, *args: Any, **options: Any) -> None:
        data = dataset_load(options["dataset"])
        result = evaluate(data)
        out = self.stdout.write
        out(f"{len(data['background'])} background mentions, {len(data['mentions'])} on the afternoon")
        for s in result.stories:
            pieces = "1 detected story" if s.fragments == 1 else f"{s.fragments} detected stories"
            out(
                f"{s.label:<10} {s.size:>3} mentions  precision {s.found}/{s.detected_size} = {s.precision:.3f}  "
                f"recall {s.found}/{s.size} = {s.recall:.3f}  in {pieces}"
            )
            if options["verbose_misses"]:
                out(f"           missed: {', '.join(s.missed) or '-'}; intruders: {', '.join(s.intruders) or '-'}")
        out(
            f"unrelated  {result.unrelated:>3} mentions  in a labelled story: {result.unrelated_in_labelled}  "
            f"in any story: {result.unrelated_in_any}"
        )
        for name, members in result.other_stories:
            out(f"other      {name}: {', '.join(members)}")
        out("joined by: " + ", ".join(f"{via} {n}" for via, n in sorted(result.via.items())))
