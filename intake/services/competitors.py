"""Share of voice (issue 70): a channel's poll also searches one competitor's terms, through the adapter's own search.

Where: the channels whose platform searches everyone's words (`Platform.competitor_search`: Hacker News, Reddit,
Bluesky, Mastodon). The channel's config is turned into a search of the competitor's terms only
(`Platform.competitor_config`), with the cursor of that search (`CompetitorSearch.cursor`), never the channel's, and
the adapter's `fetch_chunks` reads it as it reads the channel: its paging, rate limits and parser, cleaned once.

The budget: one competitor per poll, in turn (the one searched longest ago first), at most TERMS_MAX terms, and
the channel's poll interval counts those requests (channels.freshness.buckets_of), so polling stays within the
share of the platform's budget it may use. The search is skipped when the channel's own poll left a backlog or the
platform asked to wait (the desk's own mentions come first) and when the month's read budget is spent. A failure is
recorded on the search and logged: the channel's own poll, stored already, is not failed by it.

What is found is judged (mentions.judgement.text_sentiment) and stored as `CompetitorMention` rows, one per platform
item whatever found it again, in one INSERT per chunk: no text, never a ticket, never in the queue or search. The
INSERT also counts what it stored in the share of voice's daily rollup, in the same statement (PostgreSQL triggers,
metrics.competitor_rollup): an item found again, left out by the unique key, is not counted twice."""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from channels.adapters import AdapterError
from channels.adapters.adapter import Adapter
from channels.adapters.base import IncomingMention, PollStopped
from channels.adapters.registry import platform_of
from channels.budget import budget_plan
from channels.competitors import TERMS_MAX
from channels.http import build_session
from channels.models import Channel, Competitor, CompetitorMention, CompetitorSearch
from mentions.judgement.text_sentiment import text_sentiment
from mentions.products import desk_products

logger = logging.getLogger(__name__)


@dataclass
class Listened:
    """What one poll's competitor search did: whom it searched, what it stored, or why it did not search."""

    competitor: str = ""
    found: int = 0
    stored: int = 0
    reads: int = 0
    skipped: str = ""
    error: str = ""


def competitor_due(channel: Channel) -> Competitor | None:
    """The enabled competitor whose turn it is on `channel`: never searched there first, then searched longest ago.
    With several products, among the desk's competitors and those of the channel's product."""
    enabled = Competitor.objects.filter(enabled=True).exclude(terms=[])
    products = desk_products()
    if products.many:  # issue 71: the desk's competitors and its product's (an empty product is the first)
        product = channel.product_id if channel.product_id is not None else products.default_id
        enabled = enabled.filter(Q(product__isnull=True) | Q(product_id=product))
    competitors = list(enabled.order_by("name", "pk"))
    if not competitors:
        return None
    last = dict(
        CompetitorSearch.objects.filter(channel=channel, competitor__in=competitors).values_list(
            "competitor_id", "searched_at"
        )
    )
    never = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    return min(competitors, key=lambda c: last.get(c.pk) or never)


def _skip_reason(channel: Channel, *, backlog: bool, not_before: datetime | None, now: datetime) -> str:
    if backlog:
        return "the channel's own backlog first"
    if not_before is not None and not_before > now:
        return "the platform asked to wait"
    budget = (channel.config or {}).get("monthly_read_budget")
    if budget:
        plan = budget_plan(budget=int(budget), usage=channel.usage or {}, base_interval=0, now=now)
        if plan.exhausted:
            return "the month's read budget is spent"
    return ""


def competitor_mentions_store(
    *, competitor: Competitor, channel: Channel, mentions: list[IncomingMention]
) -> tuple[int, int]:
    """Judge and store what a search found, once per platform item: (kept, newly stored). Our own posts, private
    items and deleted ones are not anyone's voice and are not counted."""
    kept = {m.external_id: m for m in mentions if m.external_id and not (m.by_us or m.private or m.deleted)}
    kept = {k: m for k, m in kept.items() if not channel.is_our_account(m.author_handle)}
    if not kept:
        return 0, 0
    known = set(
        CompetitorMention.objects.filter(
            competitor=competitor, kind=channel.kind, external_id__in=list(kept)
        ).values_list("external_id", flat=True)
    )
    rows = sorted(
        (
            CompetitorMention(
                competitor=competitor,
                channel=channel,
                kind=channel.kind,
                external_id=external_id,
                posted_at=mention.created_at,
                # A reply carries its thread's title on some platforms (a Hacker News comment, its story's): judged on
                # its own words.
                sentiment=text_sentiment(title="" if mention.parent_id else mention.title, text=mention.text),
                author=mention.author_handle[:200],
            )
            for external_id, mention in kept.items()
            if external_id not in known
        ),
        # In the rollup's key order (UTC day, sentiment), batch after batch: two polls counting the same days lock
        # their rows in one order, so neither waits for the other in a circle.
        key=lambda row: (row.posted_at.astimezone(UTC).date(), row.sentiment),
    )
    # A concurrent poll of another channel may store the same item between the read and the write: the unique
    # constraint keeps it once.
    CompetitorMention.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(kept), len(rows)


def competitors_listen(
    *, channel: Channel, adapter: Adapter, backlog: bool = False, not_before: datetime | None = None
) -> Listened:
    """One competitor searched on `channel` after its own poll (see the module's docstring). Never raises for the
    platform's errors: they are recorded on the search."""
    platform = platform_of(channel.kind)
    now = timezone.now()
    if not platform.competitor_search:
        return Listened(skipped="this platform is not searched for competitors")
    skipped = _skip_reason(channel, backlog=backlog, not_before=not_before, now=now)
    competitor = competitor_due(channel) if not skipped else None
    if competitor is None:
        return Listened(skipped=skipped or "no competitor to search")
    search, _ = CompetitorSearch.objects.get_or_create(channel=channel, competitor=competitor)
    listened = Listened(competitor=competitor.name)
    searching = copy.copy(channel)  # the channel as the adapter reads it, searching the competitor's terms only
    searching.config = platform.competitor_config(channel.config or {}, competitor.terms[:TERMS_MAX])
    if searching.config is not None and "backfill_hours" in searching.config:
        searching.config["backfill_hours"] = settings.DESK_COMPETITOR_BACKFILL_HOURS  # the first search's reach
    searching.cursor = search.cursor or {}
    error = ""
    try:
        adapter.validate_config(searching.config)
        for fetched in adapter.fetch_chunks(channel=searching, session=build_session()):
            with transaction.atomic():
                found, stored = competitor_mentions_store(
                    competitor=competitor, channel=channel, mentions=fetched.mentions
                )
                CompetitorSearch.objects.filter(pk=search.pk).update(cursor=fetched.cursor)
            listened.found += found
            listened.stored += stored
            listened.reads += fetched.reads
    except (AdapterError, PollStopped) as exc:
        error = str(exc)[:500]
        logger.warning("competitors: channel=%s competitor=%s not searched: %s", channel.slug, competitor.pk, exc)
    CompetitorSearch.objects.filter(pk=search.pk).update(searched_at=now, last_error=error, updated_at=now)
    listened.error = error
    return listened
