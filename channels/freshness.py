"""How often a channel polls: the shortest interval its platform's request budget allows for its
configuration, counted across every channel that spends the same budget, never below a floor.

A mention is visible in the queue about half an interval (plus half a dispatch tick) after it is
posted, so the interval is the freshness. Each platform limits requests per window and per
something (Algolia per IP, Reddit per OAuth client, Stack Exchange per IP and day, Discourse per
site, Disqus per application key, X per app and endpoint): channels that share that something
share the budget. Polling spends at most POLL_SHARE of it; the rest is left for backlogs (which
re-poll sooner), watched threads, the admin's "test connection" and retries. Each platform declares
its budgets (`Platform.budget`, in `channels/adapters/<kind>/platform.py`); this module adds them up.

An interval an admin sets is used as long as the budget allows it; a shorter one is raised to the
shortest the budget allows, and admin says so (`PollInterval.note`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from channels.models import Channel

POLL_SHARE = 0.5
# Interval for channels with no request budget (IMAP) when the admin sets none.
NO_BUDGET_DEFAULT_SECONDS = 60


@dataclass(frozen=True)
class Bucket:
    """One request budget a channel spends when it polls."""

    key: str  # channels with the same key share the budget
    requests: int  # this channel's requests per poll when it has no backlog
    limit: int  # the platform allows `limit` requests ...
    window_seconds: int  # ... per window
    label: str  # "Algolia: 9,000 requests an hour per IP", for admin

    def shortest(self, shared_requests: int) -> float:
        """The shortest interval at which `shared_requests` per poll (this channel's and the
        others' on the same budget) stay within POLL_SHARE of the limit."""
        return shared_requests * self.window_seconds / (self.limit * POLL_SHARE)


def hashed(value: Any) -> str:
    """A budget's key part taken from a secret (a client id, an API key): only a digest is kept."""
    return hashlib.sha256(str(value).encode()).hexdigest()[:12] if value else "none"


def credential(channel: Channel, name: str) -> Any:
    """One of the channel's credentials for a budget's key, or None (unreadable ones included)."""
    from channels.secrets import CredentialsUnreadable

    try:
        credentials = channel.credentials
    except CredentialsUnreadable:
        return None
    return credentials.get(name) if isinstance(credentials, dict) else None


def buckets_of(channel: Channel, *, competitor_terms: int = 0) -> list[Bucket]:
    """The budgets `channel` spends per poll, as its platform declares them (`Platform.budget`, in the
    platform's package); [] for a platform with none (IMAP, webhooks). With `competitor_terms`, the most terms a
    competitor has (share of voice: a poll searches one competitor), the requests of that search are added to the
    budgets it spends, where the platform searches competitors (`Platform.competitor_search`)."""
    from channels.adapters.registry import platform_of

    platform = platform_of(channel.kind)
    of = platform.budget
    config = channel.config if isinstance(channel.config, dict) else {}
    own = of(channel, config) if of else []
    searching = platform.competitor_config(config, [f"term{n}" for n in range(competitor_terms)])
    if not own or not of or not competitor_terms or searching is None:
        return own
    extra = {b.key: b.requests for b in of(channel, searching)}
    return [dataclasses.replace(b, requests=b.requests + extra.get(b.key, 0)) for b in own]


def competitor_terms_most() -> int:
    """The most search terms an enabled competitor has (0 with none): what one poll's competitor search may ask."""
    from channels.models import Competitor

    # A handful of rows: their lists are read and measured here, the same on PostgreSQL and SQLite.
    lists = Competitor.objects.filter(enabled=True).values_list("terms", flat=True)
    return max((len(terms) for terms in lists if isinstance(terms, list)), default=0)


@dataclass(frozen=True)
class PollInterval:
    seconds: int
    automatic: bool  # the admin left the interval empty
    shortest: int  # the shortest interval the budget (and the floor) allows
    limited_by: str  # the budget that sets `shortest`, or "" (the floor)
    note: str  # for admin: why the channel polls this often

    def describe(self) -> str:
        return self.note


def poll_interval(channel: Channel, *, others: Iterable[Channel] | None = None) -> PollInterval:
    """How often `channel` polls. `others`: the other enabled channels (of any kind; loaded when
    None) whose budgets may be shared with this one's."""
    from channels.adapters.registry import platform_of

    floor = int(settings.DESK_POLL_FLOOR_SECONDS)
    # The competitors are read only where this platform searches them (a GitHub channel's interval reads no row).
    terms = competitor_terms_most() if platform_of(channel.kind).competitor_search else 0
    own = buckets_of(channel, competitor_terms=terms)
    if own and others is None:
        from channels.models import Channel

        others = Channel.objects.filter(enabled=True, kind=channel.kind).exclude(pk=channel.pk)
    shared: dict[str, int] = {b.key: b.requests for b in own}
    sharers: dict[Any, int] = {}
    for other in others or ():
        if other.pk == channel.pk or not other.enabled:
            continue
        for bucket in buckets_of(other, competitor_terms=terms):
            if bucket.key in shared:
                shared[bucket.key] += bucket.requests
                sharers[other.pk] = sharers.get(other.pk, 0) + 1
    shortest, limited_by = float(floor), ""
    for bucket in own:
        seconds = bucket.shortest(shared[bucket.key])
        if seconds > shortest:
            shortest, limited_by = seconds, bucket.label
    shortest_s = math.ceil(shortest)
    chosen = channel.poll_interval_seconds
    sharing = len(sharers)
    with_others = f", shared with {sharing} other channel(s)" if sharing else ""
    budget_words = f"{limited_by} (polling may use {POLL_SHARE:.0%} of it{with_others})"
    if not own:
        reason = "this platform has no request budget"
    elif limited_by:
        reason = f"the shortest that {budget_words} allows"
    else:
        reason = "the desk's shortest interval (DESK_POLL_FLOOR_SECONDS); the platform's budget would allow more"
    if not chosen:
        seconds = shortest_s if own else max(shortest_s, NO_BUDGET_DEFAULT_SECONDS)
        return PollInterval(seconds, True, shortest_s, limited_by, f"Automatic: every {seconds} s, {reason}.")
    if chosen < shortest_s:
        why = (
            f"polling every {chosen} s would exceed {budget_words}"
            if limited_by
            else f"no channel polls more often than every {floor} s"
        )
        note = f"Every {shortest_s} s, not the {chosen} s set here: {why}."
        return PollInterval(shortest_s, False, shortest_s, limited_by, note)
    return PollInterval(
        chosen, False, shortest_s, limited_by, f"Every {chosen} s, as set here (shortest allowed: {shortest_s} s)."
    )
