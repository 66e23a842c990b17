"""What Slack sends the desk (events, shortcuts, button presses), stored before it is worked: the request is
answered within Slack's 3 seconds, a Celery worker does the work, and an outage of the workers loses nothing
(slackapp.tasks.events_sweep works what was stored but not worked). One row per delivery key: Slack's
`event_id` for events (a retry, `X-Slack-Retry-Num`, carries the same one) and `trigger_id` for interactions."""

from __future__ import annotations

from django.db import models


class SlackEvent(models.Model):
    class Status(models.TextChoices):
        STORED = "stored", "Stored, not worked yet"
        DONE = "done", "Worked"
        IGNORED = "ignored", "Nothing to do"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=200, unique=True, help_text="event_id, or trigger_id for an interaction.")
    kind = models.CharField(max_length=80, help_text='e.g. "event:message", "shortcut:create_ticket".')
    team_id = models.CharField(max_length=40, blank=True)
    payload = models.JSONField()
    retries = models.PositiveIntegerField(default=0, help_text="Deliveries Slack retried after the first.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.STORED)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    worked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["received_at"], name="slackevent_stored_idx", condition=models.Q(status="stored"))
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
