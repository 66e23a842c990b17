"""The demo's sample export (imports/sample/), copied under DESK_IMPORT_DIR where admin's *Start an import* reads:
`make run` then has something to import, offline (docs/importing.md, "Try it on the demo"). A copy already there is
left as it is (someone may be trying their own changes on it)."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

SAMPLES = Path(__file__).resolve().parents[2] / "sample"


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options) -> None:
        root = Path(settings.DESK_IMPORT_DIR)
        for sample in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
            target = root / sample.name
            if not target.exists():
                shutil.copytree(sample, target)
            self.stdout.write(
                f"Demo: an export to import in admin, Imports > Import runs > Start an import: {sample.name} "
                f"(documented JSON, under {root})."
            )
