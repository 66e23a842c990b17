"""The knowledge panel's fragment: what our knowledge sources hold about a ticket's question. Loaded beside the
composer; never an error page (every failure of a source is a line in the fragment)."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from answers.knowledge.query import knowledge_query
from answers.knowledge.search import KnowledgeResults, knowledge_search
from mentions.models import Ticket
from mentions.views.access import work_queue

logger = logging.getLogger("answers.knowledge")


@require_GET
@work_queue
def knowledge(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    return render(request, "answers/_knowledge.html", {"ticket": ticket, **knowledge_context(ticket)})


def knowledge_context(ticket: Ticket) -> dict[str, Any]:
    """The fragment's context: the query asked of the sources and what they answered. The Answers panel, which
    comes in the ticket page's one deferred request, shows it too (answers.views.answers_panel)."""
    query, terms = knowledge_query(ticket)
    try:
        results = knowledge_search(query, terms, product_id=ticket.product_id)
    except Exception:  # the database or the cache failing under the search: a line, the composer stays usable
        logger.exception("knowledge: the search for ticket %s failed", ticket.pk)
        results = KnowledgeResults(configured=True, lines=["Our knowledge sources could not be searched just now."])
    return {"query": query, "results": results}
