"""The most active members' mentions on PostgreSQL, exact, at a cost that does not grow with the range's history.

Ranking everyone's mentions of a range sums every person-day of it in `CommunityPersonDay` (~900,000 rows for a year at
1,000,000 tickets; 2.5-3 s while they were identity-days joined to their people, bench/README.md). The days before today
rarely change, so their ranking is kept: the top `KEEP` people by their mentions of [start, yesterday], with their
counts, in the cache with the stamp that moves whenever those days' figures may have changed
(metrics.community.past_stamp). When it moved for a refresh that logged the people whose past changed, the kept list is
brought up to date from those people's counts (a probe each; metrics.community.past_kept); otherwise the range is ranked
again. A read then adds what it reads fresh: the mentions of today (and of any later day in the range), and the
contributions the caller counted.

Why that is exact: the kept list holds the top past counts, its last place being `floor` mentions; anyone not on it has
at most `floor` past mentions (and, on a tie, a higher person number), and no later mention nor contribution unless they
are among the people read fresh. Each kept person ranks at least as high as any such outsider (their total is at least
their past count), so with `limit` kept people still eligible (not erased) the outsiders never reach the top `limit`.
The people read fresh who are not kept have at most `floor` past mentions: those whose total could still reach the
`limit`-th total get their past mentions read exactly, by person (the rollup's person index); the others cannot rank.
What was read is kept beside the list, exact while its stamp is (brought up to date with it), so later views that day
read only the people they have not met (at 1,000,000 tickets, ~2,000 of today's people, 10 ms). When fewer than `limit`
kept people are left, the whole range is ranked as before. A list with no last place (fewer than KEEP people when
ranked) holds everyone with a past mention: the others' past count is 0.

The next day asks for another range (the same 30 or 365 days moved on by one, or a month's a day longer): its list is
derived from the one kept for the range before it, as for a past day changed. A person's count differs between the
two ranges only if they have a mention on a day one range has and the other has not, or the log names them; of the
days left out only the people kept or remembered matter (anyone else only loses mentions, so stays under the last
place). A person kept or remembered (exact under the same stamp) has the new range's count from their old one and
their mentions on the days added and left out, read with the days' people; the others of the days added, and those
the log names, are probed for the new range. The list is then brought up to date (past_kept.Kept.updated): at
1,000,000 tickets, from the ~2,500 people of the day added, where ranking a year again sums ~900,000 person-days."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connections, router

from metrics.community.past_kept import NOTHING, PEOPLE_CAP, STATE_SQL, Kept, days_slid, people_changed
from metrics.models import CommunityPersonDay
from metrics.product_scope import rollup_sql_ids

KEEP = 100
# At most this many people's past mentions kept beside a kept list (a day's people at 1,000,000 tickets: ~2,000).
MEMO_CAP = 10_000
TTL_SECONDS = 2 * 24 * 3600  # the key names its days: a day later it is never asked for again; this bounds memory
_SCOPE = (
    "(%(channel)s::bigint IS NULL OR d.channel_id = %(channel)s) "
    "AND (%(products)s::bigint[] IS NULL OR d.product_id = ANY(%(products)s::bigint[]))"
)
_RANGE = f"d.day >= %(start)s AND d.day <= %(end)s AND {_SCOPE}"
# At most this many people of the days between two ranges are read: only those of the days added and the known ones
# of the days left out are probed (at most PEOPLE_CAP), but at 1,000,000 tickets the two days of a next day's range
# hold ~5,000 (PEOPLE_CAP itself, where half the next day's views ranked the whole range again).
SLID_CAP = 4 * PEOPLE_CAP
# Erased people are kept here and left out by the read: an erasure then needs no new list.
TOP_SQL = f"""
SELECT d.person_id, sum(d.mentions) AS n FROM metrics_communitypersonday d
WHERE {_RANGE}
GROUP BY d.person_id ORDER BY n DESC, d.person_id LIMIT %(limit)s
"""
# The whole range's mentions by person (a year: ~900,000 rows at 1,000,000 tickets).
RANGE_SQL = f"SELECT d.person_id, sum(d.mentions) FROM metrics_communitypersonday d WHERE {_RANGE} GROUP BY d.person_id"
# Today's few rows, by the day index.
FRESH_SQL = RANGE_SQL
# Some people's mentions, 0 for none, erased people too (the kept list keeps them, the read leaves them out): each
# person by the rollup's person index (joined, the planner read every person: all 250,000 for the ~1,650 people of
# today at 1,000,000 tickets, 42-89 ms, against 7-15 ms for the probes, psql, alternated).
PAST_SQL = f"""
SELECT u.id,
       (SELECT coalesce(sum(d.mentions), 0) FROM metrics_communitypersonday d WHERE d.person_id = u.id AND {_RANGE})
FROM unnest(%(people)s::bigint[]) u(id)
"""
# The same, erased (or deleted) people left out, each by their primary key.
PEOPLE_SQL = PAST_SQL + "WHERE (SELECT p.erased_at IS NULL FROM people_person p WHERE p.id = u.id)\n"
# By the index of the few erased people: a cost that does not grow with how many ids are asked about.
ERASED_SQL = "SELECT id, 0 FROM people_person WHERE id = ANY(%(people)s::bigint[]) AND erased_at IS NOT NULL"
# The whole range ranked (when too many kept people were erased since): the top by mentions.
FULL_SQL = f"""
SELECT s.person_id, s.n FROM ({RANGE_SQL}) s(person_id, n)
WHERE s.person_id NOT IN (SELECT id FROM people_person WHERE erased_at IS NOT NULL)
ORDER BY s.n DESC, s.person_id LIMIT %(limit)s
"""
# The people with a mention on some days (a kept range's days left out, and those added): their mentions on the days
# added, on those left out, and whether they have a row on an added day; by the days' index (a day at 1,000,000
# tickets: ~2,500 rows).
SLID_SQL = f"""
SELECT d.person_id, sum(d.mentions) FILTER (WHERE d.day = ANY(%(added)s::date[])),
       sum(d.mentions) FILTER (WHERE d.day <> ALL(%(added)s::date[])), bool_or(d.day = ANY(%(added)s::date[]))
FROM metrics_communitypersonday d
WHERE d.day = ANY(%(days)s::date[]) AND {_SCOPE}
GROUP BY d.person_id LIMIT %(cap)s
"""

# The people after a kept list's last place with as many mentions, by number (past_kept.Kept.updated fills a list
# emptied by the next day's range from them): the person index read in order from the last place's number, at most
# TIES_SPAN numbers on (at 1,000,000 tickets ~4 rows a person; a list of one-mention people finds its 100 in ~300).
TIES_SQL = f"""
SELECT d.person_id, sum(d.mentions) AS n FROM metrics_communitypersonday d
WHERE d.person_id > %(after)s AND d.person_id <= %(after)s + %(span)s AND {_RANGE}
GROUP BY d.person_id HAVING sum(d.mentions) = %(floor)s ORDER BY d.person_id LIMIT %(need)s
"""
TIES_SPAN = 5000


def _today() -> date:
    """The rollup's days are UTC days, and so is the stamp's "before today" (metrics.community.past_stamp)."""
    return datetime.now(UTC).date()


def mention_counts_ranked(
    *, start: date, end: date, channel_id: int | None, limit: int, others: dict[int, int]
) -> dict[int, int]:
    """{person: mentions} of the people in the top `limit` by total (mentions plus `others`: each person's
    contributions in the range, erased people already left out), then mentions, then number, exact; a person missing
    from it has no mention or does not rank. Erased people are left out. The caller refreshed the rollup."""
    products = rollup_sql_ids()  # the read's product (metrics.product_scope), None for all
    database = connections[router.db_for_read(CommunityPersonDay)]
    with database.cursor() as cursor:

        def rows(sql: str, **params: Any) -> dict[int, int]:
            if "people" in params:  # as one array literal: adapted id by id, ~2,000 ids cost 1-3 ms to send and parse
                params["people"] = "{" + ",".join(str(int(person)) for person in params["people"]) + "}"
            cursor.execute(sql, {"channel": channel_id, "products": products, "start": start, "end": end, **params})
            return dict(cursor.fetchall())  # each count a sum of an integer column: a bigint, an int here

        today = _today()
        past_end = min(end, today - timedelta(days=1))
        kept: Kept | None = None
        key = ""
        if start <= past_end:
            # The database's name: two sharing a cache (a staging copy, the benchmarks) would each find the other's
            # list, whose stamp chains to nothing of theirs, and rank again on every read.
            # The products joined without spaces: a key with one is refused by memcached (Django warns of it).
            narrowed = "all" if products is None else "-".join(map(str, products))
            scope = f"{database.settings_dict['NAME']}:{channel_id}:{narrowed}:{KEEP}"
            key = _key(scope, start, past_end)
            kept = found = cache.get(key)
            base, slid = (found, None) if found is not None else _earlier(scope, start, past_end)
            since = base.logged if base is not None else NOTHING
            cursor.execute(STATE_SQL, {"since": since, "cap": PEOPLE_CAP})
            stamp, logged, chain, people = cursor.fetchone()
            if kept is None or kept.stamp != stamp:
                changed = people_changed(base, stamp, chain, people) if base is not None else None
                derived: dict[int, int] = {}
                if base is not None and changed is not None and slid is not None:
                    dropped, added = slid
                    cursor.execute(
                        SLID_SQL,
                        {"channel": channel_id, "products": products, "days": dropped + added, "added": added}
                        | {"cap": SLID_CAP},
                    )
                    on_days = cursor.fetchall()
                    derived, probed = _slid(on_days, base, set(changed))
                    changed = sorted(probed) if len(on_days) < SLID_CAP and len(probed) < PEOPLE_CAP else None
                kept = None
                if base is not None and changed is not None:
                    past = derived | (rows(PAST_SQL, people=changed, end=past_end) if changed else {})
                    kept = base.updated(
                        past,
                        keep=KEEP,
                        stamp=stamp,
                        logged=logged,
                        ties=lambda bound, need: list(
                            rows(
                                TIES_SQL, end=past_end, floor=bound[0], after=bound[1], span=TIES_SPAN, need=need
                            ).items()
                        ),
                    )
                    if kept is not None and len(kept.past) + len(past) <= MEMO_CAP:
                        kept = replace(kept, past={**kept.past, **past})  # exact for this range and stamp too
                if kept is None:
                    ranking = list(rows(TOP_SQL, end=past_end, limit=KEEP).items())
                    kept = Kept.ranked(ranking, keep=KEEP, stamp=stamp, logged=logged)
                cache.set(key, kept, TTL_SECONDS)
                if found is None:  # a new range: the next day's view may follow it
                    cache.set_many(dict.fromkeys(_pointers(scope, start, past_end), (start, past_end)), TTL_SECONDS)
        fresh = rows(FRESH_SQL, start=max(start, today)) if end >= today else {}
        memo = dict(kept.past) if kept else {}

        def past_of(people: list[int]) -> dict[int, int]:
            """Their past mentions, erased people too: those read earlier under the same stamp from the memo."""
            unread = [person for person in people if person not in memo]
            read = rows(PAST_SQL, people=unread, end=past_end) if unread else {}
            if len(memo) + len(read) <= MEMO_CAP:
                memo.update(read)
            return {person: memo.get(person, read.get(person, 0)) for person in people}

        counts = _merge(
            Parts(
                kept=kept.entries if kept else [],
                floor=kept.bound[0] if kept and kept.bound else None,
                fresh=fresh,
                others=others,
                limit=limit,
            ),
            erased=lambda people: set(rows(ERASED_SQL, people=people)) if people else set(),
            past_of=past_of,
            full=lambda: {**rows(FULL_SQL, limit=limit), **(rows(PEOPLE_SQL, people=list(others)) if others else {})},
        )
        if kept is not None and len(memo) > len(kept.past):
            cache.set(key, replace(kept, past=memo), TTL_SECONDS)
        return counts


def _slid(on_days: list[tuple], base: Kept, logged: set[int]) -> tuple[dict[int, int], set[int]]:
    """From SLID_SQL's rows, for the range a few days from `base`'s: (the new range's past mentions of the people
    `base` knows exactly, its count moved by their mentions on the days added and left out; the people to probe:
    those of the days added it does not know, and the logged). Anyone else of those days only loses mentions."""
    known = dict(base.entries) | base.past
    derived, probed = {}, set(logged)
    for person, on_added, on_dropped, added in on_days:
        if person in known and person not in logged:
            derived[person] = known[person] + (on_added or 0) - (on_dropped or 0)
        elif added:
            probed.add(person)
    return derived, probed


def _key(scope: str, start: date, past_end: date) -> str:
    return f"community-active-kept2:{scope}:{start}:{past_end}"


def _pointers(scope: str, start: date, past_end: date) -> list[str]:
    """The keys naming the last range kept of the same length, and of the same first day."""
    return [f"community-active-last:{scope}:days{(past_end - start).days}", f"community-active-last:{scope}:{start}"]


def _earlier(scope: str, start: date, past_end: date) -> tuple[Kept | None, tuple[list[date], list[date]] | None]:
    """A list kept for a range a few days from this one (the day before's view of it), with the days left out and
    added; (None, None) when there is none."""
    for first, last in dict.fromkeys(cache.get_many(_pointers(scope, start, past_end)).values()):
        slid = days_slid((first, last), (start, past_end))
        if slid is not None and (kept := cache.get(_key(scope, first, last))) is not None:
            return kept, slid
    return None, None


@dataclass(frozen=True)
class Parts:
    kept: list[tuple[int, int]]  # the past's top (person, mentions), erased people too
    floor: int | None  # the past mentions of its last place; None: it holds everyone with a past mention
    fresh: dict[int, int]  # mentions of today and after
    others: dict[int, int]  # contributions in the range
    limit: int


def _merge(
    parts: Parts,
    *,
    erased: Callable[[list[int]], set[int]],
    past_of: Callable[[list[int]], dict[int, int]],
    full: Callable[[], dict[int, int]],
) -> dict[int, int]:
    """The kept past top, today's mentions and the contributions together (the module's docstring says why exact).
    `erased(people)`: those erased; `past_of(people)`: their past mentions, erased people too; `full()`: the
    whole range ranked."""
    kept, fresh, others, limit = parts.kept, parts.fresh, parts.others, parts.limit
    # Everyone with a past mention is kept when the list has no last place: the others' past is 0, read for nobody.
    complete = parts.floor is None
    floor = parts.floor or 0
    unknown = (set(fresh) | set(others)) - {person for person, _ in kept}
    gone = erased(sorted({person for person, _ in kept} | unknown))
    unknown -= gone
    eligible = {person: n for person, n in kept if person not in gone}
    if not complete and len(eligible) < limit:
        return full()
    mentions = {person: n + fresh.get(person, 0) for person, n in eligible.items()}
    if complete:
        mentions.update((person, fresh.get(person, 0)) for person in unknown)
        unknown = set()

    # The limit-th place among the people known exactly, in the list's order (most_active's: total, then mentions,
    # then number): more people can only raise it. Someone else has at most `floor` past mentions, so at best `floor`
    # more than read fresh, and as many more in total: one whose best could not pass the bar cannot rank. The others
    # have their past read. (At 1,000,000 tickets of members with about four mentions a year, a kept list of ties made
    # every one of today's 2,500 people a reader; the tie rule reads about half.)
    def place(person: int, n: int) -> tuple[int, int, int]:
        return -(n + others.get(person, 0)), -n, person

    order = sorted(place(person, n) for person, n in mentions.items())
    bar = order[limit - 1] if len(order) >= limit else None
    read = sorted(p for p in unknown if bar is None or place(p, floor + fresh.get(p, 0)) < bar)
    if read:
        mentions.update((person, n + fresh.get(person, 0)) for person, n in past_of(read).items())
    # Only the top `limit` can be shown: anyone after it, read or not, keeps their contributions' total alone.
    top = heapq.nsmallest(limit, mentions.items(), key=lambda entry: place(*entry))
    return {person: n for person, n in top if n}
