"""`manage.py thanks_evaluate [--dataset PATH ...] [--misses]`: precision and recall of reading an asker's reply as
thanks (intake.thanks), on labelled sets, the held-out set first. No database: the reading is words only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from intake.thanks import reads_as_thanks

EVAL_DIR = Path(__file__).resolve().parents[2] / "eval"
# The held-out set (Axum) was written after the word lists' last change and scored once; the Godot set was scored,
# then its misses were read and the lists changed: it counts as seen (intake/eval/README.md).
DEFAULT = (
    ("held-out", EVAL_DIR / "thanks_heldout.json"),
    ("held-out, seen", EVAL_DIR / "thanks_seen_godot.json"),
    ("development", EVAL_DIR / "thanks_dev.json"),
)


def evaluate(path: Path) -> tuple[dict[str, float | int], list[dict[str, Any]]]:
    items = json.loads(path.read_text(encoding="utf-8"))["items"]
    tp = fp = fn = tn = 0
    misses = []
    for item in items:
        said, truth = reads_as_thanks(item["text"]), bool(item["thanks"])
        tp, fp, fn, tn = (
            tp + (said and truth),
            fp + (said and not truth),
            fn + (truth and not said),
            tn + (not said and not truth),
        )
        if said != truth:
            misses.append(item)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    figures = {
        "items": len(items),
        "thanks": tp + fn,
        "precision": precision,
        "recall": recall,
        "accuracy": (tp + tn) / len(items),
    }
    return figures, misses


class Command(BaseCommand):
    help = "Precision and recall of reading an asker's reply as thanks, on labelled sets (held-out first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", action="append", default=[], help="A labelled set (JSON); repeatable.")
        parser.add_argument("--misses", action="store_true", help="List each reply read otherwise than labelled.")

    def handle(self, *args: Any, **options: Any) -> None:
        sets = [(Path(p).stem, Path(p)) for p in options["dataset"]] or list(DEFAULT)
        for label, path in sets:
            if not path.exists():
                raise CommandError(f"No such dataset: {path}")
            figures, misses = evaluate(path)
            self.stdout.write(
                f"{label} ({path.name}): {figures['items']} replies, {figures['thanks']} thanks; "
                f"precision {figures['precision']:.2f}, recall {figures['recall']:.2f}, "
                f"accuracy {figures['accuracy']:.2f}"
            )
            if options["misses"]:
                for item in misses:
                    self.stdout.write(f"  {item['id']} labelled {item['thanks']}: {item['text'][:100]!r}")
