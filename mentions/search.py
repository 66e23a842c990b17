"""Ticket search: PostgreSQL full text over every message, plus tags and ticket ids; a plainer
search on the embedded SQLite default.

PostgreSQL: each message carries a stored `search_vector` (title weighted A, author handle and
name B, text D; the "english" configuration, so "registries" finds "registry" and "the" is not a
word to search for) with a GIN index; tickets have a GIN expression index over subject and
requester. Queries use `websearch_to_tsquery` syntax: quoted phrases, `-word`, `or`. A word that
is a tag name or a ticket number (`#123`) also finds those tickets. Results are ranked by the best
matching message, ties newest first. A query matching more than `FUZZY_LIMIT` messages (a word
in every mention, "gitlab") ranks a sample of that many instead of all of them
(`gin_fuzzy_search_limit`): such a word does not tell tickets apart anyway, and ranking a million
messages would take seconds.

Highlighting comes from escaped text only: the database marks matches with two control
characters that were removed from the text first; the text is HTML-escaped and only then are the
marks turned into <mark> elements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from mentions.models import Message, Ticket

CONFIG = "english"
FUZZY_LIMIT = 20000
PAGE_SIZE = 50
_START, _STOP = "\x02", "\x03"
_SENTINELS = re.compile("[\x02\x03]")

# Stored on mentions_message (PostgreSQL only; migration 0019) and indexed with GIN.
MESSAGE_VECTOR_SQL = (
    f"setweight(to_tsvector('{CONFIG}'::regconfig, coalesce(title, '')), 'A') || "
    f"setweight(to_tsvector('{CONFIG}'::regconfig, coalesce(author_handle, '') || ' ' || coalesce(author_name, '')),"
    " 'B')"
    f" || to_tsvector('{CONFIG}'::regconfig, coalesce(body, ''))"
)
# The ticket's own words; the expression index and the query must spell it identically.
TICKET_VECTOR_SQL = (
    f"to_tsvector('{CONFIG}'::regconfig, coalesce(subject, '') || ' ' || coalesce(requester_handle, '')"
    " || ' ' || coalesce(requester_name, ''))"
)


@dataclass
class Filters:
    status: str = ""
    channel_id: int | None = None
    assignee: int | str | None = None  # a user id, "none" (unassigned)
    tag: str = ""
    priority: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def queryset(self, qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.status:
            qs = qs.filter(status=self.status)
        if self.channel_id:
            qs = qs.filter(channel_id=self.channel_id)
        if self.assignee == "none":
            qs = qs.filter(assignee__isnull=True)
        elif isinstance(self.assignee, int):
            qs = qs.filter(assignee_id=self.assignee)
        if self.tag:
            qs = qs.filter(tags__name=self.tag)
        if self.priority:
            qs = qs.filter(priority=self.priority)
        if self.date_from:
            qs = qs.filter(requested_at__date__gte=self.date_from)
        if self.date_to:
            qs = qs.filter(requested_at__date__lte=self.date_to)
        return qs


@dataclass
class Results:
    tickets: list[Ticket]
    has_next: bool
    snippets: dict[int, SafeString] = field(default_factory=dict)


def plain_words(q: str) -> list[str]:
    """The words a query asks for, without operators, negated words or quotes."""
    words = []
    for token in re.findall(r'"[^"]*"|\S+', q):
        if token.startswith("-") or token.lower() == "or":
            continue
        words.extend(w for w in re.split(r"\W+", token.strip('"'), flags=re.UNICODE) if w)
    return words


def negated_words(q: str) -> list[str]:
    """The words a query leaves out (`-docker`, `-"merge train"`)."""
    return [t[1:].strip('"') for t in re.findall(r'-"[^"]*"|-\S+', q) if len(t) > 1 and t[1:].strip('"')]


def _ticket_ids(q: str) -> list[int]:
    return [int(t.lstrip("#")) for t in q.split() if re.fullmatch(r"#?\d{1,18}", t)]


def highlight(marked: str) -> SafeString:
    """Text whose matches are wrapped in the two sentinels → escaped HTML with <mark>s."""
    html = escape(marked).replace(_START, "<mark>").replace(_STOP, "</mark>")
    # A cut fragment may open a mark without closing it.
    if html.count("<mark>") > html.count("</mark>"):
        html += "</mark>"
    return mark_safe(html)  # noqa: S308 (escaped above; only our own <mark> tags added)


def search(*, q: str, filters: Filters, page: int = 1) -> Results:
    """Tickets matching `q` and `filters`, best first, one page."""
    if connection.vendor == "postgresql":
        return _search_postgresql(q=q, filters=filters, page=page)
    return _search_plain(q=q, filters=filters, page=page)


def _page_of(ids: list[int], page: int) -> tuple[list[Ticket], bool]:
    has_next = len(ids) > PAGE_SIZE
    ids = ids[:PAGE_SIZE]
    by_id = {
        t.pk: t
        for t in Ticket.objects.filter(pk__in=ids).select_related("channel", "assignee").prefetch_related("tags")
    }
    return [by_id[i] for i in ids if i in by_id], has_next


_EXCLUDE_SQL = f"""AND NOT EXISTS (
    SELECT 1 FROM mentions_message x WHERE x.ticket_id = hits.ticket_id
    AND x.search_vector @@ websearch_to_tsquery('{CONFIG}'::regconfig, %s))
    AND NOT EXISTS (SELECT 1 FROM mentions_ticket t WHERE t.id = hits.ticket_id
    AND {TICKET_VECTOR_SQL} @@ websearch_to_tsquery('{CONFIG}'::regconfig, %s))"""  # noqa: S608 (constants only)


def _search_postgresql(*, q: str, filters: Filters, page: int) -> Results:
    scope_sql, scope_params = filters.queryset(Ticket.objects.all()).values("id").query.sql_with_params()
    offset = (page - 1) * PAGE_SIZE
    sql_template = """
        WITH query AS (SELECT websearch_to_tsquery('{CONFIG}'::regconfig, %s) AS q),
        hits AS (
            SELECT m.ticket_id, max(ts_rank_cd(m.search_vector, query.q)) AS rank
            FROM mentions_message m, query
            WHERE m.search_vector @@ query.q AND m.ticket_id IS NOT NULL
            GROUP BY m.ticket_id
            UNION ALL
            SELECT t.id, 0.05 FROM mentions_ticket t, query WHERE {TICKET_VECTOR_SQL} @@ query.q
            UNION ALL
            SELECT tt.ticket_id, 0.5 FROM mentions_ticket_tags tt JOIN mentions_tag g ON g.id = tt.tag_id
            WHERE g.name = ANY(%s)
            UNION ALL
            SELECT t.id, 100 FROM mentions_ticket t WHERE t.id = ANY(%s)
        )
        SELECT hits.ticket_id FROM hits
        WHERE hits.ticket_id IN ({scope_sql}) {exclude_sql}
        GROUP BY hits.ticket_id
        ORDER BY sum(hits.rank) DESC, hits.ticket_id DESC
        LIMIT %s OFFSET %s
    """
    words = [w.lower() for w in plain_words(q)]
    # "-word" leaves out the ticket, not only the message: no message of it and not its subject.
    left_out = " or ".join(f'"{w}"' for w in negated_words(q))
    exclude_sql, exclude_params = "", []
    if left_out:
        exclude_sql = _EXCLUDE_SQL
        exclude_params = [left_out, left_out]
    params = [q, words, _ticket_ids(q), *scope_params, *exclude_params, PAGE_SIZE + 1, offset]
    # Constants and the ORM's own parametrised SQL go into the text; every value is a parameter.
    sql = sql_template.format(
        CONFIG=CONFIG, TICKET_VECTOR_SQL=TICKET_VECTOR_SQL, scope_sql=scope_sql, exclude_sql=exclude_sql
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL gin_fuzzy_search_limit = {FUZZY_LIMIT}")
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    tickets, has_next = _page_of(ids, page)
    return Results(tickets=tickets, has_next=has_next, snippets=_headlines(q, [t.pk for t in tickets]))


def _headlines(q: str, ticket_ids: list[int]) -> dict[int, SafeString]:
    """The best-matching message of each ticket on the page, with its matches marked."""
    if not ticket_ids:
        return {}
    options = f'StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
    sql = f"""
        SELECT DISTINCT ON (m.ticket_id) m.ticket_id,
               ts_headline('{CONFIG}'::regconfig,
                           translate(coalesce(m.title, '') || ' ' || coalesce(m.body, ''), E'\\x02\\x03', ''),
                           query.q, %s)
        FROM mentions_message m, websearch_to_tsquery('{CONFIG}'::regconfig, %s) AS query(q)
        WHERE m.ticket_id = ANY(%s) AND m.search_vector @@ query.q
        ORDER BY m.ticket_id, ts_rank_cd(m.search_vector, query.q) DESC, m.id
    """  # noqa: S608 (constants; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [options, q, ticket_ids])
        return {ticket_id: highlight(text) for ticket_id, text in cursor.fetchall() if _START in text}


def _search_plain(*, q: str, filters: Filters, page: int) -> Results:
    """SQLite: every plain word must appear in a message (text, title, author), the ticket's
    subject or requester, a tag name, or be the ticket's number; newest first."""
    words = plain_words(q)
    qs = filters.queryset(Ticket.objects.all())
    for word in words:
        match = (
            Q(subject__icontains=word)
            | Q(requester_handle__icontains=word)
            | Q(requester_name__icontains=word)
            | Q(tags__name__iexact=word)
            | Q(pk__in=Message.objects.filter(_message_match(word)).values("ticket_id"))
        )
        if word.isdigit() and len(word) <= 18:
            match |= Q(pk=int(word))
        qs = qs.filter(match)
    offset = (page - 1) * PAGE_SIZE
    ids = list(
        qs.order_by("-requested_at", "-id").values_list("id", flat=True).distinct()[offset : offset + PAGE_SIZE + 1]
    )
    tickets, has_next = _page_of(ids, page)
    return Results(tickets=tickets, has_next=has_next, snippets=_plain_snippets(words, [t.pk for t in tickets]))


def _message_match(word: str) -> Q:
    return (
        Q(body__icontains=word)
        | Q(title__icontains=word)
        | Q(author_handle__icontains=word)
        | Q(author_name__icontains=word)
    )


def _plain_snippets(words: list[str], ticket_ids: list[int]) -> dict[int, SafeString]:
    if not words or not ticket_ids:
        return {}
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    match = Q()
    for word in words:
        match |= _message_match(word)
    snippets: dict[int, SafeString] = {}
    for ticket_id, title, body in (
        Message.objects.filter(match, ticket_id__in=ticket_ids).order_by("id").values_list("ticket_id", "title", "body")
    ):
        if ticket_id in snippets:
            continue
        text = _SENTINELS.sub("", f"{title} {body}".strip())
        found = pattern.search(text)
        if not found:
            continue
        start = max(0, found.start() - 80)
        fragment = ("…" if start else "") + text[start : found.end() + 120]
        snippets[ticket_id] = highlight(pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", fragment))
    return snippets
