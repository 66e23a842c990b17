"""The demo's competitors (share of voice, issue 70): two made-up products the demo desk names, and what people say
of them on the demo's network. The replays answer a search for a competitor's term from this timeline, in their
platform's own shape (Hacker News: channels/adapters/hackernews/replay.py), so a demo poll stores competitor
mentions through the real path: the adapter's search, its parser, the judgement and the counted rows.

Made-up names only: no real company is named here."""

from __future__ import annotations

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
# One saying every SECONDS_APART[term] on the demo's timeline, from EPOCH on: Acme CI six a day, Forgeworks four, so
# the two are told apart on the share-of-voice chart and neither outshouts the demo desk's own mentions.
SECONDS_APART = {"acme ci": 4 * 3600, "forgeworks": 6 * 3600}
EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z


@dataclass(frozen=True)
class Saying:
    n: int  # its place on the term's timeline
    author: str
    text: str


def saying(term: str, n: int) -> Saying | None:
    """The `n`th saying on `term`'s timeline, or None for a term nobody says anything of on the demo."""
    said = SAYINGS.get(term.casefold().strip())
    if not said:
        return None
    author, text = said[n % len(said)]
    return Saying(n, author, text)


def sayings_between(term: str, low: float, high: float, *, shift: int = 0) -> list[tuple[int, int, Saying]]:
    """The sayings on `term` "posted" in [low, high), newest first, as (place, time in epoch seconds, saying); `shift`
    starts another platform's timeline further along the same sayings, so each platform hears them in its own order."""
    apart = SECONDS_APART.get(term.casefold().strip())
    if apart is None:
        return []
    first = max(0, -(-(int(low) - EPOCH) // apart))
    last = (int(high) - 1 - EPOCH) // apart
    found = []
    for n in range(last, first - 1, -1):
        said = saying(term, n + shift)
        if said is not None:
            found.append((n, EPOCH + n * apart, said))
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
