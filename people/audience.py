"""An author's weight: how many follow them on X, their karma on Hacker News or Reddit, their reputation on
Stack Overflow. Kept per identity (Identity.audience, audience_kind, audience_at): read from the payload where
it carries it (people.ingest), looked up after a poll where it does not (people.karma). A person's weight is the
largest of their identities' figures; this module reads it and says it as the requester card does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from channels.adapters.registry import PLATFORMS, platform_of
from people.models import Identity, Requester
from people.selectors import platform_label


def audience_count(count: int) -> str:
    """A count as people read it: 4,210 below ten thousand, then 12.3k, then 1.2M."""
    if count < 10_000:
        return f"{count:,}"
    if count < 1_000_000:
        return f"{count / 1000:.1f}".removesuffix(".0") + "k"
    return f"{count / 1_000_000:.1f}".removesuffix(".0") + "M"


@dataclass(frozen=True)
class Weight:
    """A person's weight: their largest audience, what it counts and on which platform."""

    audience: int
    kind: str
    platform: str

    def __str__(self) -> str:
        # A platform as a sentence names it (its declared name: "X", "Stack Overflow"; the labels say more than
        # this needs, "X / Twitter").
        place = platform_of(self.platform).spoken_name if self.platform in PLATFORMS else platform_label(self.platform)
        return f"{audience_count(self.audience)} {self.kind} on {place}"


def heaviest(identities: Iterable[Identity]) -> Weight | None:
    """The largest audience among `identities` (a person's, already loaded: no query)."""
    known = [i for i in identities if i.audience is not None and i.audience_kind]
    if not known:
        return None
    top = max(known, key=lambda i: (i.audience or 0, i.platform))
    return Weight(audience=top.audience or 0, kind=top.audience_kind, platform=top.platform)


def ticket_weight(ticket_id: int) -> Weight | None:
    """The weight of the person who opened ticket `ticket_id` (None when unknown): one query."""
    person = Requester.objects.filter(ticket_id=ticket_id).values("identity__person_id")
    top = (
        Identity.objects.filter(person_id__in=person, audience__isnull=False)
        .exclude(audience_kind="")
        .order_by("-audience", "platform")
        .values_list("audience", "audience_kind", "platform")
        .first()
    )
    if top is None:
        return None
    audience, kind, platform = top
    return Weight(audience=audience or 0, kind=kind, platform=platform)
