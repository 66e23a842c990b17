"""Per evaluation set, the desk's suggestions and the naive full-text baseline (PostgreSQL) side by side: recall at 3
and mean reciprocal rank on the questions asked again (and recall by how much each shares with the first asking), and
the share of the questions no earlier answer fits that got no suggestion. By default every set in answers/eval: the
held-out set first (Sentry), then the held-out sets seen since (Supabase, Tailscale, Ghost, Render), then the
development set; each share with its 95 % Wilson interval; `--set PATH` (repeatable) evaluates the sets named
instead, in that order. Nothing stays in the database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from answers.evaluation import (
    BLIND_SEEN,
    DATASET,
    EARLIER,
    HELDOUT,
    NEWER,
    SEEN,
    Figures,
    dataset_load,
    dataset_product,
    evaluate,
)

COLUMN = 30


def _wilson(hits: int, total: int) -> str:
    """The share's 95 % Wilson score interval (scipy): on 47 questions one more or fewer moves recall by 0.02, so a
    figure is read with the range a set of this size allows."""
    if not total:
        return ""
    from scipy.stats import binomtest

    low, high = binomtest(hits, total).proportion_ci(confidence_level=0.95, method="wilson")
    return f"[{low:.2f}-{high:.2f}]"


def label(path: Path) -> str:
    resolved = path.resolve()
    if resolved == HELDOUT.resolve():
        return "held-out"
    if resolved in (BLIND_SEEN.resolve(), NEWER.resolve(), SEEN.resolve(), EARLIER.resolve()):
        return "held-out, seen"
    return "development" if resolved == DATASET.resolve() else str(path)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--set", "--dataset", type=Path, action="append", dest="datasets", metavar="PATH",
            help="An evaluation set (repeatable). Default: the held-out set, the sets seen, the development set.",
        )  # fmt: skip
        parser.add_argument("--misses", action="store_true", help="List the questions missed in the top 3.")
        parser.add_argument(
            "--noisy", action="store_true", help="List the questions nothing fits that got a suggestion, and why."
        )
        parser.add_argument(
            "--by-time",
            action="store_true",
            help="Index each set's answers in time order, in four steps, and ask the same questions after each "
            "through the worker's tasks and the API (answers.eval_by_time), the plain query beside.",
        )
        parser.add_argument(
            "--use",
            action="store_true",
            help="With --by-time: the team works half of the questions from the Answers panel after each step and "
            "the desk learns from it (answers.fit_learn); the figures are of the other half.",
        )

    def handle(
        self, *args, datasets: list[Path] | None, misses: bool, noisy: bool, by_time: bool, use: bool, **options
    ) -> None:
        paths = datasets or [p for p in (HELDOUT, BLIND_SEEN, NEWER, SEEN, EARLIER, DATASET) if p.exists()]
        for path in paths:
            data = dataset_load(path)
            unfit = sum(1 for q in data["queries"] if q.get("target") is None)
            # "Hand-written on <date> between <times> by <whom> ...": the when, the rest is in the set's own note.
            when = data.get("written", "").split(" by ")[0]
            written = f", {when[:1].lower()}{when[1:]}" if when else ""
            self.stdout.write(
                f"{label(path)} ({path.name}, product {dataset_product(data)}{written}): "
                f"{len(data['tickets'])} answered tickets, {len(data['queries']) - unfit} questions asked again, "
                f"{unfit} that no earlier answer fits"
            )
            if by_time:
                self._by_time(data, use=use)
                continue
            figures = evaluate(data)
            self._table(figures)
            for each in figures:
                for wanted, lines, what in ((misses, each.misses, "missed"), (noisy, each.noisy, "noisy")):
                    if wanted and lines:
                        self.stdout.write(f"  {each.name}, {what}:")
                        for text in lines:
                            self.stdout.write(f"      {text}")

    def _by_time(self, data: dict, *, use: bool) -> None:
        from answers.eval_by_time import evaluate_by_time

        self.stdout.write(
            f"  {'answers indexed':<16}{'desk recall@3':<30}{'plain recall@3':<30}{'desk silent':<30}plain silent"
        )

        def recall(f: Figures | None) -> str:
            return f"{f.at_3}/{f.queries} = {f.recall_at_3:.3f} {_wilson(f.at_3, f.queries)}" if f else "-"

        def silent(f: Figures | None) -> str:
            return f"{f.silent}/{f.unfit} = {f.silent_share:.0%} {_wilson(f.silent, f.unfit)}" if f else "-"

        for step in evaluate_by_time(data, use=use):
            cells = [recall(step.desk), recall(step.plain), silent(step.desk), silent(step.plain)]
            self.stdout.write((f"  {step.indexed:<16}" + "".join(f"{cell:<{COLUMN}}" for cell in cells)).rstrip())

    def _table(self, figures: list[Figures]) -> None:
        rows = [("", [f.name for f in figures])]
        rows.append(
            ("recall@3", [f"{f.at_3}/{f.queries} = {f.recall_at_3:.3f} {_wilson(f.at_3, f.queries)}" for f in figures])
        )
        rows.append(("MRR", [f"{f.mrr:.3f}" for f in figures]))
        if figures[0].unfit:
            silent = [f"{f.silent}/{f.unfit} = {f.silent_share:.0%} {_wilson(f.silent, f.unfit)}" for f in figures]
            rows.append(("no suggestion when nothing fits", silent))
        if len(figures[0].by_overlap) > 1:  # the set says how much each question shares with the first asking
            for name in figures[0].by_overlap:
                cells = [f"{f.by_overlap.get(name, (0, 0))[0]}/{f.by_overlap.get(name, (0, 0))[1]}" for f in figures]
                rows.append((f"recall@3, {name} overlap", cells))
        for head, cells in rows:
            self.stdout.write((f"  {head:<32}" + "".join(f"{cell:<{COLUMN}}" for cell in cells)).rstrip())
