"""Build or repair the KPI rollups: `manage.py kpi_rollups [--rebuild]`."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from mentions.models import Target
from metrics.community.members import newcomers_ensure
from metrics.rollups import rollups_rebuild, rollups_refresh, rollups_supported


class Command(BaseCommand):
    help = "Rebuild the KPI rollups of the days marked as changed (--rebuild: of every day)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="rebuild every day, e.g. after a manual data fix")

    def handle(self, *args, rebuild: bool = False, **options) -> None:
        if not rollups_supported():
            self.stdout.write("No rollups on this database: the KPI pages compute from the tickets directly.")
            return
        started = time.perf_counter()
        done = rollups_rebuild() if rebuild else rollups_refresh()
        # The returning members' days, first built by a read (or after a change of targets): built here instead.
        newcomers_ensure(Target.hours(), rebuild=rebuild)
        competitors = f" ({done['competitor_days']} competitor days from their mentions)" if rebuild else ""
        self.stdout.write(
            f"Rebuilt {done['ticket']} ticket days and {done['event']} event days{competitors} "
            f"in {time.perf_counter() - started:.1f}s."
        )
