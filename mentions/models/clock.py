"""The clocks' settings: when the team covers the queue (schedule, holidays), the first-reply
targets, release day and the after-hours alert channel, and who has release duty.

Ticket clocks (SLA, coverage, urgency) read them while ingesting, so they belong with the tickets;
the KPI pages read them too. Their tables keep the names they had in `metrics` (moved in issue 15).
"""

from datetime import date, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class CoverageSchedule(models.Model):
    """When the team covers the queue: business hours for first-reply time (UTC).

    A single row is used (the first); default Monday-Friday 08:00-22:00 UTC.
    """

    name = models.CharField(max_length=80, default="Default coverage")
    weekdays = models.JSONField(default=list, help_text="ISO weekdays covered, 1 = Monday … 7 = Sunday.")
    start = models.TimeField(default=time(8, 0), help_text="UTC")
    end = models.TimeField(default=time(22, 0), help_text="UTC")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "metrics_coverageschedule"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        days = self.weekdays or []
        if not isinstance(days, list) or not days or not all(isinstance(d, int) and 1 <= d <= 7 for d in days):
            raise ValidationError({"weekdays": "A list of ISO weekdays, e.g. [1, 2, 3, 4, 5]."})
        if self.end <= self.start:
            raise ValidationError({"end": "The covered day must end after it starts (UTC)."})

    @classmethod
    def current(cls) -> "CoverageSchedule":
        return cls.objects.order_by("pk").first() or cls(weekdays=[1, 2, 3, 4, 5])


class Holiday(models.Model):
    """A day without coverage: business hours skip it."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "metrics_holiday"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Target(models.Model):
    """First-reply and next-reply targets per channel group, editable in admin."""

    class Group(models.TextChoices):
        ALL = "all", "All channels"
        HIGH_PRIORITY = "high_priority", "High-priority channels"
        # The next reply: a follow-up after our reply waits for our next one (mentions.services.next_reply).
        NEXT_REPLY = "next_reply", "Next reply, all channels"
        NEXT_REPLY_HIGH = "next_reply_high", "Next reply, high priority"

    group = models.CharField(max_length=32, choices=Group.choices, unique=True)
    median_hours = models.DecimalField(max_digits=6, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "metrics_target"

    def __str__(self) -> str:
        return f"{self.get_group_display()}: median under {self.median_hours} h"

    @classmethod
    def hours(cls) -> dict[str, float]:
        values: dict[str, float] = {
            cls.Group.ALL: 7.0,
            cls.Group.HIGH_PRIORITY: 5.0,
            cls.Group.NEXT_REPLY: 8.0,
            cls.Group.NEXT_REPLY_HIGH: 6.0,
        }
        values.update({t.group: float(t.median_hours) for t in cls.objects.all()})
        return values


class DutySettings(models.Model):
    """Release day, the advocates' Slack channel for after-hours alerts, and what makes a
    mention urgent. A single row is used (the first); the defaults apply without one."""

    release_day = models.PositiveSmallIntegerField(
        default=22,
        help_text="Day of the month of the release (1-31; in a shorter month, its last day).",
    )
    advocates_channel = models.CharField(
        max_length=80,
        default="#community-advocates",
        help_text="Slack channel (#name or id) for after-hours urgent pings and the end-of-day digest.",
    )
    advocates_mention = models.CharField(
        max_length=120,
        blank=True,
        default="",
        help_text="Put in front of urgent pings, e.g. <!subteam^S0123ABCD|advocates> for a user group, "
        "or <!here>. Empty: no mention.",
    )
    hn_urgent_points = models.PositiveIntegerField(
        default=100,
        help_text="A Hacker News story with at least this many points is urgent (0: only the front-page tag counts).",
    )
    digest_lead_minutes = models.PositiveSmallIntegerField(
        default=15, help_text="Send the end-of-day digest this many minutes before coverage ends."
    )
    digest_margin_hours = models.PositiveSmallIntegerField(
        default=1,
        help_text="The digest lists waiting tickets due before the next coverage start plus this margin.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "metrics_dutysettings"
        verbose_name = "Duty settings (release day, after-hours alerts)"
        verbose_name_plural = "Duty settings (release day, after-hours alerts)"

    def __str__(self) -> str:
        return "Duty settings"

    def clean(self) -> None:
        errors = {}
        if not 1 <= (self.release_day or 0) <= 31:
            errors["release_day"] = "Give a day of the month between 1 and 31."
        channel = (self.advocates_channel or "").strip()
        if not channel or " " in channel:
            errors["advocates_channel"] = "Give one Slack channel, e.g. #community-advocates or C0123ABCD."
        mention = (self.advocates_mention or "").strip()
        if mention and not (mention.startswith("<!") and mention.endswith(">")):
            errors["advocates_mention"] = (
                "Use Slack's mention syntax: <!subteam^S0123ABCD|advocates>, <!here> or <!channel>."
            )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def current(cls) -> "DutySettings":
        return cls.objects.order_by("pk").first() or cls()

    def release_date(self, month: date) -> date:
        """This month's release day (clamped to the month's last day)."""
        first = month.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return first.replace(day=min(self.release_day, last.day))

    def is_release_day(self, day: date) -> bool:
        return day == self.release_date(day)


class ReleaseRota(models.Model):
    """Who has release-advocate duty in a month (the handbook's monthly rotation)."""

    month = models.DateField(unique=True, help_text="The first day of the month.")
    advocate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="release_duties")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "metrics_releaserota"
        ordering = ["-month"]
        verbose_name = "release advocate rota entry"
        verbose_name_plural = "release advocate rota"

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.advocate}"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": "Give the first day of the month, e.g. 2026-12-01."})

    @classmethod
    def for_month(cls, day: date) -> "ReleaseRota | None":
        return cls.objects.select_related("advocate").filter(month=day.replace(day=1)).first()
