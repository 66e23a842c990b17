"""`manage.py judgement_evaluate [--dataset PATH ...] [--misses] [--without-itself]`: precision and recall of the
judgement on labelled sets, the held-out set first when it exists (mentions.judgement.evaluation). Runs in a rolled-back
transaction: nothing is left in the database. `--endpoint URL --model NAME [--api-key-env VAR]`: judged by that
OpenAI-compatible endpoint instead (mentions.judgement.evaluation_endpoint)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mentions.judgement.evaluation import dataset_evaluate, dataset_label, datasets_default, report_lines


class Command(BaseCommand):
    help = "Precision and recall of the mentions' judgement on labelled sets (held-out first, then development)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", action="append", default=[], help="A labelled set (JSON); repeatable.")
        parser.add_argument("--misses", action="store_true", help="List each mention judged otherwise than labelled.")
        parser.add_argument(
            "--learn",
            default="",
            help="The learning curve: correct k mentions (most unsure first), judge the rest; e.g. 0,25,50,100,200.",
        )
        parser.add_argument(
            "--without-itself",
            action="store_true",
            help="Judge a set the shipped models trained on by them refitted without it (leave one product out).",
        )
        parser.add_argument("--endpoint", help="Judge with this OpenAI-compatible endpoint (…/v1), not the desk's.")
        parser.add_argument("--model", help="The endpoint's model name (with --endpoint).")
        parser.add_argument("--api-key-env", help="The environment variable holding the endpoint's API key.")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(p) for p in options["dataset"]]
        sets = [(dataset_label(p), p) for p in paths] if paths else datasets_default()
        if options["endpoint"]:
            from mentions.judgement.evaluation_endpoint import endpoint_evaluate

            return endpoint_evaluate(self.stdout, sets, options)
        for label, path in sets:
            if not path.exists():
                raise CommandError(f"No such dataset: {path}")
            try:
                learn = [int(k) for k in options["learn"].split(",") if k.strip()]
            except ValueError as error:
                raise CommandError(f"--learn takes numbers separated by commas: {options['learn']!r}") from error
            report = dataset_evaluate(path, label, learn=learn, without_itself=options["without_itself"])
            self.stdout.write("\n".join(report_lines(report, misses=options["misses"])))
