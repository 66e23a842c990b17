from argparse import ArgumentParser
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from stories.detection.evaluation import StoryFigures, dataset_load, datasets, evaluate


class Command(BaseCommand):
    help = (
        "Replay hand-written afternoons through the ingest and the story detector, and print each story's "
        "precision and recall: the held-out afternoon (stories/eval/heldout_sentry_afternoon.json) first when it "
        "is there, then those seen since (Supabase's, Tailscale's, Ghost's, Render's), then the release day the "
        "detector was tuned on; or the files given with --set. Writes nothing: each runs in a transaction rolled "
        "back at the end."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--set",
            "--dataset",
            dest="dataset",
            type=Path,
            action="append",
            help="A set file to score instead of the shipped ones (repeatable); its 'product' is configured.",
        )
        parser.add_argument(
            "--slice",
            type=int,
            default=10,
            help="Minutes of the afternoon stored before each detector run (default 10, a poll's worth). The same "
            "detector can score a story a few mentions apart at 5 and at 10: compare a change at more than one.",
        )
        parser.add_argument(
            "--verbose-misses",
            action="store_true",
            help="List the missed mentions (each with its cosine to the detected story in meaning) and the intruders.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        span = timedelta(minutes=options["slice"])
        for label, path in datasets(options["dataset"]):
            self._one(label, path, span=span, verbose=options["verbose_misses"])

    def _one(self, label: str, path: Path, *, span: timedelta, verbose: bool) -> None:
        data = dataset_load(path)
        result = evaluate(data, span=span)
        out = self.stdout.write
        out(f"== {label}: {path.name} ({data.get('product', '?')})")
        out(f"{len(data['background'])} background mentions, {len(data['mentions'])} on the afternoon")
        baseline = {b.label: b for b in result.baseline.stories} if result.baseline else {}
        for s in result.stories:
            out(f"{s.label:<10} {s.size:>3} mentions  {_figures(s)}")
            if s.label in baseline:
                out(f"{'':<10} link-only:    {_figures(baseline[s.label])}")
            if s.ceiling is not None:
                out(f"{'':<10} meaning alone, at best: {s.ceiling}/{s.size} at precision 0.9 (meaning_ceiling)")
            if verbose:
                out(f"           missed: {_missed(s)}; intruders: {', '.join(s.intruders) or '-'}")
        out(
            f"unrelated  {result.unrelated:>3} mentions  in a labelled story: {result.unrelated_in_labelled}  "
            f"in any story: {result.unrelated_in_any}"
        )
        if result.baseline:
            out(
                f"{'':<10} link-only:    in a labelled story: {result.baseline.unrelated_in_labelled}  "
                f"in any story: {result.baseline.unrelated_in_any}"
            )
        for name, members in result.other_stories:
            out(f"other      {name}: {', '.join(members)}")
        out("joined by: " + ", ".join(f"{via} {n}" for via, n in sorted(result.via.items())))


def _missed(s: StoryFigures) -> str:
    """Each missed mention with its cosine to the detected story in meaning, when known: 'm047 (0.21)'."""
    return ", ".join(f"{n} ({s.missed_cosine[n]:.2f})" if n in s.missed_cosine else n for n in s.missed) or "-"


def _figures(s: StoryFigures) -> str:
    return (
        f"precision {s.found}/{s.detected_size} = {s.precision:.3f}  recall {s.found}/{s.size} = {s.recall:.3f}  "
        f"pieces {s.fragments}  intruders {len(s.intruders)}"
    )
