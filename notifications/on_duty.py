"""Who takes the after-hours pings (issue 44): the person on duty in a duty schedule covering the moment
(mentions.CoverageSchedule with "on duty"), or on a release-day duty without a named person, the month's release
advocate (mentions.ReleaseRota). Nobody on duty: the pings go to the advocates' channel as before, with its
mention.

The ping is posted in the advocates' channel, mentioning the person on duty by their Slack member id (their desk
profile's, else their expert entry's), so Slack notifies them wherever they are; without a member id, their name
is written out.

On release day (mentions.DutySettings, the desk's time zone) the month's release advocate takes the after-hours
pings as a direct message instead (`release_advocate_dm`): see notifications.urgency.

With several products (issue 71) the release advocate is the ticket's product's: its own rota entry, else the
desk-wide one (mentions.ReleaseRota.pick); a ticket without a product is the desk's first product's. `DutyOfProducts`
finds each product's once for a round of pings, so their cost grows with the products pinged about, not the pings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from channels.adapters.slack.client import slack_escape
from mentions.coverage import Coverage
from mentions.models import DutySettings, ReleaseRota
from mentions.products import desk_products
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


def on_duty_at(coverage: Coverage, at: datetime, *, product_id: int | None = None) -> OnDuty | None:
    hours = coverage.on_duty(at)
    if hours is None:
        return None
    user_id = hours.on_duty
    if user_id is None and hours.release_only:
        rota = ReleaseRota.for_month(at.date(), product_id)
        user_id = rota.advocate_id if rota else None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return None
    slack_id = slack_members({user.pk}).get(user.pk, "")
    return OnDuty(
        user_id=user.pk, name=user.get_full_name() or user.get_username(), slack_user_id=slack_id, schedule=hours.name
    )


def release_advocate_dm(at: datetime, *, product_id: int | None = None) -> OnDuty | None:
    """On release day, the month's release advocate (the product's first) when Slack knows their member id (a direct
    message needs one); else None, and the ping goes to the channel as on any day."""
    day = timezone.localdate(at)
    if not DutySettings.current().is_release_day(day):
        return None
    rota = ReleaseRota.for_month(day, product_id)
    user = rota.advocate if rota is not None and rota.advocate.is_active else None
    slack_id = slack_members({user.pk}).get(user.pk, "") if user is not None else ""
    if user is None or not slack_id:
        return None
    name = user.get_full_name() or user.get_username()
    return OnDuty(user_id=user.pk, name=name, slack_user_id=slack_id, schedule="release day")


class DutyOfProducts:
    """Who is on duty and who is the release advocate at `at`, per product, each product's found once (a round of
    pings is about tickets of a few products). A ticket without a product asks for the desk's first product's."""

    def __init__(self, coverage: Coverage, at: datetime) -> None:
        self.coverage, self.at = coverage, at
        self._found: dict[int | None, tuple[OnDuty | None, OnDuty | None]] = {}

    def of(self, product_id: int | None) -> tuple[OnDuty | None, OnDuty | None]:
        """(the person on duty, the release advocate to message on release day) for a ticket of that product."""
        if product_id is None:
            product_id = desk_products().default_id
        if product_id not in self._found:
            self._found[product_id] = (
                on_duty_at(self.coverage, self.at, product_id=product_id),
                release_advocate_dm(self.at, product_id=product_id),
            )
        return self._found[product_id]
