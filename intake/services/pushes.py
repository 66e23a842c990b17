"""What a platform pushes to the desk, stored the one way a poll's chunk is stored (`mentions_store`): a delivery to
the desk's door (`POST /hooks/<slug>/`, intake.webhook_views) and a message over a gateway connection
(intake.services.gateways) alike. Nothing moves the poll's cursor: a push only brings items sooner, and the
next poll, reading from where it left off, finds them stored (duplicates) and whatever the push missed."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db.models import F
from django.utils import timezone

from channels.adapters.base import Pushed
from channels.models import Channel
from intake.pipeline import IngestResult
from intake.services.quarantine import mentions_store

logger = logging.getLogger(__name__)


def pushed_store(*, channel: Channel, pushed: Pushed) -> IngestResult | None:
    """Store what one push brought (what cannot be read quarantined), then let the platform remember it was
    stored (`Pushed.stored`). None when it brought nothing to store: its `note` says why."""
    if not pushed.mentions and not pushed.rejected:
        return None
    result = mentions_store(channel=channel, mentions=pushed.mentions, rejected=pushed.rejected)
    pushed.stored()
    return result


def push_refused_record(*, channel_ids: Iterable[int], error: str) -> int:
    """The platform refused the push connection itself (a token revoked, an intent not granted): its channels are
    failing until an admin fixes them and clears the state, as a poll's permanent error marks a channel (admin's
    Channels list shows the health and the error). Returns how many channels were marked."""
    now = timezone.now()
    marked = Channel.objects.filter(pk__in=list(channel_ids)).update(
        health=Channel.Health.FAILING,
        last_error=error[:2000],
        last_error_at=now,
        consecutive_failures=F("consecutive_failures") + 1,
        next_poll_at=None,
    )
    return marked
