"""What the detector reads of a page of new tickets: each one's first mention (links and words), the day's term
counts it adds to (TermDay), and how usual each word is: its share of the tickets in the weeks before (the
background), or of the day's on a desk without weeks behind it."""

from __future__ import annotations

import heapq
import io
import operator
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import repeat
from typing import Any

from django.db import connection, models
from django.db.models.functions import Substr

from mentions.models import Message, Ticket
from stories.detection.text import text_links, text_words
from stories.models import TermDay

TERMS_PER_TICKET = 8  # the most bursting distinctive terms a ticket is indexed by
BACKGROUND_DAYS = 28
BACKGROUND_MIN = 100  # tickets in the weeks before for their shares to mean something
BACKGROUND_SHARE = 0.02  # a term in more than 2% of the weeks' tickets is everyday vocabulary
COLD_MIN = 30
COLD_SHARE = 0.2  # without weeks behind: a term in more than 20% of the day's tickets is everyday vocabulary
TEXT_READ = 2000
ANY_TICKET = ""  # TermDay's row per day that counts the day's tickets
FLUSH_COPY_MIN = 2000  # day-term rows from which a flush copies them in (a live run's page adds a few hundred)


@dataclass
class Read:
    """A ticket as the detector read it."""

    pk: int
    at: datetime
    platform: str
    subject: str
    links: list[str]
    words: dict[str, str]  # every usable term: stem -> word as written
    terms: list[str] = field(default_factory=list)  # its distinctive terms, most bursting first
    product_id: int | None = None  # the ticket's (issue 71); None as read from a signature, or from before products


@dataclass
class Usual:
    """How usual each of a page's words is: the share of tickets that use it on an ordinary day (the weeks before
    the page, or the page's day itself on a desk without weeks behind it)."""

    shares: dict[str, float]
    start: date
    end: date
    tickets: int  # in those days
    counts: DayCounts

    def share(self, stem: str) -> float:
        return self.shares.get(stem, 0.5 / (self.tickets + 1))

    def extend(self, stems: set[str]) -> None:
        """Read the shares of more words (a live story's) in one query."""
        missing = sorted({s[:100] for s in stems} - set(self.shares))
        found = self.counts.sums(missing, self.start, self.end)
        for stem in missing:
            self.shares[stem] = (found.get(stem, 0) + 0.5) / (self.tickets + 1)


class DayCounts:
    """The day's term counts (TermDay) as a run of the detector sees them: the rows in the table, plus what the
    pages read so far in this transaction added, written once when it ends (`flush`). A history's pages add to
    the same few thousand rows of a day again and again: one upsert per row at the end instead of one per page.

    The rows in the table do not change under a run (detector runs hold the detector's lock, and TermDay is
    theirs), so each range's sums are read from it once per term and the run's own additions added on top:
    every page reads exactly the figures it would have read had each page written its counts at once."""

    def __init__(self) -> None:
        self.added: dict[date, Counter[str]] = defaultdict(Counter)
        self.stored: dict[tuple[date, date], dict[str, int]] = {}  # (start, end) -> {term: tickets in the table}

    def add(self, page: list[Read]) -> None:
        for read in page:
            counts = self.added[read.at.date()]
            counts[ANY_TICKET] += 1
            counts.update(read.words.keys())  # counted in C: a page has thousands of words (each stem <= 100 chars)

    def sums(self, terms: list[str], start: date, end: date) -> dict[str, int]:
        """{term: tickets over the days start..end} for the terms used on those days."""
        stored = self.stored.setdefault((start, end), {})
        missing = [t for t in terms if t not in stored]
        if missing:
            found = _sums(missing, start, end)
            stored.update({t: found.get(t, 0) for t in missing})
        added = [0] * len(terms)
        for day, counts in self.added.items():
            if start <= day <= end:
                # Looked up in C, term by term (Counter.update adds a second Counter in a Python loop, and a
                # range holds up to 28 days of a history's thousands of terms each).
                added = list(map(operator.add, added, map(counts.get, terms, repeat(0))))
        out = {}
        for term, more in zip(terms, added, strict=True):
            n = stored[term] + more
            if n:
                out[term] = n
        return out

    def flush(self) -> None:
        """Write what the run added (before its transaction commits): on PostgreSQL, the rows copied into a
        temporary table and added in one statement (a history's transaction adds hundreds of thousands)."""
        rows = [(term, day, n) for day, counts in sorted(self.added.items()) for term, n in sorted(counts.items())]
        self.added.clear()
        self.stored.clear()
        table = TermDay._meta.db_table
        upsert = f" ON CONFLICT (term, day) DO UPDATE SET tickets = {table}.tickets + excluded.tickets"
        if connection.vendor != "postgresql" or len(rows) < FLUSH_COPY_MIN:
            rows_insert(TermDay, ["term", "day", "tickets"], rows, tail=upsert)
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE stories_termday_added (term text, day date, tickets int) ON COMMIT DROP"
            )
            text = "".join(f"{term.translate(_COPY_ESCAPES)}\t{day.isoformat()}\t{n}\n" for term, day, n in rows)
            cursor.copy_expert("COPY stories_termday_added (term, day, tickets) FROM STDIN", io.StringIO(text))
            cursor.execute(
                f"INSERT INTO {table} (term, day, tickets) SELECT term, day, tickets FROM stories_termday_added"  # noqa: S608
                f" ORDER BY term, day{upsert}"
            )
            cursor.execute("DROP TABLE stories_termday_added")


@dataclass
class Ahead:
    """What a history's next pages need of their tickets, read for several pages at once (read_ahead)."""

    ids: set[int]
    texts: dict[int, str]
    tags: dict[int, dict[str, str]]
    vectors: dict[int, Any] | None = None  # ticket -> stored vector (stories.detection.meaning reads them once asked)


_AHEAD: ContextVar[Ahead | None] = ContextVar("stories_read_ahead", default=None)


@contextmanager
def read_ahead(ids: list[int]) -> Iterator[None]:
    """The first mentions and tags of `ids` (the next pages of a history, in id order) read in one query each;
    the pages read within take theirs from here. Without ids, each page reads its own."""
    if not ids:
        yield
        return
    token = _AHEAD.set(Ahead(set(ids), _first_mentions(ids), _tags(ids)))
    try:
        yield
    finally:
        _AHEAD.reset(token)


def ahead_covering(ids: list[int]) -> Ahead | None:
    """The read-ahead, if it holds every one of `ids`."""
    ahead = _AHEAD.get()
    return ahead if ahead is not None and ahead.ids.issuperset(ids) else None


def page_read(rows: list[dict[str, Any]], counts: DayCounts) -> tuple[list[Read], Usual]:
    """The page's tickets read, their terms counted into the day's (`counts`, written when the run's transaction
    ends), each one's distinctive terms chosen; in posting order."""
    ids = [row["pk"] for row in rows]
    ahead = ahead_covering(ids)
    texts = ahead.texts if ahead else _first_mentions(ids)
    tags = ahead.tags if ahead else _tags(ids)
    page = [
        Read(
            pk=row["pk"],
            at=row["requested_at"],
            platform=row["channel__kind"],
            subject=row["subject"],
            links=text_links(texts[row["pk"]]) if "http" in texts.get(row["pk"], "") else [],
            words={**text_words(texts.get(row["pk"], "")), **tags.get(row["pk"], {})},
            product_id=row.get("product_id"),
        )
        for row in rows
    ]
    counts.add(page)
    usual = _terms_choose(page, counts)
    page.sort(key=lambda r: (r.at, r.pk))
    return page, usual


def _first_mentions(ids: list[int]) -> dict[int, str]:
    """Each ticket's first inbound message, title and text (its first TEXT_READ characters: a story is told
    early in a post). A page's tickets are read in id order, so their messages are asked for by the ids' range
    (an index range scan, and no list of hundreds of parameters to build); the few others in it are left out."""
    rows = Message.objects.filter(ticket_id__gte=min(ids), ticket_id__lte=max(ids))
    return {ticket_id: text for ticket_id, (_pk, text) in _first_texts(rows, set(ids)).items()}


def first_mentions(ids: list[int]) -> dict[int, tuple[int, str]]:
    """{ticket id: (its first inbound message's id, the text the detector reads of it)} for any tickets, asked
    for by id (an erasure's, spread over the table)."""
    return _first_texts(Message.objects.filter(ticket_id__in=ids), set(ids))


def _first_texts(messages: models.QuerySet[Message], wanted: set[int]) -> dict[int, tuple[int, str]]:
    rows = (
        messages.filter(kind=Message.Kind.INBOUND)
        .order_by("ticket_id", "platform_created_at", "pk")
        .annotate(start=Substr("body", 1, TEXT_READ))
        .values_list("ticket_id", "pk", "title", "start")
    )
    text: dict[int, tuple[int, str]] = {}
    for ticket_id, pk, title, body in rows:
        if ticket_id in wanted and ticket_id not in text:
            text[ticket_id] = (pk, f"{title}\n{body}" if title else body)
    return text


def _tags(ids: list[int]) -> dict[int, dict[str, str]]:
    """The tags the triage rules gave each ticket as it arrived, as terms ("#downtime"): the desk's own words for
    what a mention is about, kept by admins (the seeded rules tag downtime reports whatever words they use)."""
    out: dict[int, dict[str, str]] = {}
    wanted = set(ids)
    rows = Ticket.tags.through.objects.filter(ticket_id__gte=min(ids), ticket_id__lte=max(ids)).values_list(
        "ticket_id", "tag__name"
    )
    for ticket_id, name in rows:
        if ticket_id not in wanted:
            continue
        out.setdefault(ticket_id, {})[f"#{name}"[:100]] = f"#{name}"
    return out


def rows_insert(model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]], tail: str = "") -> None:
    """Rows written with one multi-row INSERT per few thousand values (a page's signatures, keys and counts: Django's
    bulk_create spends more building model instances than the database spends storing them). `tail`: an ON
    CONFLICT clause, which PostgreSQL and SQLite both read."""
    table = model._meta.db_table
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608 (names from the model, values bound)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    step = max(1, 3000 // len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), step):
            chunk = rows[start : start + step]
            cursor.execute(head + ", ".join([row] * len(chunk)) + tail, [v for r in chunk for v in r])


def rows_update(objs: Sequence[models.Model], fields: list[str]) -> None:
    """Model instances' `fields` written with one UPDATE ... FROM (VALUES ...) on PostgreSQL (a busy page changes
    hundreds of stories: bulk_update builds a CASE per field and row in Python), bulk_update elsewhere. Like
    bulk_update, it writes the instances' values as they are (no auto_now)."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objs, fields)
        return
    meta = model._meta
    assert meta.pk is not None
    every: list[models.Field[Any, Any]] = [meta.pk]
    for name in fields:
        column = meta.get_field(name)
        assert isinstance(column, models.Field)  # a concrete column, not a reverse relation
        every.append(column)
    columns = [str(f.column) for f in every]
    names = ", ".join(f"{c} = v.{c}" for c in columns[1:])
    row = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in every) + ")"
    step = max(1, 3000 // len(every))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), step):
            chunk = objs[start : start + step]
            values = [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in chunk for f in every]
            cursor.execute(
                f"UPDATE {meta.db_table} AS t SET {names} FROM (VALUES {', '.join([row] * len(chunk))}) "  # noqa: S608
                f"AS v({', '.join(columns)}) WHERE t.{columns[0]} = v.{columns[0]}",
                values,
            )


def rows_copy(model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Rows written with COPY on PostgreSQL (a page's thousands of index keys: no statement to parse, no
    parameters to bind), with rows_insert elsewhere."""
    if connection.vendor != "postgresql":
        rows_insert(model, columns, rows)
        return
    if not rows:
        return
    stamps: dict[datetime, str] = {}  # a page's ten thousand keys carry its 500 tickets' times

    def value(v: Any) -> str:
        if isinstance(v, datetime):
            text = stamps.get(v)
            if text is None:
                text = stamps[v] = _copy_value(v)
            return text
        return _copy_value(v)

    text = "".join("\t".join(map(value, row)) + "\n" for row in rows)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN", io.StringIO(text))


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value: Any) -> str:
    """A value in COPY's text format: NULL as \\N, a time in ISO 8601 with its offset, text escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _sums(terms: list[str], start: date, end: date) -> dict[str, int]:
    if not terms:
        return {}
    if connection.vendor == "postgresql":
        # One array parameter: the ORM's `__in` prepares each of a page's thousands of terms in Python.
        sql = (
            f"SELECT term, SUM(tickets) FROM {TermDay._meta.db_table} "  # noqa: S608 (the model's table)
            "WHERE term = ANY(%s) AND day >= %s AND day <= %s GROUP BY term"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [terms, start, end])
            return dict(cursor.fetchall())
    out: dict[str, int] = {}
    for i in range(0, len(terms), 2000):
        rows = (
            TermDay.objects.filter(term__in=terms[i : i + 2000], day__gte=start, day__lte=end)
            .values("term")
            .annotate(n=models.Sum("tickets"))
            .values_list("term", "n")
        )
        out.update(rows)
    return out


def _terms_choose(page: list[Read], day_counts: DayCounts) -> Usual:
    """Each ticket's distinctive terms, most bursting first (used today well above their usual share), and how
    usual each of the page's words is."""
    first = min(r.at for r in page).date()
    last = max(r.at for r in page).date()
    stems = sorted({stem[:100] for r in page for stem in r.words} | {ANY_TICKET})
    background = day_counts.sums(stems, first - timedelta(days=BACKGROUND_DAYS), first - timedelta(days=1))
    today = day_counts.sums(stems, first, last)
    n_bg = background.get(ANY_TICKET, 0)
    n_today = max(1, today.get(ANY_TICKET, 0))
    warm = n_bg >= BACKGROUND_MIN
    if warm:
        start, end, n, counts = first - timedelta(days=BACKGROUND_DAYS), first - timedelta(days=1), n_bg, background
    else:
        # A new desk: the day's own shares, over at least COLD_MIN tickets (one word in two of three tickets is not
        # everyday vocabulary yet).
        start, end, n, counts = first, last, max(n_today, COLD_MIN), today
    usual = Usual({s: (c + 0.5) / (n + 1) for s, c in counts.items() if s}, start, end, n, day_counts)
    usual.shares.update({s: 0.5 / (n + 1) for s in stems if s and s not in counts})
    # How much a word bursts depends on the word alone: ranked once for the page, then each ticket keeps its best.
    rank: dict[str, tuple[float, int, str]] = {}
    for stem in stems:
        df_bg = background.get(stem, 0)
        df_today = today.get(stem, 0)
        if not stem or (warm and df_bg / n_bg > BACKGROUND_SHARE):
            continue
        if not warm and n_today >= COLD_MIN and df_today / n_today > COLD_SHARE:
            continue
        expected = (df_bg + 1) / (n_bg + 1)
        rank[stem] = (-(df_today + 1) / (expected * n_today + 1), -len(stem), stem)
    for read in page:
        scored = [found for stem in read.words if (found := rank.get(stem[:100]))]
        read.terms = [stem for _b, _l, stem in heapq.nsmallest(TERMS_PER_TICKET, scored)]
    return usual
