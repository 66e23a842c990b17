"""Spikes: a story, or a word, suddenly far above its usual hourly rate, told once to the advocates' Slack channel.

Checked after each detector run (stories.detection.detector.stories_after_ingest) and every minute from beat
(`stories.spikes`), over the last hour:

- **a story** with at least DESK_STORY_SPIKE_MIN tickets posted in the last hour (Ticket.requested_at of its
  members) and at least DESK_STORY_SPIKE_FACTOR times its usual hourly rate (its tickets before that hour over
  the hours it has existed; a new story's usual rate is 0, so only the minimum applies);
- **a term**, a distinctive word of new tickets (the detector's "t:" keys of tickets posted in the last hour), with
  at least the minimum and the factor times its usual hourly rate: its tickets a day over the previous 28 days
  (TermDay) divided by 24; a term with no history has a usual rate of 0. A term that is a core term of a story
  alerted today is not alerted again: the story's alert says it.

Each spike makes one SpikeAlert (unique per kind, key and UTC day: made with get_or_create, so a spike is alerted
once a day however often it is checked), with the tickets per platform and the usual rate. The row is the Slack
message's outbox (notifications.rows): posted after commit by `stories.spike_alerts_send`, retried with backoff,
and swept by `stories.spikes`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from advocacy.enqueue import task_enqueue_on_commit
from channels.adapters.base import ConfigError
from channels.adapters.registry import platform_of
from channels.adapters.slack.client import slack_escape, slack_link
from mentions.models import DutySettings
from notifications.rows import slack_rows_deliver
from stories.models import Key, Membership, Signature, SpikeAlert, Story, TermDay

logger = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
HISTORY_DAYS = 28
PER_RUN = 20
SEND_TASK = "stories.spike_alerts_send"


@dataclass
class _Spike:
    kind: str
    key: str
    story: Story | None
    counts: dict[str, int]  # tickets in the last hour per platform (Channel.kind)
    usual: float


def spikes_check(*, now: datetime | None = None) -> dict[str, int]:
    """Alert today's new spikes (each once). Returns how many alerts were made of each kind."""
    now = now or timezone.now()
    day = now.astimezone(UTC).date()
    minimum, factor = settings.DESK_STORY_SPIKE_MIN, settings.DESK_STORY_SPIKE_FACTOR
    channel = DutySettings.current().advocates_channel
    made = {"story_spikes": 0, "term_spikes": 0}
    for spike in _story_spikes(now, day, minimum, factor):
        made["story_spikes"] += _alert(spike, day, channel, now)
    for spike in _term_spikes(now, day, minimum, factor):
        made["term_spikes"] += _alert(spike, day, channel, now)
    if any(made.values()):
        task_enqueue_on_commit(SEND_TASK)
    return made


def spikes_after_detect() -> dict[str, int]:
    """The check after a detector run (stories.detection.detector.stories_after_ingest). A failure is logged, never
    raised into the after-ingest task: the detection has committed, and beat's `stories.spikes` checks again within a
    minute."""
    try:
        return spikes_check()
    except Exception:
        logger.exception("spikes: the check after the detector run failed")
        return {}


def _alerted(kind: str, day: date) -> set[str]:
    return set(SpikeAlert.objects.filter(kind=kind, day=day).values_list("key", flat=True))


def _story_spikes(now: datetime, day: date, minimum: int, factor: float) -> list[_Spike]:
    since = now - HOUR
    recent = Membership.objects.filter(
        ticket__requested_at__gt=since, ticket__requested_at__lte=now, story__merged_into__isnull=True
    )
    done = {int(key) for key in _alerted(SpikeAlert.Kind.STORY, day)}
    ids = [
        row["story_id"]
        for row in recent.values("story_id").annotate(n=Count("pk")).filter(n__gte=minimum)
        if row["story_id"] not in done
    ]
    if not ids:
        return []
    before = dict(
        Membership.objects.filter(story_id__in=ids, ticket__requested_at__lte=since)
        .values("story_id")
        .annotate(n=Count("pk"))
        .values_list("story_id", "n")
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for story_id, kind, n in (
        recent.filter(story_id__in=ids)
        .values("story_id", "ticket__channel__kind")
        .annotate(n=Count("pk"))
        .values_list("story_id", "ticket__channel__kind", "n")
    ):
        counts[story_id][kind] = n
    spikes = []
    for story in Story.objects.filter(pk__in=ids).order_by("pk"):
        hours = min(max(1.0, (since - story.first_at).total_seconds() / 3600), HISTORY_DAYS * 24.0)
        usual = before.get(story.pk, 0) / hours
        if sum(counts[story.pk].values()) >= factor * usual:
            spikes.append(_Spike(SpikeAlert.Kind.STORY, str(story.pk), story, counts[story.pk], usual))
    return spikes


def _covered(day: date) -> set[str]:
    """The core terms of the stories alerted today: their words' spikes are those stories'."""
    stories = Story.objects.filter(spike_alerts__kind=SpikeAlert.Kind.STORY, spike_alerts__day=day)
    return {stem for terms in stories.values_list("terms", flat=True) for stem in terms or {}}


def _term_spikes(now: datetime, day: date, minimum: int, factor: float) -> list[_Spike]:
    recent = Key.objects.filter(key__startswith="t:", ticket__isnull=False, at__gt=now - HOUR, at__lte=now)
    skip = _covered(day) | _alerted(SpikeAlert.Kind.TERM, day)
    keys = [
        row["key"]
        for row in recent.values("key").annotate(n=Count("ticket_id", distinct=True)).filter(n__gte=minimum)
        if row["key"][2:] not in skip
    ]
    if not keys:
        return []
    stems = {key: key[2:] for key in keys}
    history = dict(
        TermDay.objects.filter(
            term__in=[stem[:100] for stem in stems.values()],
            day__gte=day - timedelta(days=HISTORY_DAYS),
            day__lt=day,
        )
        .values("term")
        .annotate(n=Sum("tickets"))
        .values_list("term", "n")
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for key, kind, n in (
        recent.filter(key__in=keys)
        .values("key", "ticket__channel__kind")
        .annotate(n=Count("ticket_id", distinct=True))
        .values_list("key", "ticket__channel__kind", "n")
    ):
        counts[key][kind] = n
    spikes = []
    for key in sorted(keys):
        usual = (history.get(stems[key][:100]) or 0) / HISTORY_DAYS / 24
        if sum(counts[key].values()) >= factor * usual:
            spikes.append(_Spike(SpikeAlert.Kind.TERM, stems[key][:300], None, counts[key], usual))
    return spikes


def _alert(spike: _Spike, day: date, channel: str, now: datetime) -> int:
    with transaction.atomic():
        _alert_row, made = SpikeAlert.objects.get_or_create(
            kind=spike.kind,
            key=spike.key,
            day=day,
            defaults={
                "story": spike.story,
                "counts": spike.counts,
                "usual_per_hour": round(spike.usual, 4),
                "slack_channel": channel,
                "next_attempt_at": now,
            },
        )
        if made and spike.story is not None:
            Story.objects.filter(pk=spike.story.pk).update(spike_alerted_at=now)
    if made:
        logger.info("spike: %s %s, %s tickets in the last hour", spike.kind, spike.key, sum(spike.counts.values()))
    return int(made)


# -- the Slack message -------------------------------------------------------------------------------------------


def spike_alerts_send(*, now: datetime | None = None, limit: int = PER_RUN) -> int:
    """Post the pending alerts that are due (notifications.rows). Returns how many were posted."""
    now = now or timezone.now()
    duty = DutySettings.current()
    pending = (
        SpikeAlert.objects.select_related("story")
        .filter(status=SpikeAlert.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
    )
    return slack_rows_deliver(
        pending=pending,
        text_for=lambda row: spike_text(row, mention=duty.advocates_mention),
        channel_for=lambda row: row.slack_channel or duty.advocates_channel,
        now=now,
        limit=limit,
        what="spike alert",
    )


def spike_text(alert: SpikeAlert, *, mention: str = "") -> str:
    """The alert in Slack's mrkdwn, every outside word escaped: ":chart_with_upwards_trend: Spike: <link|what> —
    14 tickets in the last hour (X / Twitter 8, Reddit 4, Hacker News 2); usually 0.3 an hour." """
    if alert.kind == SpikeAlert.Kind.STORY:
        story = alert.story
        url = settings.SITE_URL + (story.get_absolute_url() if story else reverse("stories:list"))
        label = story.title if story else f"story {alert.key}"
    else:
        word = term_word(alert)
        url = f"{settings.SITE_URL}{reverse('mentions:tickets')}?{urlencode({'q': word})}"
        label = f"“{word}”"
    total = sum(alert.counts.values())
    platforms = ", ".join(
        f"{slack_escape(platform_label(kind))} {n}"
        for kind, n in sorted(alert.counts.items(), key=lambda item: (-item[1], item[0]))
    )
    head = f"{mention} " if mention else ""
    tickets = "ticket" if total == 1 else "tickets"
    return (
        f"{head}:chart_with_upwards_trend: Spike: {slack_link(url, label[:150].replace('|', '¦'))}"
        f" — {total} {tickets} in the last hour ({platforms}); usually {rate(alert.usual_per_hour)} an hour."
    )


def term_word(alert: SpikeAlert) -> str:
    """The term as people wrote it (a ticket's signature keeps it beside the stem), for the label and the search."""
    stem = alert.key
    start = datetime.combine(alert.day, time.min, tzinfo=UTC) - HOUR  # its tickets: the hour before a check that day
    rows = Signature.objects.filter(
        at__gte=start, at__lt=start + timedelta(days=1, hours=1), terms__has_key=stem
    ).values_list("terms", flat=True)
    for terms in rows[:1]:
        word = (terms or {}).get(stem)
        if isinstance(word, str) and word:
            return word
    return stem


def platform_label(kind: str) -> str:
    """The platform's name as admin shows it (its declaration in channels.adapters.registry)."""
    try:
        return platform_of(kind).label
    except ConfigError:
        return kind or "Unknown"


def rate(per_hour: float) -> str:
    if per_hour < 0.005:
        return "0"
    if per_hour < 0.1:
        return f"{per_hour:.2f}"
    if per_hour < 10:
        return f"{per_hour:.1f}".removesuffix(".0")
    return f"{per_hour:.0f}"
