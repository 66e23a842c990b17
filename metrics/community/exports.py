"""The Community page's CSV tables, registered in the KPI exports (metrics.csv_export.EXPORTS): the same rows as
the page's tables and the API's, one builder per table. Each takes the page's filters and its `by`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

from metrics.community.active import most_active
from metrics.community.figures import by_default
from metrics.community.members import returning_rows
from metrics.community.topics import stories_rising, tags_rising_for, terms_rising
from metrics.community.volume import sentiment_shares, volume_rows
from metrics.share_of_voice_page import share_of_voice_csv

RETURNING_KEYS = "period group members decided_30 returned_30 returned_30_pct decided_90 returned_90 returned_90_pct"


def _volume(group: str) -> Callable[..., tuple[list, Iterable]]:
    def build(*, start: date, end: date, channel_id: int | None, now: datetime, by: str | None = None) -> tuple:
        rows = volume_rows(start=start, end=end, by=by or by_default(start, end), group=group, channel_id=channel_id)
        return ["period", group, "mentions"], ([r["period"], r["group"], r["mentions"]] for r in rows)

    return build


def _keyed(keys: str, fetch: Callable[..., Iterable[dict]]) -> Callable[..., tuple[list, Iterable]]:
    header = keys.split()

    def build(*, start: date, end: date, channel_id: int | None, now: datetime, by: str | None = None) -> tuple:
        rows = fetch(start=start, end=end, channel_id=channel_id, now=now, by=by or by_default(start, end))
        return header, ([row.get(key) for key in header] for row in rows)

    return build


COMMUNITY_EXPORTS: dict[str, Callable[..., tuple[list, Iterable]]] = {
    "share_of_voice": _keyed(
        "period group mentions positive negative neutral share_pct by",
        lambda start, end, channel_id, now, by: share_of_voice_csv(start=start, end=end, by=by),
    ),
    **{f"community_{group}": _volume(group) for group in ("platform", "sentiment", "intent", "judgement")},
    "community_sentiment_share": _keyed(
        "period platform positive negative neutral judged unjudged positive_pct negative_pct",
        lambda start, end, channel_id, now, by: sentiment_shares(start=start, end=end, by=by, channel_id=channel_id),
    ),
    "community_stories": _keyed(
        "story title current previous change",
        lambda start, end, channel_id, now, by: stories_rising(start=start, end=end, channel_id=channel_id),
    ),
    "community_terms": _keyed(
        "term current previous change",
        lambda start, end, channel_id, now, by: terms_rising(start=start, end=end, channel_id=channel_id),
    ),
    "community_tags": _keyed(
        "tag current previous change", lambda start, end, channel_id, now, by: tags_rising_for(start=start, end=end)
    ),
    "community_members": _keyed(
        "person name mentions answers contributions total",
        lambda start, end, channel_id, now, by: most_active(start=start, end=end, channel_id=channel_id),
    ),
    "community_returning": _keyed(
        RETURNING_KEYS,
        lambda start, end, channel_id, now, by: returning_rows(
            start=start, end=end, by=by, now=now, channel_id=channel_id
        ),
    ),
}
