"""`manage.py kpi`: first-reply KPIs, activity, rising tags and outreach for a date range."""

from __future__ import annotations

import json
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from channels.models import Channel
from metrics.export import kpi_json
from metrics.forms import DATE_RANGE_ERROR, EARLIEST_DATE, LATEST_DATE

DEFAULT_DAYS = 30


def _parse_date(value: str, option: str) -> date:
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CommandError(f"{option} must be a date as YYYY-MM-DD, not {value!r}.") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise CommandError(f"{option}: {DATE_RANGE_ERROR}")
    return day


def _fmt(value: float | None, suffix: str = "") -> str:
    return "—" if value is None else f"{value:.2f}{suffix}"


class Command(BaseCommand):
    help = "First-reply KPIs for a date range (requested_at, UTC), as a table or as JSON (--json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", help="First day, YYYY-MM-DD (default: 29 days before --to).")
        parser.add_argument("--to", dest="end", help="Last day, YYYY-MM-DD, included (default: today, UTC).")
        parser.add_argument("--channel", help="Only this channel (its name).")
        parser.add_argument("--json", action="store_true", help="Print JSON (hours as decimals).")

    def handle(self, *args, **options) -> None:
        end = _parse_date(options["end"], "--to") if options["end"] else timezone.now().date()
        start = _parse_date(options["start"], "--from") if options["start"] else end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise CommandError(f"--from ({start}) must not be after --to ({end}).")
        channel_id = None
        if options["channel"]:
            channel = Channel.objects.filter(name=options["channel"]).first()
            if channel is None:
                names = ", ".join(Channel.objects.order_by("name").values_list("name", flat=True)) or "none"
                raise CommandError(f"Unknown channel {options['channel']!r}. Channels: {names}.")
            channel_id = channel.pk

        data = kpi_json(start=start, end=end, channel_id=channel_id)
        if options["json"]:
            self.stdout.write(json.dumps(data, default=str, indent=2))
            return
        self._table(data)

    def _table(self, data: dict) -> None:
        fr = data["first_reply"]
        title = f"First reply {data['range']['from']} to {data['range']['to']}"
        if data["channel"]:
            title += f" ({data['channel']})"
        self.stdout.write(title)
        header = (
            f"{'group':<28} {'target':>7} {'median':>7} {'p90':>7} {'bus.med':>7} "
            f"{'within%':>7} {'replied':>7} {'unrepl.':>7} {'overdue':>7}"
        )
        self.stdout.write(header)
        rows = [("All channels", fr["all"]), ("High-priority", fr["high_priority"])]
        rows += list(fr["by_channel"].items())
        for label, row in rows:
            pct = "—" if row["within_target_pct"] is None else f"{row['within_target_pct']:.1f}"
            self.stdout.write(
                f"{label[:28]:<28} {row['target_hours']:>6.1f}h {_fmt(row['median_hours']):>7} "
                f"{_fmt(row['p90_hours']):>7} {_fmt(row['median_business_hours']):>7} {pct:>7} "
                f"{row['replied']:>7} {row['unreplied']:>7} {row['unreplied_over_target']:>7}"
            )
        activity = data["activity"]
        self.stdout.write(
            f"Activity: {sum(r['created'] for r in activity)} created, {sum(r['replied'] for r in activity)} "
            f"first-replied, {sum(r['solved'] for r in activity)} solved over {len(activity)} days."
        )
        rising = [r for r in data["tags_rising"] if r["change"] > 0][:5]
        if rising:
            self.stdout.write("Rising tags: " + ", ".join(f"{r['tag']} (+{r['change']})" for r in rising))
