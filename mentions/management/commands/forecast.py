"""`manage.py forecast [--at ISO-TIME]`: each active view's forecast of the day (mentions/forecast/day.py), one line
per view, as the queue shows it; `--at` asks it for another instant (a past day, or the demo's)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from mentions.forecast.reads import view_forecasts
from mentions.models import View


class Command(BaseCommand):
    help = "Each view's forecast: how many tickets will be past their first-reply target before coverage resumes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", default="", help="The instant to forecast from (ISO 8601; UTC if no offset).")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["at"]:
            try:
                now = datetime.fromisoformat(options["at"])
            except ValueError as exc:
                raise CommandError(f"--at: not an ISO 8601 time: {options['at']!r}") from exc
            now = now if now.tzinfo else now.replace(tzinfo=UTC)
        views = list(View.objects.filter(is_active=True))
        if not views:
            self.stdout.write("No active views.")
            return
        forecasts = view_forecasts(now=now, views=views)
        self.stdout.write(f"Forecast at {now.astimezone(UTC):%a %Y-%m-%d %H:%M} UTC")
        for view in views:
            self.stdout.write(f"{view.name}: {forecasts[view.pk].explanation}")
