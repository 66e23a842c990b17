"""How often the judgement reads a mention's sentiment and intent right on this desk, measured on a sample a person
checked (the Community page's "Check a sample", issue 70).

Advocates correct an intent on the ticket page but never a sentiment, and the tickets they correct are the ones they
worked, not a sample: the corrections bound the errors from below and say nothing of sentiment. Here a person is shown
a counted mention of the range (metrics.community.counted) that the desk judged, drawn at random without regard to how
sure the desk was, and says what it feels like and what it is, without seeing the desk's reading first (so it cannot
lead them). The share of those checks where the desk said the same is its accuracy on this desk, given with its 95 %
Wilson interval: at 20 checks one more or fewer moves it by five points, and the interval says so.

The draw: a random number between the range's lowest and highest ticket id, and the first unchecked mention at or
after it (else before it). Ids follow arrival, so a mention after a gap of tickets that do not count (private
conversations, merged duplicates, unjudged ones) is a little likelier, a bias unrelated to what the desk said.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date
from math import sqrt
from statistics import NormalDist
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Max, Min, QuerySet
from django.utils import timezone

from mentions.models import Intent, Sentiment, Ticket
from metrics.community.counted import counted_requested
from metrics.models_community import JudgementCheck
from metrics.periods import tickets_requested

Z95 = NormalDist().inv_cdf(0.975)


def _judged(*, start: date, end: date, channel_id: int | None) -> QuerySet[Ticket]:
    """The range's counted mentions the desk gave a sentiment and an intent."""
    return counted_requested(start=start, end=end, channel_id=channel_id).exclude(sentiment="").exclude(intent="")


def check_draw(
    *, start: date, end: date, channel_id: int | None = None, rng: random.Random | None = None
) -> Ticket | None:
    """A judged mention of the range nobody checked, drawn at random; None when every one was."""
    unchecked = _judged(start=start, end=end, channel_id=channel_id).filter(judgement_check__isnull=True)
    # The bounds of the range's tickets, whatever counts, read through the requested_at index: `pk + 0` keeps the
    # planner from walking the id index from one end until a ticket of the range comes (30 days at 1,000,000 tickets:
    # 27 ms, against 49 ms over the unchecked judged ones and 300 ms walking the ids; a year 327 ms). Exact for
    # imported history too, whose ids do not follow its dates. The pick then walks the ids from the number drawn.
    in_range = tickets_requested(start=start, end=end, channel_id=channel_id)
    bounds = in_range.aggregate(low=Min(F("pk") + 0), high=Max(F("pk") + 0))
    if bounds["low"] is None:
        return None
    at = (rng or random.SystemRandom()).randint(bounds["low"], bounds["high"])
    return unchecked.filter(pk__gte=at).order_by("pk").first() or unchecked.filter(pk__lt=at).order_by("-pk").first()


def check_record(*, ticket: Ticket, user: Any, sentiment: str, intent: str) -> JudgementCheck:
    """A person's reading of `ticket`, beside the desk's as it stands. A second reading of the same mention replaces
    the first and keeps the desk's reading of then."""
    if sentiment not in Sentiment.values:
        raise ValidationError({"sentiment": "Choose how the mention feels."})
    if intent not in Intent.values:
        raise ValidationError({"intent": "Choose what the mention is."})
    check, _ = JudgementCheck.objects.update_or_create(
        ticket=ticket,
        defaults={"checked_by": user, "checked_at": timezone.now(), "sentiment": sentiment, "intent": intent},
        create_defaults={
            "checked_by": user,
            "checked_at": timezone.now(),
            "sentiment": sentiment,
            "intent": intent,
            "desk_sentiment": ticket.sentiment,
            "desk_intent": ticket.intent,
        },
    )
    return check


@dataclass(frozen=True)
class Accuracy:
    right: int
    checked: int

    @property
    def pct(self) -> float | None:
        return round(100.0 * self.right / self.checked, 1) if self.checked else None

    @property
    def interval(self) -> tuple[float, float] | None:
        """The 95 % Wilson score interval, in percent. Written out (a few lines of arithmetic) rather than read from
        scipy.stats, whose import would cost every web process tens of megabytes for one formula."""
        if not self.checked:
            return None
        n, p = self.checked, self.right / self.checked
        centre = p + Z95 * Z95 / (2 * n)
        spread = Z95 * sqrt(p * (1 - p) / n + Z95 * Z95 / (4 * n * n))
        scale = 1 + Z95 * Z95 / n
        return round(100.0 * (centre - spread) / scale, 1), round(100.0 * (centre + spread) / scale, 1)


def check_figures(*, start: date, end: date, channel_id: int | None = None) -> dict[str, Any]:
    """{"sentiment": Accuracy, "intent": Accuracy, "unchecked": bool}: the checks of the range's mentions. One
    query for the checks; the "is anything left to check" question is answered by the draw when asked."""
    rows = JudgementCheck.objects.filter(
        ticket__in=counted_requested(start=start, end=end, channel_id=channel_id)
    ).values_list("desk_sentiment", "sentiment", "desk_intent", "intent")
    checked = list(rows)
    return {
        "sentiment": Accuracy(sum(1 for d, s, _, _ in checked if d == s), len(checked)),
        "intent": Accuracy(sum(1 for _, _, d, i in checked if d == i), len(checked)),
    }


def check_rows(*, start: date, end: date, by: str, channel_id: int | None = None) -> list[dict[str, Any]]:
    """The API's rows (api.analytics_views.Accuracy): per period of the checked mentions' days and for "sentiment"
    and "intent", how many were checked, how many the desk read as the checker did, the share and its 95 % interval
    (`low`, `high`), by period then group; only periods with a check. One query."""
    from metrics.community.volume import period_of

    tally: dict[tuple[date, str], list[int]] = {}
    rows = JudgementCheck.objects.filter(
        ticket__in=counted_requested(start=start, end=end, channel_id=channel_id)
    ).values_list("ticket__requested_at", "desk_sentiment", "sentiment", "desk_intent", "intent")
    for at, desk_sentiment, sentiment, desk_intent, intent in rows:
        period = period_of(at.astimezone(UTC).date(), by)
        for group, same in (("sentiment", desk_sentiment == sentiment), ("intent", desk_intent == intent)):
            counts = tally.setdefault((period, group), [0, 0])
            counts[0] += int(same)
            counts[1] += 1
    answer = []
    for (period, group), (right, checked) in sorted(
        tally.items(), key=lambda item: (item[0][0], item[0][1] != "sentiment")
    ):
        accuracy = Accuracy(right, checked)
        low, high = accuracy.interval or (None, None)
        answer.append(
            {"period": period.isoformat(), "group": group, "checked": checked, "right": right, "pct": accuracy.pct}
            | {"low": low, "high": high}
        )
    return answer
