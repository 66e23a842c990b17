"""How far to trust the sentiment and intent charts: what advocates corrected, shown beside them.

The desk records an advocate's correction of a ticket's intent (a JUDGEMENT event with `intent_from`, mentions.
services.judgement), never of its sentiment, which advocates cannot change. So for intent the page shows, of the
range's counted mentions the desk gave an intent (metrics.community.counted), how many an advocate corrected
afterwards, with that sample size; an uncorrected intent was not necessarily checked, so this is a floor on the
error rate, not an accuracy. For sentiment it says how many mentions carry one. The accuracy itself is measured on a
sample drawn at random and checked by the team (metrics.community.checks), shown beside these.
"""

from __future__ import annotations

from datetime import date

from mentions.models import TicketEvent
from metrics.community.counted import counted_requested
from metrics.community.volume import period_counts


def trust_figures(*, start: date, end: date, channel_id: int | None = None, by: str = "month") -> dict:
    """{"intent_judged", "intent_corrected", "intent_corrected_pct", "sentiment_judged"}: two queries (the counts
    per period the charts already read, `by` theirs, and the corrected intents)."""
    rows = period_counts(start=start, end=end, by=by, channel_id=channel_id, columns=("channel_id", "sentiment"))
    sentiment_judged = sum(n for _period, (_channel, sentiment), n in rows if sentiment)
    intents = period_counts(start=start, end=end, by=by, channel_id=channel_id, columns=("intent",))
    intent_judged = sum(n for _period, (intent,), n in intents if intent)
    # An intent the advocate gave where the desk had none ("" before) is not a correction.
    corrections = (
        TicketEvent.objects.filter(kind=TicketEvent.Kind.JUDGEMENT, data__has_key="intent_from")
        .exclude(data__intent_from="")
        .values("ticket_id")
    )
    corrected = counted_requested(start=start, end=end, channel_id=channel_id).filter(pk__in=corrections).count()
    return {
        "intent_judged": intent_judged,
        "intent_corrected": corrected,
        "intent_corrected_pct": round(100.0 * corrected / intent_judged, 1) if intent_judged else None,
        "sentiment_judged": sentiment_judged,
    }
