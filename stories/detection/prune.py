"""What the detector keeps only for a while: the index of recent links and words (Key) past twice the window, each
day's term counts and meaning sums past the background's weeks, and the signatures of tickets below its watermark
(never read again) after the background's weeks. Stories and memberships are kept."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from stories.detection.matching import window
from stories.detection.reading import BACKGROUND_DAYS
from stories.models import DetectorState, Key, MeaningDay, Signature, TermDay


def stories_prune(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    keep = timedelta(days=BACKGROUND_DAYS + 7)
    state = DetectorState.objects.filter(pk=1).first()
    watermark = state.last_ticket_id if state else 0
    # An incident still going on refreshes its story's keys hourly (stories.incidents.record): age alone says what is
    # stale.
    keys, _ = Key.objects.filter(at__lt=now - 2 * window()).delete()
    days, _ = TermDay.objects.filter(day__lt=(now - keep).date()).delete()
    MeaningDay.objects.filter(day__lt=(now - keep).date()).delete()
    signatures, _ = Signature.objects.filter(at__lt=now - keep, ticket_id__lte=watermark).delete()
    return {"keys": keys, "term_days": days, "signatures": signatures}
