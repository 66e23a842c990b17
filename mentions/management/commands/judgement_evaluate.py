"""`manage.py judgement_evaluate [--dataset PATH ...]`: the judgement on labelled sets, the held-out sets first.

The default report is **by time** (mentions.judgement.by_time): each set's oldest two thirds worked in steps through
the desk's own services and `judgement_learn`, the newest third judged by the worker's path after each step, with
counts and bootstrap 90 % intervals. It needs an empty database (it refuses one with worked tickets of its own).

`--at-once`: the whole set judged by the cold start in one go, with the confusion table (`--misses` lists each
mention judged otherwise). `--unsure-first 0,25,50`: the most-unsure-first curve (curve.py): it corrects the
mentions the model is least sure of and scores the rest, a smaller and easier population at each k, so it is no
figure of what a team will see. `--keep` (by time, one set): the worked desk stays in the database, the newest
third judged, to look at in admin and the queue. The other reports run in a rolled-back transaction and leave
nothing. `--endpoint URL --model NAME [--api-key-env VAR]`: judged by that OpenAI-compatible endpoint
(mentions.judgement.evaluation_endpoint).
`--without-itself` (with `--at-once`): a set the shipped models trained on is judged by them refitted without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mentions.judgement.evaluation import dataset_evaluate, dataset_label, datasets_default, report_lines


class Command(BaseCommand):
    help = "The mentions' judgement on labelled sets, by time through the desk's own path (held-out sets first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", action="append", default=[], help="A labelled set (JSON); repeatable.")
        parser.add_argument("--at-once", action="store_true", help="The cold start on the whole set, in one go.")
        parser.add_argument("--misses", action="store_true", help="With --at-once: each mention judged otherwise.")
        parser.add_argument(
            "--unsure-first",
            default="",
            help="The most-unsure-first curve (not a goal figure): correct k, judge the rest; e.g. 0,25,50,100.",
        )
        parser.add_argument(
            "--without-itself",
            action="store_true",
            help="Judge a set the shipped models trained on by them refitted without it (leave one product out).",
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="By time, one set: keep the worked desk (versions, exclusions, the queue) instead of rolling back.",
        )
        parser.add_argument("--endpoint", help="Judge with this OpenAI-compatible endpoint (…/v1), not the desk's.")
        parser.add_argument("--model", help="The endpoint's model name (with --endpoint).")
        parser.add_argument("--api-key-env", help="The environment variable holding the endpoint's API key.")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(p) for p in options["dataset"]]
        sets = [(dataset_label(p), p) for p in paths] if paths else datasets_default()
        for _, path in sets:
            if not path.exists():
                raise CommandError(f"No such dataset: {path}")
        if options["endpoint"]:
            from mentions.judgement.evaluation_endpoint import endpoint_evaluate

            return endpoint_evaluate(self.stdout, sets, options)
        try:
            curve = [int(k) for k in options["unsure_first"].split(",") if k.strip()]
        except ValueError as error:
            raise CommandError(
                f"--unsure-first takes numbers separated by commas: {options['unsure_first']!r}"
            ) from error
        if options["at_once"] or curve:
            for label, path in sets:
                report = dataset_evaluate(path, label, learn=curve, without_itself=options["without_itself"])
                self.stdout.write("\n".join(report_lines(report, misses=options["misses"])))
            return None
        from mentions.judgement.by_time import DeskNotEmpty, by_time_evaluate, by_time_lines

        if options["keep"] and len(sets) != 1:
            raise CommandError("--keep works one set: name it with --dataset.")
        for label, path in sets:
            try:
                timed = by_time_evaluate(path, label, keep=options["keep"])
            except DeskNotEmpty as error:
                raise CommandError(str(error)) from error
            self.stdout.write("\n".join(by_time_lines(timed)))
        return None
