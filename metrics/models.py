from datetime import time

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
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Target(models.Model):
    """First-reply targets per channel group, editable in admin."""

    class Group(models.TextChoices):
        ALL = "all", "All channels"
        HIGH_PRIORITY = "high_priority", "High-priority channels"

    group = models.CharField(max_length=32, choices=Group.choices, unique=True)
    median_hours = models.DecimalField(max_digits=6, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.get_group_display()}: median under {self.median_hours} h"

    @classmethod
    def hours(cls) -> dict[str, float]:
        values = {cls.Group.ALL: 7.0, cls.Group.HIGH_PRIORITY: 5.0}
        values.update({t.group: float(t.median_hours) for t in cls.objects.all()})
        return values
