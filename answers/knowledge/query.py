"""The words the knowledge sources are asked for: from the ticket's subject and its first inbound message, the
most distinctive ones, unstemmed (each platform does its own stemming). Longer words are taken as the more
distinctive ("pipeline" over "run"), stop words and greetings never; they keep the order they were written in,
which is how a platform's relevance reads a phrase."""

from __future__ import annotations

import re

from answers.terms import STOP_WORDS, query_terms
from mentions.models import Message, Ticket

MAX_WORDS = 8
_LINK = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:[-'.][^\W_]+)*")


def distinctive_words(text: str, most: int = MAX_WORDS) -> list[str]:
    """The `most` longest distinct words of `text` that are not stop words, in the order they appear."""
    words: dict[str, str] = {}
    for match in _WORD.finditer(_LINK.sub(" ", text)):
        word = match.group()
        key = word.casefold().replace("'", "")
        if len(key) < 3 or key in STOP_WORDS or key.isdigit() or len(key) > 40 or key in words:
            continue
        words[key] = word
    ordered = list(words)
    # A stable sort: among words of one length the first written wins.
    chosen = set(sorted(ordered, key=len, reverse=True)[:most])
    return [words[key] for key in ordered if key in chosen]


def narrowed(query: str, most: int) -> str:
    """The `most` longest words of a query, in order: for platforms that require every word to match."""
    return " ".join(distinctive_words(query, most))


def ticket_question(ticket: Ticket) -> str:
    first = ticket.messages.filter(kind=Message.Kind.INBOUND).order_by("platform_created_at", "id").first()
    parts = [ticket.subject or ""]
    if first is not None:
        parts += [first.title, first.body[:5000]]
    return "\n".join(p for p in parts if p)


def knowledge_query(ticket: Ticket) -> tuple[str, list[str]]:
    """(the words to search for, their stems for our own docs index)."""
    text = ticket_question(ticket)
    words = distinctive_words(text)
    return " ".join(words), query_terms(" ".join(words))
