"""What a ticket search is made of: the query (the list's parameters, and the text an advocate typed
parsed into words, -exclusions, ticket numbers and OR), the page of results, and PostgreSQL's
highlighted snippets turned into safe HTML. mentions.search.tickets runs the search."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from mentions.models import Ticket

# ts_headline marks matches with these; they are removed from the text first, so every one in
# its output is ts_headline's own (Unicode private use characters: no text means anything by them).
START, STOP = "\ue000", "\ue001"
SENTINELS = START + STOP
HEADLINE_OPTIONS = (
    f'StartSel="{START}", StopSel="{STOP}", MaxWords=30, MinWords=12, ShortWord=2, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)

WORD_CHAR = re.compile(r"\w", re.UNICODE)
_NEGATED = re.compile(r'(?<!\S)-(?:"([^"]*)"?|([^\s"]+))')
_OR = re.compile(r"(?<!\S)or(?!\S)", re.IGNORECASE)
_TICKET_ID = re.compile(r"(?<![\S])#?(\d{1,18})(?![\S])")


JUDGEMENT_NONE = "none"  # the list's ?judgement=none: tickets the desk has not judged yet
# ?judgement=unsure: judged by the desk below DESK_JUDGEMENT_UNSURE_BELOW (stored as needs_response, shown "Unsure")
JUDGEMENT_UNSURE = "unsure"
# The list's judgement choices beyond the judgements themselves, in the filter bar's order.
JUDGEMENT_MORE = ((JUDGEMENT_UNSURE, "Unsure"), (JUDGEMENT_NONE, "Not judged yet"))


@dataclass(frozen=True)
class TicketQuery:
    """The ticket list's parameters, already validated (mentions.forms.TicketFilterForm)."""

    q: str = ""
    status: str = ""
    channel_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    tag: str = ""
    priority: str = ""
    judgement: str = ""  # a Judgement value, JUDGEMENT_NONE (not judged yet) or JUDGEMENT_UNSURE
    intent: str = ""
    sentiment: str = ""
    date_from: date | None = None
    date_to: date | None = None
    order: str = ""
    product_id: int | None = None  # narrowed to a product (issue 71): its tickets, the first's with none too
    page: int = 1

    def columns(self) -> dict[str, str]:
        """The filters that are one ticket column equal to a value, {column: value}: priority and the desk's
        judgement, intent and sentiment (the column names are these, the values validated by the form)."""
        found = {"judgement": "" if self.judgement == JUDGEMENT_NONE else self.judgement} if self.judgement else {}
        if self.judgement == JUDGEMENT_UNSURE:
            found = {"judged_by": "desk"}  # and its confidence below the line: columns_q, columns_sql
        pairs = (("priority", self.priority), ("intent", self.intent), ("sentiment", self.sentiment))
        found.update((name, value) for name, value in pairs if value)
        return found

    def columns_q(self) -> Q:
        """The column filters as a condition of the ORM (mentions.search.tickets's filter path)."""
        found = Q(**self.columns())
        if self.judgement == JUDGEMENT_UNSURE:
            found &= Q(judgement_confidence__lt=settings.DESK_JUDGEMENT_UNSURE_BELOW)
        return found

    def columns_sql(self, params: dict[str, object]) -> list[str]:
        """The column filters as conditions on mentions_ticket `t` (mentions.search.tickets's ranked path), their values
        put in `params`; the column names are TicketQuery's own."""
        sql = []
        for name, value in self.columns().items():
            sql.append(f"t.{name} = %({name})s")
            params[name] = value
        if self.judgement == JUDGEMENT_UNSURE:
            sql.append("t.judgement_confidence < %(unsure_below)s")
            params["unsure_below"] = settings.DESK_JUDGEMENT_UNSURE_BELOW
        return sql

    @property
    def has_text(self) -> bool:
        """Only a query with a letter or digit searches: `- or "` alone lists tickets as if empty."""
        return bool(WORD_CHAR.search(self.q))


@dataclass
class CappedPage:
    """A page of a list that never counts everything: `count` stops at COUNT_CAP (mentions.search.tickets) and
    `count_capped` says there are more ("1,000+"); the pager needs only whether a next page exists."""

    number: int
    has_next: bool
    count: int
    count_capped: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


@dataclass
class ResultPage(CappedPage):
    tickets: list[Ticket]
    ranked: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    words: list[str]  # plain words, lower case: tag names to look for and the fallback's terms
    negated: list[str]  # -word / -"a phrase"
    ticket_ids: list[int]
    has_or: bool


def query_parse(q: str) -> ParsedQuery:
    negated = [(m.group(1) or m.group(2) or "").strip() for m in _NEGATED.finditer(q)]
    rest = _NEGATED.sub(" ", q)
    ids = [int(m.group(1)) for m in _TICKET_ID.finditer(rest) if int(m.group(1)) < 2**63]
    words = []
    for piece in rest.replace('"', " ").split():
        word = piece.strip("#@.,;:!?()[]{}'").lower()
        if word and word != "or" and WORD_CHAR.search(word):
            words.append(word)
    return ParsedQuery(
        words=words, negated=[n for n in negated if WORD_CHAR.search(n)], ticket_ids=ids, has_or=bool(_OR.search(q))
    )


def highlight(headline: str) -> SafeString:
    """HTML for a ts_headline result: every piece of text escaped, the sentinel pairs turned
    into <mark>. A stray or unbalanced sentinel can only drop or close a mark, never open markup."""
    out: list[str] = []
    inside = False
    for part in re.split(f"([{SENTINELS}])", headline):
        if part == START:
            if not inside:
                out.append("<mark>")
                inside = True
        elif part == STOP:
            if inside:
                out.append("</mark>")
                inside = False
        elif part:
            out.append(str(escape(part)))
    if inside:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308 - built above from escaped text and our own tags


def tsquery(config: str, param: str) -> str:
    # config is one of two literals chosen below, never user input.
    assert config in ("english", "simple")
    return f"websearch_to_tsquery('{config}'::regconfig, %({param})s)"


def snippets(message_to_ticket: dict[int, int], *, q: str, config: str) -> dict[int, SafeString]:
    """Ticket id -> its best message's body (or title) with the matched words in <mark>."""
    if not message_to_ticket:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, ts_headline(%(config)s::regconfig,"  # noqa: S608 - config is one of two literals
            " translate(CASE WHEN body <> '' THEN body ELSE title END, %(sentinels)s, ''),"
            f" {tsquery(config, 'q')}, %(options)s)"
            " FROM mentions_message WHERE id = ANY(%(ids)s)",
            {
                "config": config,
                "sentinels": SENTINELS,
                "q": q,
                "options": HEADLINE_OPTIONS,
                "ids": list(message_to_ticket),
            },
        )
        return {message_to_ticket[pk]: highlight(text) for pk, text in cursor.fetchall()}
