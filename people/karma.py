"""Karma where the platform's items do not carry their author's weight (Hacker News, Reddit): looked up after a
poll stored its pages (registered as intake.hooks.KarmaHook), for the poll's authors whose figure is unknown or
older than FRESH, at most `budget` of them, the least recently asked first. One request per author asked, none
inside the ingest's transaction, none for an author asked this week. The figure is kept on the identity
(Identity.audience, audience_kind "karma", audience_at) and the person's open tickets take their new weight
(Ticket.requester_audience, Play's deadline ties)."""

from __future__ import annotations

import logging
from datetime import timedelta

import requests
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from channels.adapters.base import AdapterError
from channels.adapters.registry import platform_of as declared
from channels.models import Channel
from mentions.services.requester_weight import requester_audience_refresh
from people.ingest import platform_of
from people.models import AudienceKind, Identity, Requester, account_key

logger = logging.getLogger(__name__)

# A looked-up figure is good for a week: karma moves slowly, and the budget goes to authors not yet weighed.
FRESH = timedelta(days=7)


def karma_after_poll(*, channel: Channel, handles: list[str], session: requests.Session, budget: int) -> int:
    lookup_path = declared(channel.kind).karma_lookup
    keys = {account_key(h) for h in handles} - {""}
    if lookup_path is None or budget <= 0 or not keys:
        return 0
    lookup = import_string(lookup_path)
    now = timezone.now()
    due = list(
        Identity.objects.filter(platform=platform_of(channel), key__in=keys)
        .filter(Q(audience_at__isnull=True) | Q(audience_at__lt=now - FRESH))
        .order_by(F("audience_at").asc(nulls_first=True), "pk")[:budget]
    )
    asked: list[Identity] = []
    for identity in due:
        try:
            karma = lookup(channel=channel, session=session, handle=identity.handle or identity.key)
        except AdapterError as exc:  # rate-limited, down, refused: the rest wait for the next poll
            logger.warning("karma: channel=%s stopped after %d lookup(s): %s", channel.slug, len(asked), exc)
            break
        # Asked now, found or not (a deleted account): not asked again before FRESH has passed.
        identity.audience_at = now
        if karma is not None:
            identity.audience, identity.audience_kind = karma, AudienceKind.KARMA
        asked.append(identity)
    if asked:
        Identity.objects.bulk_update(asked, ["audience", "audience_kind", "audience_at"])
        _open_tickets_weigh({i.person_id for i in asked if i.audience is not None})
    return len(asked)


def _open_tickets_weigh(person_ids: set[int]) -> None:
    """Each person's open tickets take their weight (the largest of their identities' figures)."""
    if not person_ids:
        return
    weights = dict(
        Identity.objects.filter(person_id__in=person_ids)
        .values("person_id")
        .annotate(top=Max("audience"))
        .values_list("person_id", "top")
    )
    opened: dict[int, list[int]] = {}
    for person_id, ticket_id in Requester.objects.filter(identity__person_id__in=person_ids).values_list(
        "identity__person_id", "ticket_id"
    ):
        opened.setdefault(person_id, []).append(ticket_id)
    for person_id, ticket_ids in opened.items():
        requester_audience_refresh(ticket_ids=ticket_ids, audience=weights.get(person_id))
