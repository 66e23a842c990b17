"""`manage.py report_send`: a scheduled report by hand, or its text only (--dry-run)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from metrics.models import ReportSchedule
from metrics.report_text import MONTHLY, WEEKLY, period_before, period_parse
from metrics.reports import report_send, report_texts, reports_deliver


class Command(BaseCommand):
    help = (
        "Send the weekly first-reply summary or the monthly report of a period (default: the last full one) "
        "to each active schedule of that kind, once per period; --dry-run prints its texts instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=[WEEKLY, MONTHLY], required=True)
        parser.add_argument("--period", help="2026-W47 (weekly) or 2026-11 (monthly).")
        parser.add_argument("--dry-run", action="store_true", help="Print the Slack and e-mail texts, send nothing.")

    def handle(self, *args, **options) -> None:
        kind = options["kind"]
        if options["period"]:
            try:
                period = period_parse(kind, options["period"])
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        else:
            period = period_before(kind, timezone.now().date())
        if options["dry_run"]:
            slack_text, subject, body = report_texts(period)
            self.stdout.write(f"--- Slack (mrkdwn) ---\n{slack_text}\n--- E-mail ---\nSubject: {subject}\n\n{body}")
            return
        schedules = list(ReportSchedule.objects.filter(kind=kind, is_active=True).order_by("pk"))
        if not schedules:
            raise CommandError(f"No active {kind} schedule: turn one on in admin (Metrics, Report schedules).")
        for schedule in schedules:
            row = report_send(schedule, period)
            if row is None:
                self.stdout.write(f"{schedule}: {period.key} was already sent.")
            else:
                self.stdout.write(f"{schedule}: {period.key} queued ({len(row.email_to)} managers).")
        self.stdout.write(f"Delivered: {reports_deliver()}")
