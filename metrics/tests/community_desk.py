"""The desk the Community tests count on (metrics/tests/test_community.py, api/tests/test_analytics.py): tickets on
channels of three registered kinds (people.tests.factories.KIND_CONFIG's configurations), made with the factories."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from channels.tests.factories import ChannelFactory
from mentions.models import Intent, Judgement, Message, Sentiment, Ticket
from mentions.tests.factories import MessageFactory
from metrics.community import volume
from people.tests.factories import KIND_CONFIG, IdentityFactory, PersonFactory, ticket_from

START, END = date(2026, 10, 1), date(2026, 10, 28)
# The day the tests of the kept ranking call today, read once when they are collected; their clock stands at its noon
# (metrics/tests/conftest.py's no_midnight_margin), so a run that crosses midnight (UTC) between collection and a test
# does not hold two todays, the test's and the code's.
TODAY = datetime.now(UTC).date()
KINDS = ("hackernews", "reddit", "email")
SENTIMENTS = (*Sentiment.values, "")
INTENTS = (*Intent.values, "")
JUDGEMENTS = (*Judgement.values, "")
SUBJECTS = ("Pipeline cache broken", "Runner pricing question", "Love the new pipeline editor", "Registry outage?")


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def desk_build() -> dict:
    """Tickets over five weeks (the range and the week before it) on three platforms, by six members: every
    sentiment, intent and judgement, some not judged; plus what must not count: a merged duplicate and a ticket
    that began as a private message. Returns the channels, the people and the counted tickets as plain rows."""
    channels = {kind: ChannelFactory(kind=kind, name=f"{kind} channel", config=KIND_CONFIG[kind]) for kind in KINDS}
    people = [PersonFactory(name=f"Member {i}") for i in range(6)]
    identities = {
        (p.pk, kind): IdentityFactory(person=p, platform=kind, handle=f"m{p.pk}_{kind}")
        for p in people
        for kind in KINDS
    }
    rows = []
    day = START - timedelta(days=7)
    n = 0
    while day <= END:
        for k in range(1 + n % 3):
            kind = KINDS[(n + k) % 3]
            person = people[(n * 7 + k) % 6] if (n + k) % 5 else people[(n + k) % 2]
            fields: dict[str, Any] = {
                "sentiment": SENTIMENTS[(n + k) % 4],
                "intent": INTENTS[(n * 3 + k) % 8],
                "judgement": JUDGEMENTS[(n + 2 * k) % 4],
                "subject": SUBJECTS[(n + k) % 4] + f" {n}",
                "requested_at": _at(day, 8 + k),
            }
            if (n + k) % 3 == 0:  # answered within the 7 h target, or in 9 h
                fields |= {"first_reply_at": _at(day, 8 + k) + timedelta(hours=2), "first_reply_seconds": 7200}
            elif (n + k) % 3 == 1:
                fields |= {"first_reply_at": _at(day, 8 + k) + timedelta(hours=9), "first_reply_seconds": 9 * 3600}
            ticket = ticket_from(identities[(person.pk, kind)], channel=channels[kind], **fields)
            rows.append({"ticket": ticket, "person": person.pk, "kind": kind, "day": day, **fields})
            n += 1
        day += timedelta(days=1)
    # Not counted: a duplicate merged into the first ticket, and a conversation that began in private.
    target = rows[len(rows) // 2]["ticket"]
    merged = ticket_from(identities[(people[0].pk, "reddit")], channel=channels["reddit"], requested_at=_at(START, 15))
    Ticket.objects.filter(pk=merged.pk).update(merged_into=target)
    private = ticket_from(identities[(people[1].pk, "email")], channel=channels["email"], requested_at=_at(START, 16))
    MessageFactory(ticket=private, kind=Message.Kind.PRIVATE, platform_created_at=private.requested_at)
    return {"channels": channels, "people": people, "rows": rows}


def _expected_volume(rows, *, by: str, group: str, channel_id=None) -> list[dict]:
    counts: Counter = Counter()
    for r in rows:
        if not START <= r["day"] <= END or (channel_id and r["ticket"].channel_id != channel_id):
            continue
        value = r["kind"] if group == "platform" else (r[group] or "unjudged")
        counts[(volume.period_of(r["day"], by), value)] += 1
    return [{"period": p, "group": g, "mentions": counts[(p, g)]} for p, g in sorted(counts)]


def newcomer_days_as_recounted() -> None:
    """The returning members' day rollup, kept by adding and taking off each rebuilt member's counts, is what counting
    every day again from CommunityMember gives: no drift, no row left with no member."""
    from mentions.models import Target
    from metrics.community.members import newcomers_ensure
    from metrics.models import CommunityNewcomerDay

    def rows() -> list[tuple]:
        columns = ("day", "channel_id", "within_target", "members", "back_30", "back_90")
        return sorted(CommunityNewcomerDay.objects.values_list(*columns))

    kept = rows()
    newcomers_ensure(Target.hours(), rebuild=True)
    assert kept == rows()
