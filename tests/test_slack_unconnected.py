"""A desk without Slack (no SLACK_BOT_TOKEN) is a normal configuration: the beat jobs that post to Slack say so once
a day (the Slack client for everything it is asked to post, the outbox for the notices it keeps), at INFO, never a
warning per row or per call; each row not posted says why. A fresh `make run` (seed_demo, then the worker and beat
on a desk with no Slack) logged about 30 warnings: two for each urgent ping (the client's "token is not set", then
the row's "failed"), one for a spike alert, one for the outbox per worker process.

No request leaves the desk here: without a token the Slack client sends nothing (channels/adapters/slack/client.py),
so there is no platform shape to follow; the desk is the demo's, seeded as `make run` seeds it."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from metrics import tasks as metrics_tasks
from notifications import tasks as notifications_tasks
from notifications.models import SlackNotice, UrgentPing
from stories import tasks as stories_tasks

pytestmark = pytest.mark.django_db

# A Sunday night, outside the demo's coverage: the demo's urgent tickets get pings, as on the fresh start reported.
NIGHT = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
# The beat's entries that post to Slack (advocacy/settings/tasks.py: CELERY_BEAT_SCHEDULE), as the worker runs them.
SLACK_JOBS = (
    notifications_tasks.urgent_sweep,
    stories_tasks.spikes,
    notifications_tasks.slack_flush,
    notifications_tasks.coverage_digest,
    notifications_tasks.outreach_nudges,
    metrics_tasks.reports_send,
)


def _beat_runs(times: int) -> None:
    for _ in range(times):
        for task in SLACK_JOBS:
            task.apply().get()


def _about_slack(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The desk's own lines about Slack (Celery's "Task notifications.slack_flush succeeded" is not one)."""
    return [r for r in caplog.records if "slack" in r.getMessage().lower() and not r.name.startswith("celery")]


@pytest.mark.usefixtures("handbook_rules")
def test_a_fresh_demo_without_slack_says_so_once_a_day_at_info(settings, caplog):
    settings.DESK_DEMO_REPLAY = True
    settings.SLACK_BOT_TOKEN = ""
    with time_machine.travel(NIGHT, tick=False) as clock:
        call_command("seed_demo", stdout=StringIO())
        caplog.clear()
        caplog.set_level(logging.INFO)
        _beat_runs(3)
        # Work that would have gone to Slack: the test is not passing on an empty desk.
        assert UrgentPing.objects.count() >= 5
        assert SlackNotice.objects.filter(status=SlackNotice.Status.PENDING).exists()
        said = _about_slack(caplog)
        assert [r.getMessage() for r in said if r.levelno >= logging.WARNING] == []
        kinds = Counter(r.getMessage() for r in said)
        assert kinds and max(kinds.values()) == 1, kinds
        assert all("not connected" in line for line in kinds), kinds
        # A ping not posted still says why on its row, as before.
        assert set(UrgentPing.objects.values_list("last_error", flat=True)) == {
            "Slack is not connected to the desk, so nothing was posted: ask an admin to connect it"
        }

        clock.move_to(NIGHT + timedelta(days=1))
        caplog.clear()
        UrgentPing.objects.update(status=UrgentPing.Status.PENDING, next_attempt_at=NIGHT + timedelta(days=1))
        _beat_runs(2)
        again = Counter(r.getMessage() for r in _about_slack(caplog))
        assert again and max(again.values()) == 1, again  # the next day, once more
