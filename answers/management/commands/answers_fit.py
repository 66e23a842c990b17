"""Fit answers.fit.label's cold-start weights on the evaluation sets: each question's fused top answers, their features
and whether each is the target (answers.evaluation.fit_rows), then a logistic regression (scikit-learn). Prints
the weights, a cross-check (fitted on all sets but one, scored on that one) and, with --write, writes them into
answers/fit/label.py. `--rows PATH` keeps the collected rows (JSON) and reads them back next time instead of asking
every question again. Nothing stays in the database."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.core.management.base import BaseCommand

from answers.evaluation import DATASET, EARLIER, NEWER, SEEN, dataset_load, fit_rows
from answers.fit import label as fit
from answers.fit.label import fit_probability
from answers.fit.learn import cross_check, learn
from answers.fit.plain_first import margin_measured
from answers.fit.simulate import use_simulate

FIT_PY = Path(fit.__file__)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--dataset", type=Path, action="append", dest="datasets", metavar="PATH")
        parser.add_argument("--rows", type=Path, help="Keep the collected rows here; read them if present.")
        parser.add_argument("--write", action="store_true", help="Write the weights into answers/fit/label.py.")
        parser.add_argument(
            "--use",
            action="store_true",
            help="Simulate learning from the desk's use on each set (answers.fit.simulate).",
        )

    def handle(self, *args, datasets: list[Path] | None, rows: Path | None, write: bool, use: bool, **options) -> None:
        # The seen sets only: the held-out set is never fitted on.
        paths = datasets or [p for p in (DATASET, EARLIER, SEEN, NEWER) if p.exists()]
        if rows is not None and rows.exists():
            collected = json.loads(rows.read_text())
        else:
            collected = {path.name: fit_rows(dataset_load(path)) for path in paths}
            if rows is not None:
                rows.write_text(json.dumps(collected))
        if use:
            self._use(collected)
            return
        for line in cross_check(collected):
            self.stdout.write(line)
        weights, words = learn(collected, meaning=True), learn(collected, meaning=False)
        self.stdout.write(f"COLD_WEIGHTS = {weights}")
        # Measured on the weights the desk runs on: these once written, else those in answers/fit/label.py.
        self.stdout.write(_margin_line(collected, weights if write else fit.COLD_WEIGHTS))
        self.stdout.write(f"WORDS_WEIGHTS = {words}")
        if write:
            _write(weights, words)
            self.stdout.write(f"written into {FIT_PY}")

    def _use(self, collected: dict[str, list[dict]]) -> None:
        """Per set: the cold start, then learnt from the use of the other folds, without and with the unshown."""
        for name, rows in collected.items():
            for unshown in (False, True):
                got = use_simulate(rows, unshown=unshown)
                line = [f"{name}: labels per fold {got['labels']:.0f} ({got['fits']:.0f} fit)"]
                line.append("with the unshown likeliest" if unshown else "shown only")
                for which in (("cold",) if unshown else ()) + ("learnt",):
                    f = got[which]
                    line.append(
                        f"{which}: recall@3 {f['hits']:.0f}/{f['repeats']:.0f} = {f['hits'] / f['repeats']:.3f}, "
                        f"silent {f['silent']:.0f}/{f['unfit']:.0f} = {f['silent'] / max(f['unfit'], 1):.0%}"
                    )
                self.stdout.write("  ".join(line))


def _margin_line(collected: dict[str, list[dict]], weights: dict[str, float]) -> str:
    """The plain first's margin (answers.fit.plain_first) these weights measure on the collected questions."""
    questions: dict[tuple[str, str], list[dict]] = {}
    for name, rows in collected.items():
        for row in rows:
            questions.setdefault((name, row["query"]), []).append(row)
    got = margin_measured(list(questions.values()), fit=lambda row: fit_probability(row["features"], weights))
    return (
        f"PLAIN_MARGIN = {got['margin']} (plain-first targets outscored: {got['outscored']}; at that margin, "
        f"the answer above was the target in {got['right_above']} questions, neither in {got['neither_above']})"
    )


def _write(weights: dict[str, float], words: dict[str, float]) -> None:
    text = FIT_PY.read_text()
    for name, limit, values in (
        ("COLD_WEIGHTS", "FIT_THRESHOLD", weights),
        ("WORDS_WEIGHTS", "WORDS_THRESHOLD", words),
    ):
        values = dict(values)
        threshold = values.pop("threshold")
        pairs = [f'"{k}": {v},' for k, v in values.items()]
        body = "\n".join("    " + " ".join(pairs[n : n + 5]) for n in range(0, len(pairs), 5))
        text = re.sub(rf"{name}: dict\[str, float\] = \{{[^}}]*\}}", f"{name}: dict[str, float] = {{\n{body}\n}}", text)
        text = re.sub(rf"^{limit} = [0-9.]+$", f"{limit} = {threshold}", text, flags=re.M)
    FIT_PY.write_text(text)
