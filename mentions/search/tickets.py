"""Ticket search: websearch syntax over every message (PostgreSQL full-text search), the ticket
list's filters, ranking, highlighted snippets, and an icontains fallback for the embedded
SQLite default.

A ticket matches when one of its messages matches the query (title, body, author handle and
name: the `search_vector` column of mentions' initial migration), when a word of the query is the name of
one of its tags, or when a number in the query (`123` or `#123`) is its id. A `-word` excludes
tickets where any message has the word. Ranking sums `ts_rank_cd` over the ticket's matching
messages (more and better matches first); an id match comes first of all.

Very common words: the match set of "pipeline" is a third of all messages, and ranking it
whole costs seconds at 3,000,000 messages. Only the newest CANDIDATES matching messages (after
the filters) are ranked: for a rare word that is every match, so the order is exact; for a
common one the page shows the best of the recent matches, which is what an advocate searching
a word that common wants. How the newest matches are found cheaply whatever the word's
frequency: _windows. Figures: bench/search.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.safestring import SafeString

from mentions.models import Message, Ticket
from mentions.narrowing import product_sql
from mentions.products import desk_products
from mentions.search.stem import fallback_snippet, word_stem
from mentions.search.text import (
    SENTINELS,
    START,
    STOP,
    ParsedQuery,
    ResultPage,
    TicketQuery,
    highlight,
    query_parse,
    snippets,
)
from mentions.search.text import tsquery as _tsquery
from mentions.selectors import CLOCK_RUNNING, ORDER_TIME_LEFT

# Re-exported: the ticket list, its form and tests read them from here.
__all__ = ["SENTINELS", "START", "STOP", "ParsedQuery", "ResultPage", "TicketQuery", "highlight", "query_parse"]
__all__ += ["snippets"]

PAGE_SIZE = 50
CANDIDATES = 500  # 10 pages; ranking 1,000 cost a very common word 30 ms more
RECENCY_WINDOWS = (10_000, 100_000, 1_000_000)
ENOUGH = 200  # matches in the newest window that make older windows not worth reading
COUNT_CAP = 1000
MAX_PAGE = 1000
ORDER_NEWEST = "newest"
UNASSIGNED = "none"


# -- filters shared by both paths ---------------------------------------------------------


def _range(query: TicketQuery) -> tuple[datetime | None, datetime | None]:
    """`from` and `to` are whole UTC days, both inclusive: [from 00:00, to + 1 day 00:00)."""
    start = datetime.combine(query.date_from, time.min, tzinfo=UTC) if query.date_from else None
    end = datetime.combine(query.date_to + timedelta(days=1), time.min, tzinfo=UTC) if query.date_to else None
    return start, end


def ticket_filter(query: TicketQuery, *, tag_id: int | None = None) -> QuerySet[Ticket]:
    """Tickets matching the filters (not the text), unordered."""
    qs = Ticket.objects.all()
    if query.status:
        qs = qs.filter(status=query.status)
    if query.channel_id:
        qs = qs.filter(channel_id=query.channel_id)
    if query.unassigned:
        qs = qs.filter(assignee__isnull=True)
    elif query.assignee_id:
        qs = qs.filter(assignee_id=query.assignee_id)
    if query.product_id:
        qs = qs.filter(desk_products().tickets_q(query.product_id))
    qs = qs.filter(query.columns_q())  # priority and the judgement
    start, end = _range(query)
    if start:
        qs = qs.filter(requested_at__gte=start)
    if end:
        qs = qs.filter(requested_at__lt=end)
    if query.tag:
        through = Ticket.tags.through
        tags = through.objects.filter(ticket_id=OuterRef("pk"))
        tags = tags.filter(tag_id=tag_id) if tag_id is not None else tags.filter(tag__name=query.tag)
        qs = qs.filter(Exists(tags))
    return qs


def _ordered(qs: QuerySet[Ticket], order: str) -> QuerySet[Ticket]:
    if order == ORDER_TIME_LEFT:
        # Only running first-reply clocks, least time left first (ticket_sla_due_idx).
        return qs.filter(CLOCK_RUNNING).order_by("sla_due_at", "id")
    return qs.order_by("-requested_at", "-id")


def ticket_queryset(query: TicketQuery) -> QuerySet[Ticket]:
    """The list without a text query: filters and order."""
    return _ordered(ticket_filter(query), query.order)


def page_of(qs: QuerySet[Ticket], number: int) -> ResultPage:
    """Page `number` of an ordered list (the ticket list, a view's list) without counting the table: PAGE_SIZE + 1
    rows tell whether there is a next page, and the count stops at COUNT_CAP ("1,000+ tickets")."""
    offset = (number - 1) * PAGE_SIZE
    rows = list(qs.select_related("channel", "assignee").prefetch_related("tags")[offset : offset + PAGE_SIZE + 1])
    count = qs.order_by().values("pk")[: COUNT_CAP + 1].count()
    return ResultPage(
        tickets=rows[:PAGE_SIZE],
        number=number,
        has_next=len(rows) > PAGE_SIZE,
        count=min(count, COUNT_CAP),
        count_capped=count > COUNT_CAP,
    )


def search_ranks() -> bool:
    """Whether a text search comes best match first: PostgreSQL ranks; the SQLite fallback is newest first."""
    return connection.vendor == "postgresql"


def ticket_search(query: TicketQuery) -> ResultPage:
    """The ticket list: full-text search on PostgreSQL, the icontains fallback elsewhere."""
    if query.has_text and search_ranks():
        return search_postgres(query)
    if query.has_text:
        return search_fallback(query)
    return page_of(ticket_queryset(query), query.page)


# -- the embedded default ------------------------------------------------------------------


def _message_has(word: str, prefix: str = "") -> Q:
    word = word_stem(word)
    return (
        Q(**{f"{prefix}title__icontains": word})
        | Q(**{f"{prefix}body__icontains": word})
        | Q(**{f"{prefix}author_handle__icontains": word})
        | Q(**{f"{prefix}author_name__icontains": word})
    )


def fallback_queryset(query: TicketQuery) -> QuerySet[Ticket]:
    """Tickets with a message containing every plain word (any case, anywhere in its title,
    body, author handle or name), or a tag named by a word, or the id given; minus tickets with
    a message containing a -word. Newest first. Works on any database."""
    parsed = query_parse(query.q)
    qs = ticket_filter(query)
    match = Q(pk__in=parsed.ticket_ids) if parsed.ticket_ids else Q(pk__in=[])
    if parsed.words:
        messages = Message.objects.filter(ticket_id=OuterRef("pk"))
        for word in parsed.words:
            messages = messages.filter(_message_has(word))
        through = Ticket.tags.through
        tagged = through.objects.filter(ticket_id=OuterRef("pk"), tag__name__in=parsed.words)
        match |= Q(Exists(messages)) | Q(Exists(tagged))
    qs = qs.filter(match)
    for word in parsed.negated:
        qs = qs.exclude(Exists(Message.objects.filter(ticket_id=OuterRef("pk")).filter(_message_has(word))))
    return _ordered(qs, query.order)


def search_fallback(query: TicketQuery) -> ResultPage:
    page = page_of(fallback_queryset(query), query.page)
    stems = [word_stem(word) for word in query_parse(query.q).words]
    if stems:
        bodies = Message.objects.filter(ticket_id__in=[t.pk for t in page.tickets]).exclude(kind=Message.Kind.NOTE)
        found: dict[int, SafeString] = {}
        for ticket_id, body in bodies.order_by("platform_created_at", "pk").values_list("ticket_id", "body"):
            if ticket_id not in found and (snippet := fallback_snippet(body, stems)) is not None:
                found[ticket_id] = snippet
        for ticket in page.tickets:
            setattr(ticket, "snippet", found.get(ticket.pk))  # noqa: B010 - as search_postgres does
    return page


# -- PostgreSQL ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    config: str
    tag_ids: list[int]
    tag_filter_id: int | None
    last_message_id: int


def _prepare(query: TicketQuery, parsed: ParsedQuery) -> _Prepared:
    """One round trip: which configuration parses the query into lexemes ('english' unless it
    is all stop words, such as an author called "Will"), the ids of tags named in it, the id of
    the tag filter, and the newest message id (where the recency windows start)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT numnode(websearch_to_tsquery('english'::regconfig, %s)) > 0,"
            " ARRAY(SELECT id FROM mentions_tag WHERE lower(name) = ANY(%s)),"
            " (SELECT id FROM mentions_tag WHERE name = %s),"
            " (SELECT max(id) FROM mentions_message)",
            [query.q, parsed.words, query.tag],
        )
        english, tag_ids, tag_filter_id, last_id = cursor.fetchone()
    return _Prepared("english" if english else "simple", list(tag_ids), tag_filter_id, last_id or 0)


def _windows(last_id: int) -> list[tuple[int | None, int | None]]:
    """Message id ranges (low exclusive, high inclusive), newest first, each ten times the one
    before. The newest window is always read; older ones only when it held fewer than ENOUGH
    matches, and then only until CANDIDATES are found: a common word (or two) never reads past
    10,000 messages, and a window is only reached by words rare enough that it holds few
    matches."""
    bounds = [last_id - size for size in RECENCY_WINDOWS if last_id - size > 0]
    highs: list[int | None] = [None, *bounds]
    lows: list[int | None] = [*bounds, None]
    return list(zip(lows, highs, strict=True))


def _filters_sql(query: TicketQuery, tag_filter_id: int | None, params: dict[str, Any]) -> str:
    """WHERE conditions on mentions_ticket `t` for the list's filters."""
    sql = []
    if query.status:
        sql.append("t.status = %(status)s")
        params["status"] = query.status
    if query.channel_id:
        sql.append("t.channel_id = %(channel_id)s")
        params["channel_id"] = query.channel_id
    if query.unassigned:
        sql.append("t.assignee_id IS NULL")
    elif query.assignee_id:
        sql.append("t.assignee_id = %(assignee_id)s")
        params["assignee_id"] = query.assignee_id
    sql += product_sql(query.product_id, params)  # the first product holds the tickets without one too
    sql += query.columns_sql(params)  # priority and the judgement
    start, end = _range(query)
    if start:
        sql.append("t.requested_at >= %(start)s")
        params["start"] = start
    if end:
        sql.append("t.requested_at < %(end)s")
        params["end"] = end
    if query.tag:
        sql.append("EXISTS (SELECT 1 FROM mentions_ticket_tags ft WHERE ft.ticket_id = t.id AND ft.tag_id = %(tag)s)")
        params["tag"] = tag_filter_id
    if query.order == ORDER_TIME_LEFT:
        sql.append("t.status IN ('new', 'open') AND t.first_reply_at IS NULL")
    return "".join(f" AND {s}" for s in sql)


def search_sql(query: TicketQuery) -> tuple[str, dict[str, Any], str] | None:
    """The ranked search as SQL and parameters (and the text-search configuration used), or
    None when nothing can match (a tag filter naming no tag)."""
    parsed = query_parse(query.q)
    prepared = _prepare(query, parsed)
    config, tag_ids, tag_filter_id = prepared.config, prepared.tag_ids, prepared.tag_filter_id
    if query.tag and tag_filter_id is None:
        return None
    params: dict[str, Any] = {
        "q": query.q,
        "candidates": CANDIDATES,
        "ids": parsed.ticket_ids,
        "tag_ids": tag_ids,
        "limit": PAGE_SIZE + 1,
        "offset": (query.page - 1) * PAGE_SIZE,
    }
    filters = _filters_sql(query, tag_filter_id, params)
    ticket_filters = bool(filters)
    if parsed.negated and not parsed.has_or:
        # A -word excludes the ticket when any of its messages has it, not only the message
        # that matched ("registry -docker" should not list a ticket whose follow-up says docker).
        params["neg"] = " or ".join(f'"{n}"' for n in parsed.negated)
        filters += (
            " AND NOT EXISTS (SELECT 1 FROM mentions_message n WHERE n.ticket_id = t.id"
            f" AND n.search_vector @@ {_tsquery(config, 'neg')})"
        )
    tsq = _tsquery(config, "q")
    order = {
        ORDER_TIME_LEFT: "t.sla_due_at, t.id",
        ORDER_NEWEST: "t.requested_at DESC, t.id DESC",
    }.get(query.order, "score DESC, t.requested_at DESC, t.id DESC")
    extra = []
    if parsed.ticket_ids:
        extra.append(f"SELECT t.id, 100.0, NULL::bigint FROM mentions_ticket t WHERE t.id = ANY(%(ids)s){filters}")
    if tag_ids:
        extra.append(
            "(SELECT t.id, 0.5, NULL::bigint FROM mentions_ticket_tags tt JOIN mentions_ticket t ON t.id = tt.ticket_id"
            f" WHERE tt.tag_id = ANY(%(tag_ids)s){filters} ORDER BY tt.ticket_id DESC LIMIT %(candidates)s)"
        )
    extra_sql = "".join(f" UNION ALL {e}" for e in extra)
    if ticket_filters:
        # With filters on the ticket, the newest matching tickets are the candidates: the
        # planner may walk tickets back along requested_at (a date range, a common word) or start
        # from the GIN index (a rare word) as its statistics say.
        branches = [
            "(SELECT m.id, m.ticket_id, m.search_vector"
            " FROM mentions_message m JOIN mentions_ticket t ON t.id = m.ticket_id"
            f" WHERE m.search_vector @@ {tsq}{filters}"
            " ORDER BY t.requested_at DESC, t.id DESC LIMIT %(candidates)s)"
        ]
    else:
        branches = _window_branches(tsq, filters, prepared.last_message_id, params)
    # The first window is always read (up to CANDIDATES). Older windows only when it held
    # fewer than ENOUGH matches (a one-time filter: PostgreSQL does not start them otherwise),
    # and a UNION ALL under a LIMIT stops at the first older window that fills it.
    first, older = branches[0], branches[1:]
    params["enough"] = ENOUGH
    older_sql = (
        f" UNION ALL (SELECT * FROM ({' UNION ALL '.join(older)}) o"
        " WHERE (SELECT count(*) FROM first_window) < %(enough)s"
        " LIMIT greatest(0, %(candidates)s - (SELECT count(*) FROM first_window)))"
        if older
        else ""
    )
    sql = f"""
        WITH first_window AS MATERIALIZED ({first}),
        cand AS MATERIALIZED (SELECT * FROM first_window{older_sql}),
        hits AS (
            SELECT ticket_id, ts_rank_cd(search_vector, {tsq}, 32) AS r, id FROM cand
            {extra_sql}
        ),
        per_ticket AS (
            SELECT ticket_id, sum(r) AS score, (array_agg(id ORDER BY r DESC, id DESC))[1] AS best
            FROM hits GROUP BY ticket_id
        )
        SELECT p.ticket_id, p.best, count(*) OVER (), (SELECT count(*) FROM cand),
            (SELECT count(*) FROM first_window)
        FROM per_ticket p JOIN mentions_ticket t ON t.id = p.ticket_id
        ORDER BY {order}
        LIMIT %(limit)s OFFSET %(offset)s
    """
    return sql, params, config


def _window_branches(tsq: str, filters: str, last_id: int, params: dict[str, Any]) -> list[str]:
    """The newest matching messages, read window by window (see _windows)."""
    branches = []
    for n, (low, high) in enumerate(_windows(last_id)):
        window = ""
        if low is not None:
            window += f" AND m.id > %(low{n})s"
            params[f"low{n}"] = low
        if high is not None:
            window += f" AND m.id <= %(high{n})s"
            params[f"high{n}"] = high
        # The first window may be walked backwards along the primary key (a common word fills
        # it in a few thousand rows). Later windows are only read when the word is rarer than
        # that: there `m.id + 0` keeps the planner on the GIN bitmap (ANDed with the id range),
        # which fetches only matching rows; walking 90,000 rows back to check each one's vector
        # looked cheaper to it and took 180 ms.
        key = "m.id" if n == 0 else "m.id + 0"
        branches.append(
            "(SELECT m.id, m.ticket_id, m.search_vector"
            " FROM mentions_message m JOIN mentions_ticket t ON t.id = m.ticket_id"
            f" WHERE m.search_vector @@ {tsq}{window}{filters}"
            f" ORDER BY {key} DESC LIMIT %(candidates)s)"
        )
    return branches


def search_postgres(query: TicketQuery) -> ResultPage:
    built = search_sql(query)
    if built is None:
        return ResultPage(tickets=[], number=query.page, has_next=False, count=0, count_capped=False, ranked=True)
    sql, params, config = built
    with transaction.atomic(), connection.cursor() as cursor:
        # Parallel workers cost more to start (30 ms on 2 cores) than this bounded query takes,
        # and a busy desk has other requests for those cores.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # The count is of the ranked candidates: at CANDIDATES matching messages there may be more.
    total = rows[0][2] if rows else 0
    # Older windows left unread (the newest held ENOUGH) may hold more matches too.
    capped = bool(rows) and (
        rows[0][3] >= CANDIDATES or total > COUNT_CAP or (params.get("low0") is not None and rows[0][4] >= ENOUGH)
    )
    page_rows = rows[:PAGE_SIZE]
    by_id = (
        Ticket.objects.select_related("channel", "assignee").prefetch_related("tags").in_bulk([r[0] for r in page_rows])
    )
    tickets = [by_id[r[0]] for r in page_rows if r[0] in by_id]
    found = snippets({r[1]: r[0] for r in page_rows if r[1] is not None}, q=query.q, config=config)
    for ticket in tickets:
        # For the result rows (mentions/_ticket_rows.html); setattr: not a field the model declares.
        setattr(ticket, "snippet", found.get(ticket.pk))  # noqa: B010
    return ResultPage(
        tickets=tickets,
        number=query.page,
        has_next=len(rows) > PAGE_SIZE,
        count=min(total, COUNT_CAP),
        count_capped=capped,
        ranked=query.order not in (ORDER_TIME_LEFT, ORDER_NEWEST),
    )
