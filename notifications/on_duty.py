"""Who takes the after-hours pings (issue 44): the person on duty in a duty schedule covering the moment
(mentions.CoverageSchedule with "on duty"), or on a release-day duty without a named person, the month's release
advocate (mentions.ReleaseRota). Nobody on duty: the pings go to the advocates' channel as before, with its
mention.

The ping is posted in the advocates' channel, mentioning the person on duty by their Slack member id (their desk
profile's, else their expert entry's), so Slack notifies them wherever they are; without a member id, their name
is written out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model

from channels.adapters.slack.client import slack_escape
from mentions.coverage import Coverage
from mentions.models import ReleaseRota
from notifications.snooze_remind import slack_members


@dataclass(frozen=True)
class OnDuty:
    user_id: int
    name: str
    slack_user_id: str
    schedule: str

    @property
    def mention(self) -> str:
        """How the ping names them: a Slack mention (which notifies them), else their name."""
        if self.slack_user_id:  # a member id checked by slack_members: never markup typed into a profile
            return f"<@{self.slack_user_id}> (on duty)"
        return f"{slack_escape(self.name)} (on duty)"


def on_duty_at(coverage: Coverage, at: datetime) -> OnDuty | None:
    hours = coverage.on_duty(at)
    if hours is None:
        return None
    user_id = hours.on_duty
    if user_id is None and hours.release_only:
        rota = ReleaseRota.for_month(at.date())
        user_id = rota.advocate_id if rota else None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return None
    slack_id = slack_members({user.pk}).get(user.pk, "")
    return OnDuty(
        user_id=user.pk, name=user.get_full_name() or user.get_username(), slack_user_id=slack_id, schedule=hours.name
    )
