"""Scheduled reports: which are due, sending one period's report once, and delivering what waits.

`report_send` writes the ReportSend row (both texts, the managers' addresses) and records the period on the
schedule in one transaction, under the schedule's row lock, so two workers or a doubled beat never send a
period twice. Delivery is separate and retried: the Slack message goes out through the desk's row outbox
(notifications.rows: backoff on Slack errors that pass, Retry-After on rate limits), the e-mail the same way
with its own attempts, so a Slack or mail outage delays a report and loses nothing.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from channels.adapters.slack.client import slack_configured
from mentions.permissions.roles import MANAGERS
from mentions.products import desk_products
from metrics.export import kpi_json
from metrics.models import ReportSchedule, ReportSend
from metrics.product_scope import product_narrowed
from metrics.report_text import (
    Period,
    period_before,
    report_email_text,
    report_slack_text,
    report_subject,
)
from notifications.rows import backoff_seconds, slack_rows_deliver

logger = logging.getLogger(__name__)

# A report whose moment passed more than this long ago is not sent by beat (a schedule turned on mid-week
# does not post last week's figures at once); `manage.py report_send` sends any period by hand.
LATE_LIMIT = timedelta(days=1)
EMAIL_MAX_ATTEMPTS = 6
PER_RUN = 20


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def schedule_moment(schedule: ReportSchedule, now: datetime) -> datetime:
    """The schedule's latest sending time at or before `now`."""
    today = now.astimezone(UTC).date()
    if schedule.kind == ReportSchedule.Kind.WEEKLY:
        moment = _at(today - timedelta(days=(today.isoweekday() - schedule.weekday) % 7), schedule.hour)
        return moment if moment <= now else moment - timedelta(days=7)
    moment = _at(today.replace(day=schedule.day_of_month), schedule.hour)
    if moment <= now:
        return moment
    last_month = today.replace(day=1) - timedelta(days=1)
    return _at(last_month.replace(day=schedule.day_of_month), schedule.hour)


def reports_due(now: datetime) -> list[tuple[ReportSchedule, Period]]:
    """Active schedules whose sending time has come (within LATE_LIMIT) and whose period is not sent yet."""
    due = []
    for schedule in ReportSchedule.objects.filter(is_active=True).order_by("pk"):
        moment = schedule_moment(schedule, now)
        if now - moment >= LATE_LIMIT:
            continue
        period = period_before(schedule.kind, moment.date())
        if period.key != schedule.last_sent_period:
            due.append((schedule, period))
    return due


def manager_addresses() -> list[str]:
    """Every active manager's address (the Managers group), each once."""
    return sorted(
        set(
            get_user_model()
            .objects.filter(is_active=True, groups__name=MANAGERS)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def report_texts(period: Period, *, now: datetime | None = None, product_id: int | None = None) -> tuple[str, str, str]:
    """(Slack text, e-mail subject, e-mail body) of the period's report: of one product's tickets when given (a
    schedule's product, issue 71), its name in the subject and its slug in the link."""
    with product_narrowed(product_id):
        data = kpi_json(start=period.start, end=period.end, now=now)
    product = desk_products().get(product_id) if product_id is not None else None
    data["product"] = {"name": product.name, "slug": product.slug} if product else None
    subject = report_subject(period, data["product"])
    return report_slack_text(data, period), subject, report_email_text(data, period)


def report_send(schedule: ReportSchedule, period: Period, *, now: datetime | None = None) -> ReportSend | None:
    """Queue the period's report for the schedule's Slack channel and managers. None when that period was
    already sent for this schedule (by another worker, or an earlier run)."""
    slack_text, subject, body = report_texts(period, now=now, product_id=schedule.product_id)
    with transaction.atomic():
        locked = ReportSchedule.objects.select_for_update().get(pk=schedule.pk)
        if (
            locked.last_sent_period == period.key
            or ReportSend.objects.filter(schedule=locked, period=period.key).exists()
        ):
            return None
        recipients = manager_addresses() if locked.email_managers else []
        row = ReportSend.objects.create(
            schedule=locked,
            period=period.key,
            destination=locked.slack_channel,
            status=ReportSend.Status.PENDING if locked.slack_channel else ReportSend.Status.NONE,
            slack_text=slack_text,
            email_subject=subject,
            email_body=body,
            email_to=recipients,
            email_status=ReportSend.Status.PENDING if recipients else ReportSend.Status.NONE,
        )
        # A period sent by hand that is older than the last one does not move the schedule back.
        if period.key > locked.last_sent_period:
            locked.last_sent_period = period.key
            locked.save(update_fields=["last_sent_period", "updated_at"])
    logger.info("report %s queued for %s (%d managers)", subject, row.destination or "no Slack", len(recipients))
    return row


def reports_deliver(*, now: datetime | None = None, limit: int = PER_RUN) -> dict[str, int]:
    """Post the pending Slack messages and send the pending e-mails that are due."""
    now = now or timezone.now()
    posted = 0
    # Without a bot token every post would fail for good: the rows wait until Slack is connected.
    if slack_configured():
        pending = ReportSend.objects.filter(status=ReportSend.Status.PENDING).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        )
        posted = slack_rows_deliver(
            pending=pending.order_by("pk"),
            text_for=lambda row: row.slack_text,
            channel_for=lambda row: row.destination,
            now=now,
            limit=limit,
            what="scheduled report",
        )
    return {"slack": posted, "email": _emails_deliver(now=now, limit=limit)}


def _emails_deliver(*, now: datetime, limit: int) -> int:
    sent = 0
    pending = ReportSend.objects.filter(email_status=ReportSend.Status.PENDING).filter(
        Q(email_next_attempt_at__isnull=True) | Q(email_next_attempt_at__lte=now)
    )
    for _ in range(limit):
        with transaction.atomic():
            row = pending.order_by("pk").select_for_update(skip_locked=True).first()
            if row is None:
                break
            row.email_attempts += 1
            try:
                EmailMessage(row.email_subject, row.email_body, None, row.email_to).send()
            except (OSError, smtplib.SMTPException) as exc:
                row.email_error = f"{exc.__class__.__name__}: {exc}"[:300]
                if row.email_attempts >= EMAIL_MAX_ATTEMPTS:
                    row.email_status = ReportSend.Status.FAILED
                    logger.warning("report %s: e-mail failed: %s", row.pk, row.email_error)
                else:
                    row.email_next_attempt_at = now + timedelta(seconds=backoff_seconds(row.email_attempts))
            else:
                row.email_status, row.email_sent_at, row.email_error = ReportSend.Status.SENT, now, ""
                sent += 1
            row.save()
    return sent


def reports_run(*, now: datetime | None = None) -> dict[str, int]:
    """Queue the reports that are due, then deliver what waits (beat, every 15 minutes)."""
    now = now or timezone.now()
    queued = sum(report_send(schedule, period, now=now) is not None for schedule, period in reports_due(now))
    return {"queued": queued, **reports_deliver(now=now)}
