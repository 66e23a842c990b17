"""The demo's competitors (share of voice, issue 70): two made-up products the demo desk names, and what people say
of them on the demo's network. The replays answer a search for a competitor's term from this timeline, in their
platform's own shape (Hacker News: channels/adapters/hackernews/replay.py), so a demo poll stores competitor
mentions through the real path: the adapter's search, its parser, the judgement and the counted rows.

Made-up names only: no real company is named here."""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

from django.db import transaction

# Name -> its search terms, as admin would write them.
DEMO_COMPETITORS: dict[str, list[str]] = {"Acme CI": ["acme ci"], "Forgeworks": ["forgeworks"]}

# What people say of each, in turn (an author, the words): praise, complaints and plain remarks, so the demo's
# sentiment chart has all three.
SAYINGS: dict[str, list[tuple[str, str]]] = {
    "acme ci": [
        (
            "rkoval",
            "Moved our monorepo to Acme CI last month and the cache hits are great, builds went from 14 to 6 min.",
        ),
        ("thessaly_dev", "Acme CI runners crashed again with exit code 137, third outage this week. Awful."),
        ("mvandijk", "Does anyone know if Acme CI supports matrix builds across ARM and x86?"),
        ("lunapark", "Acme CI pricing page changed again, per-minute billing now."),
        ("ohmygit", "Really love the new Acme CI test insights view, nice work."),
        ("bitflipper", "Acme CI's YAML anchors still broken, error on every nested include. Frustrating."),
    ],
    "forgeworks": [
        ("sandpiper", "Forgeworks self-hosted install took ten minutes, impressive docs."),
        ("kettle_io", "Forgeworks merge queue is down again, 502 on every push."),
        ("arden_b", "We evaluated Forgeworks and stayed with what we had."),
        ("quillon", "Forgeworks code review is wonderful for small teams, love it."),
    ],
}
# The demo's timeline of each term: a slot every SECONDS_APART[term] from EPOCH on, each holding one saying at a point
# within it or nobody (QUIET: more at weekends, and in slow waves of a few weeks), so a day's count, a week's and the
# mix of praise and complaints vary as people's talk does: Acme CI about six a day and Forgeworks about four, told
# apart on the share-of-voice chart and neither outshouting the demo desk's own mentions. (Until 2026-12-01 every slot
# spoke, in a fixed turn: each week exactly 42 and 28, the same shares, flat lines on the chart.)
SECONDS_APART = {"acme ci": 3 * 3600, "forgeworks": 4 * 3600}
EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z, a Thursday
QUIET = 0.2  # the share of quiet slots on a weekday at the wave's middle


def is_demo_term(term: str) -> bool:
    """Whether the demo's people talk of `term` (a replay answers its search from the timeline)."""
    return term.casefold().strip() in SAYINGS


@dataclass(frozen=True)
class Saying:
    n: int  # its place on the term's timeline
    author: str
    text: str


def _draw(term: str, n: int) -> int:
    """A number fixed for the slot (the same on every run and machine): which saying, where in the slot, or quiet."""
    return zlib.crc32(f"{term}:{n}".encode())


def saying(term: str, n: int) -> Saying | None:
    """The saying of `term`'s slot `n`, or None for a term nobody says anything of on the demo."""
    key = term.casefold().strip()
    said = SAYINGS.get(key)
    if not said:
        return None
    author, text = said[(_draw(key, n) >> 12) % len(said)]
    return Saying(n, author, text)


def _spoken(term: str, n: int) -> bool:
    day = n * SECONDS_APART[term] // 86_400
    quiet = QUIET + (0.3 if (day + 3) % 7 >= 5 else 0.0) + 0.15 * math.sin(2 * math.pi * day / 23)
    return _draw(term, n) % 1000 >= quiet * 1000


def sayings_between(term: str, low: float, high: float, *, shift: int = 0) -> list[tuple[int, int, Saying]]:
    """The sayings on `term` "posted" in [low, high), newest first, as (place, time in epoch seconds, saying); `shift`
    starts another platform's timeline further along the same sayings, so each platform hears them in its own order."""
    key = term.casefold().strip()
    apart = SECONDS_APART.get(key)
    if apart is None:
        return []
    found = []
    # Every slot that may hold a saying in the range: one starting before `low` may speak after it.
    for n in range((int(high) - 1 - EPOCH) // apart, max(0, (int(low) - EPOCH) // apart) - 1, -1):
        posted = EPOCH + n * apart + (_draw(key, n) >> 22) % apart
        said = saying(key, n + shift)
        if _spoken(key, n) and low <= posted < high and said is not None:
            found.append((n, posted, said))
    return found


def competitors_demo_ensure(products: dict[str, int] | None = None) -> str:
    """The demo's competitors, made once (an admin's later changes kept). `products` names the product a competitor
    is made for (issue 71: Forgeworks is a forge, GitLab's rival, and Acme CI a CI service, the platform's and the
    runner's alike); the others are desk-wide. The caller passes the ids: channels knows no product model."""
    from channels.models import Competitor

    made = 0
    with transaction.atomic():
        for name, terms in DEMO_COMPETITORS.items():
            defaults = {"terms": terms, "product_id": (products or {}).get(name)}
            made += Competitor.objects.get_or_create(name=name, defaults=defaults)[1]
    return f"Demo: {made} competitor(s) named ({', '.join(DEMO_COMPETITORS)})."
