"""The most active members' kept ranking of past days (metrics.community.active_past), brought up to date from the
people whose past changed instead of ranking the whole range again.

A kept ranking is the top of everyone by their mentions of [start, yesterday], in the ranking's order (most mentions
first, then the person's number): `entries`, each exact, and `bound`, the place of the last one when the list was
full. Everyone not on it ranks after `bound` (fewer mentions, or as many and a higher number); with no `bound` (the
list was not full) nobody else has a past mention. It is kept with the stamp it is right for and the log's last id
(metrics.community.past_stamp: each refresh that changed a past day logs its people with the stamp it replaced and
the new one).

A read whose stamp moved since reads the log after that id: if its moves follow one another from the kept stamp to
the current one (no merge's or truncate's move between, which logs nobody), only the logged people's past counts
changed. Their exact counts are read by the person-day index (one probe each), put in or taken off, and the list is
sorted again. It stays a correct top: a changed person who now ranks after `bound` is dropped (they are then an
outsider like any other), one who rises before it joins, and when more than `keep` rank before it the list is cut to
`keep` and `bound` becomes the last one's place (everyone dropped or outside ranks after it). When fewer than half of
`keep` are left, the list is filled from the ties after `bound`: the people with exactly its mentions and a higher
number, in order (`ties`), who rank next (everyone else outside has fewer mentions, or as many and a still higher
number); the last one taken becomes `bound`. When that still leaves fewer than half, or the chain is broken, or too
many people changed, the whole range is ranked again (`None`). (The ties matter where most members mention us once a
month: a 30-day list of 100 one-mention people, numbered in the order they came, all had it on the range's first day,
which the next day's range leaves out.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

# More people changed than this: ranking the whole range again (0.25 s at 1,000,000 tickets) is as cheap as the probes.
PEOPLE_CAP = 5000
# A range whose days differ from a kept one's by at most this many (the next day's view of the same 30 or 365 days, a
# month's range a day longer) follows it: the people of those days are read and probed, not the whole range.
SLIDE_DAYS = 7
NOTHING = 2**62  # a log id no row has: the state read of a range with no kept ranking reads no change
# The stamp, the log's last id, and the chain and the people logged after the kept ranking's id, in one snapshot.
STATE_SQL = """
SELECT coalesce((SELECT stamp FROM metrics_communityrankstamp WHERE id = 1), 0),
       coalesce((SELECT max(id) FROM metrics_communityrankchange), 0),
       ARRAY(SELECT ARRAY[b.follows, b.stamp] FROM (
           SELECT follows, stamp, min(id) AS first FROM metrics_communityrankchange WHERE id > %(since)s
           GROUP BY follows, stamp
       ) b ORDER BY b.first),
       ARRAY(SELECT DISTINCT person_id FROM metrics_communityrankchange WHERE id > %(since)s LIMIT %(cap)s)
"""


@dataclass(frozen=True)
class Kept:
    stamp: int
    logged: int  # the log's last id when it was right
    entries: list[tuple[int, int]]  # (person, past mentions) in the ranking's order, erased people too
    bound: tuple[int, int] | None = field(default=None)  # (mentions, person) of the last place; None: everyone
    # The past mentions of people read since, not on the list (erased people too): exact while the stamp is, so a
    # read of the same range later that day reads only the people it has not met (metrics.community.active_past).
    past: dict[int, int] = field(default_factory=dict)

    @classmethod
    def ranked(cls, rows: list[tuple[int, int]], *, keep: int, stamp: int, logged: int) -> Kept:
        """From the whole range ranked: its first `keep` rows in order."""
        return cls(stamp, logged, rows, (rows[-1][1], rows[-1][0]) if len(rows) >= keep else None)

    def updated(
        self,
        counts: dict[int, int],
        *,
        keep: int,
        stamp: int,
        logged: int,
        ties: Callable[[tuple[int, int], int], list[tuple[int, int]]] | None = None,
    ) -> Kept | None:
        """With `counts`, the exact past mentions of every person changed since (0 for none): see the docstring.
        `ties(bound, n)`: the first `n` people after `bound` with its mentions, (person, mentions) by number."""
        entries = {person: n for person, n in self.entries if person not in counts}
        entries.update((person, n) for person, n in counts.items() if n)
        bound = self.bound
        if bound is not None:  # before sorting: at 1,000,000 tickets a next day's counts are ~2,500 people's
            entries = {person: n for person, n in entries.items() if (-n, person) <= (-bound[0], bound[1])}
        order = sorted(entries.items(), key=lambda entry: (-entry[1], entry[0]))
        if bound is not None:
            if len(order) < max(keep // 2, 1) and ties is not None and (more := ties(bound, keep - len(order))):
                order += more
                bound = (more[-1][1], more[-1][0])
            if len(order) < max(keep // 2, 1):
                return None
        if len(order) > keep:
            order = order[:keep]
            bound = (order[-1][1], order[-1][0])
        # The people whose past changed have it from `counts`; the others' is as it was.
        past = dict(self.past)
        past.update((person, n) for person, n in counts.items() if person in past)
        return Kept(stamp, logged, order, bound, past)


def people_changed(kept: Kept, stamp: int, chain: list[list[int]], people: list[int]) -> list[int] | None:
    """The people whose past changed since `kept`, from STATE_SQL's row; None when that is not known."""
    at = kept.stamp
    for follows, moved in chain:
        if follows != at:
            return None
        at = moved
    return people if at == stamp and len(people) < PEOPLE_CAP else None


def days_slid(kept: tuple[date, date], wanted: tuple[date, date]) -> tuple[list[date], list[date]] | None:
    """(the days of `kept` that `wanted` leaves out, the days `wanted` adds) from one range of days (first, last) to
    another; None when they share no day or differ by more than SLIDE_DAYS days."""
    if kept[0] > wanted[1] or wanted[0] > kept[1]:
        return None

    def days(first: date, last: date) -> set[date]:
        return {first + timedelta(days=n) for n in range((last - first).days + 1)}

    before, after = days(*kept), days(*wanted)
    dropped, added = sorted(before - after), sorted(after - before)
    return (dropped, added) if len(dropped) + len(added) <= SLIDE_DAYS else None
