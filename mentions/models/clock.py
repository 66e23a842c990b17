"""The clocks' settings: when the team covers the queue (schedule, holidays), the first-reply
targets, release day and the after-hours alert channel, and who has release duty.

Ticket clocks (SLA, coverage, urgency) read them while ingesting, so they belong with the tickets;
the KPI pages read them too. Their tables keep the names they had in `metrics` (moved in issue 15).
"""

from datetime import date, time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from advocacy.model_bases import Stamped
from advocacy.model_fields import product_link

if TYPE_CHECKING:
    from mentions.coverage import Hours


class CoverageSchedule(Stamped):
    """When the team covers the queue (mentions.coverage): each row is one schedule, in its own time zone. The
    desk is covered when any team schedule covers it; a duty schedule counts no business hours and names who
    takes the after-hours pings in its hours. Without a team schedule: Monday-Friday 08:00-22:00 UTC."""

    name = models.CharField(max_length=80, default="Default coverage")
    weekdays = models.JSONField(default=list, help_text="ISO weekdays covered, 1 = Monday … 7 = Sunday.")
    start = models.TimeField(default=time(8, 0), help_text="In the schedule's time zone.")
    end = models.TimeField(
        default=time(22, 0), help_text="In the schedule's time zone; before the start: the next day (overnight)."
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", help_text="An IANA time zone, e.g. Europe/Amsterdam or America/New_York."
    )
    release_day_only = models.BooleanField(
        default=False, help_text="Only on the month's release day (when it falls on one of the weekdays)."
    )
    duty_only = models.BooleanField(
        default=False,
        help_text="On duty, not business hours: urgent mentions in these hours ping the person on duty; "
        "the first-reply clocks do not count them.",
    )
    on_duty = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who is on duty in a duty schedule; empty on a release-day schedule: the month's release advocate.",
    )

    class Meta:
        db_table = "metrics_coverageschedule"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from zoneinfo import available_timezones

        days = self.weekdays or []
        errors = {}
        if not isinstance(days, list) or not days or not all(isinstance(d, int) and 1 <= d <= 7 for d in days):
            errors["weekdays"] = "A list of ISO weekdays, e.g. [1, 2, 3, 4, 5]."
        if self.start is not None and self.end == self.start:
            errors["end"] = "The covered hours must end at another time than they start."
        if self.time_zone not in available_timezones():
            errors["time_zone"] = "Give an IANA time zone, e.g. Europe/Amsterdam, America/New_York or UTC."
        if self.on_duty_id and not self.duty_only:
            errors["on_duty"] = "Only a duty schedule has someone on duty: tick “On duty, not business hours”."
        if errors:
            raise ValidationError(errors)

    def hours(self) -> "Hours":
        from mentions.coverage import Hours

        return Hours(
            weekdays=tuple(self.weekdays or (1, 2, 3, 4, 5)),
            start=self.start,
            end=self.end,
            zone=self.time_zone or "UTC",
            release_only=self.release_day_only,
            name=self.name,
            on_duty=self.on_duty_id,
        )

    @classmethod
    def current(cls) -> "CoverageSchedule":
        """The first team schedule, or the default one (what the admin's form starts from)."""
        return cls.objects.filter(duty_only=False).order_by("pk").first() or cls(weekdays=[1, 2, 3, 4, 5])


class Holiday(Stamped):
    """A day without coverage: business hours skip it."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=120, blank=True)

    class Meta:
        db_table = "metrics_holiday"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Target(Stamped):
    """First-reply and next-reply targets per channel group, editable in admin."""

    class Group(models.TextChoices):
        ALL = "all", "All channels"
        HIGH_PRIORITY = "high_priority", "High-priority channels"
        # The next reply: a follow-up after our reply waits for our next one (mentions.services.next_reply).
        NEXT_REPLY = "next_reply", "Next reply, all channels"
        NEXT_REPLY_HIGH = "next_reply_high", "Next reply, high priority"

    group = models.CharField(max_length=32, choices=Group.choices, unique=True)
    median_hours = models.DecimalField(max_digits=6, decimal_places=2)

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


class DutySettings(Stamped):
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
        from mentions.coverage import release_date

        return release_date(month, self.release_day)

    def is_release_day(self, day: date) -> bool:
        return day == self.release_date(day)


class ReleaseRota(Stamped):
    """Who has release-advocate duty in a month (the handbook's monthly rotation). With several products a month may
    have one entry for every product (no product) and one per product (issue 71): a product's own entry comes first
    wherever the rota is read for that product (the queue narrowed to it, a ping about its ticket), the desk-wide
    entry otherwise (`for_month`)."""

    month = models.DateField(help_text="The first day of the month.")
    advocate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="release_duties")
    note = models.CharField(max_length=200, blank=True)
    # A product deleted takes its entries with it: emptied, one would meet the month's desk-wide entry.
    product = product_link(
        "The product whose releases this advocate covers that month. Empty: every product (the desk's release "
        "advocate), for the products without an entry of their own.",
        on_delete=models.CASCADE,
    )

    class Meta:
        db_table = "metrics_releaserota"
        ordering = ["-month"]
        verbose_name = "release advocate rota entry"
        verbose_name_plural = "release advocate rota"
        # One entry a month for every product and one per product: two constraints, since NULLs are distinct in a
        # unique index (month alone was unique before products).
        constraints = [
            models.UniqueConstraint(
                fields=["month", "product"],
                name="releaserota_month_product_unique",
                violation_error_message="That month already has a release advocate for this product.",
            ),
            models.UniqueConstraint(
                fields=["month"],
                condition=models.Q(product__isnull=True),
                name="releaserota_month_unique",
                violation_error_message="That month already has a release advocate (for every product).",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.advocate}"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": "Give the first day of the month, e.g. 2026-12-01."})

    def validate_constraints(self, exclude: Any = None) -> None:
        # With one product admin does not ask the product: its empty value is still the entry's, and the month's
        # uniqueness is checked with it (left out, Django skips both constraints and the database would refuse).
        super().validate_constraints(exclude=set(exclude or ()) - {"product"})

    @classmethod
    def month_entries(cls, day: date) -> list["ReleaseRota"]:
        """The month's entries with their advocates: one query."""
        return list(cls.objects.select_related("advocate").filter(month=day.replace(day=1)).order_by("pk"))

    @staticmethod
    def pick(entries: list["ReleaseRota"], product_id: int | None) -> "ReleaseRota | None":
        """The entry for a product: its own, else the desk-wide one. For no product (the whole desk): the desk-wide
        one, else the desk's first product's (it stands for the desk, as it holds the tickets without a product),
        so a desk brought back to one product keeps its advocate."""
        by_product = {entry.product_id: entry for entry in entries}
        if product_id is not None:
            return by_product.get(product_id) or by_product.get(None)
        if None in by_product or not by_product:
            return by_product.get(None)
        from mentions.products import desk_products  # the products read this module's models

        default_id = desk_products().default_id
        return by_product.get(default_id) if default_id is not None else None

    @classmethod
    def for_month(cls, day: date, product_id: int | None = None) -> "ReleaseRota | None":
        """The month's entry for a product (`pick`): one query."""
        return cls.pick(cls.month_entries(day), product_id)
