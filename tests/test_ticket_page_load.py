"""The ticket page as a browser loads it (issues 41, 58): its first answer and every request its HTML fires on
load, found the way bench/page_profile.py finds them (bench/_as_loaded.py parses hx-get with a `load` trigger),
so a new panel slot cannot add a request to every page view without this test saying so. A page view is one
request: every panel is in the first answer, the earlier answers read as the worker stored them. With one of our
knowledge sources active (a remote search) the Answers panel comes in one request after it. Query counts are
pinned for both."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from answers.tests.knowledge_helpers import source
from mentions.tests.factories import MessageFactory, TicketFactory
from people.tests.factories import IdentityFactory, PersonFactory, ticket_from

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from _as_loaded import fired_on_load  # the bench's own parser: the test counts what the bench does

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
# The page: the session's user from memory (mentions/permissions/user_cache.py), the ticket's existence (the floor's
# cheap lookup: a missing ticket's 404 never plans the page's query), the ticket with its channel, assignee and whether
# its panels have anything (one query), the conversation, the earlier answers as the worker stored them
# (answers.suggestions.stored), the change stamp and the navigation's two counts (tests run with the fragment cache off;
# production reads the counts under the stamp). Tags, the experts panel's outreaches, issues and codes given are
# read only when the ticket has some (`rows`, read with the ticket); the saved replies, the trackers and whether a
# knowledge source or a code is left come from the desk's settings kept in memory (advocacy.desk_settings).
PAGE_QUERIES = 7
# With a requester tied to a person: the requester card's four reads (who asked, with their person; their
# identities with what they wrote, grouped; their tickets' ids; their tags): on their first ticket no other ticket
# is read. The discount code panel shares the card's person.
PAGE_TIED_QUERIES = 11
# With a knowledge source active, the Answers panel is one request after the page: the ticket, the stored
# suggestions, the conversation the search's words come from, the active sources and the docs index searched.
PAGE_KNOWLEDGE_QUERIES = 6
DEFERRED_QUERIES = 5


def _queries(client, url: str, **headers) -> tuple[int, str]:
    # The session's first requests fill the per-process caches (the outreach settings' row, made at its first
    # read, retires the macro picker once: filled again at the second).
    client.get(url, **headers)
    client.get(url, **headers)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_a_page_view_is_one_request_with_its_queries_pinned(advocate_client, handbook_macros):
    ticket = TicketFactory(subject="Pipeline cache")
    MessageFactory(ticket=ticket, body="My pipeline cache never restores")

    queries, page = _queries(advocate_client, ticket.get_absolute_url())
    assert fired_on_load(page) == [], "every panel is in the page's first answer"
    assert queries == PAGE_QUERIES
    # Stored (the worker ran) or not yet ("Looking…", queued once): the same reads.
    from answers.suggestions.stored import suggestions_store

    suggestions_store([ticket.pk])
    assert _queries(advocate_client, ticket.get_absolute_url())[0] == PAGE_QUERIES

    # Every panel is in the page, share folded.
    assert 'id="ticket-facts"' in page and 'data-testid="requester-card"' in page
    assert 'data-testid="outreach-panel"' in page and 'data-testid="story-panel"' not in page
    assert 'data-testid="answers-panel"' in page and 'data-testid="issue-panel"' in page
    assert 'data-testid="panel-fold-share"' in page and 'data-testid="share-panel"' not in page
    # The live refresh waits for its interval: the first answer is current and carries its ETag.
    live = re.search(r'<div id="ticket-live"[^>]*>', page)
    assert live and 'hx-trigger="every ' in live.group(0) and "data-etag=" in live.group(0)


def test_with_a_knowledge_source_the_answers_panel_comes_in_one_request_after_the_page(advocate_client):
    source("docs")  # searched at view time (a remote search for the other kinds): not in the first answer
    ticket = TicketFactory(subject="Pipeline cache")
    MessageFactory(ticket=ticket, body="My pipeline cache never restores")

    queries, page = _queries(advocate_client, ticket.get_absolute_url())
    fired = fired_on_load(page)
    assert fired == [reverse("mentions:ticket-panels-later", args=[ticket.pk])], fired
    deferred, later = _queries(advocate_client, fired[0], **HTMX)
    assert fired_on_load(later) == [], "the deferred panel's answer fires nothing more"
    assert (queries, deferred) == (PAGE_KNOWLEDGE_QUERIES, DEFERRED_QUERIES)
    assert 'data-testid="answers-panel"' not in page and 'data-testid="answers-panel"' in later
    assert 'data-testid="issue-panel"' in page and 'data-testid="issue-panel"' not in later


def test_the_settings_the_page_keeps_in_memory_change_with_admin(advocate_client):
    """A saved reply, a tracker's issue settings or a knowledge source saved shows on the next page: the desk's
    settings are bumped by their signals (advocacy.desk_settings)."""
    from answers.models import SavedReply

    ticket = TicketFactory()
    MessageFactory(ticket=ticket)
    assert "Thanks for the report" not in advocate_client.get(ticket.get_absolute_url()).content.decode()
    reply = SavedReply.objects.create(title="Thanks for the report", body="Thanks, {name}!")
    assert "Thanks for the report" in advocate_client.get(ticket.get_absolute_url()).content.decode()
    reply.is_active = False
    reply.save()
    assert "Thanks for the report" not in advocate_client.get(ticket.get_absolute_url()).content.decode()
    source("docs")
    assert fired_on_load(advocate_client.get(ticket.get_absolute_url()).content.decode())


def test_a_tied_requester_costs_its_panels_queries_and_an_untied_one_none(advocate_client, handbook_macros):
    priya = PersonFactory(name="Priya Raman")
    tied = ticket_from(IdentityFactory(person=priya, platform="email", handle="p@example.net", key="p@example.net"))
    untied = TicketFactory()
    MessageFactory(ticket=untied)

    tied_queries, page = _queries(advocate_client, tied.get_absolute_url())
    untied_queries, _ = _queries(advocate_client, untied.get_absolute_url())
    assert "Priya Raman" in page and 'data-testid="discount-code-panel"' in page
    assert (untied_queries, tied_queries) == (PAGE_QUERIES, PAGE_TIED_QUERIES)


def test_the_folded_share_panel_loads_when_opened_and_inline_without_javascript(advocate_client):
    ticket = TicketFactory()
    MessageFactory(ticket=ticket)
    page = advocate_client.get(ticket.get_absolute_url()).content.decode()
    fold = page[page.index('data-testid="panel-fold-share"') :]
    url = reverse("mentions:ticket-panel", args=[ticket.pk, "share"])
    assert f'hx-get="{url}" hx-trigger="toggle once from:closest details"' in fold
    assert 'data-testid="share-panel"' in advocate_client.get(url).content.decode()

    inline = advocate_client.get(ticket.get_absolute_url(), {"panels": "inline"}).content.decode()
    assert fired_on_load(inline) == []
    for testid in ("share-panel", "answers-panel", "outreach-panel", "requester-card", "discount-code-panel"):
        assert f'data-testid="{testid}"' in inline, testid


def test_the_parser_counts_every_trigger_that_fires_on_load():
    html = (
        '<div hx-get="/a/" hx-trigger="load"></div><div hx-trigger="load delay:1s, every 5s" hx-get="/b/"></div>'
        '<div hx-get="/c/" hx-trigger="toggle once from:closest details"></div><div hx-get="/d/"></div>'
        '<div hx-get="/e/?x=1&amp;y=2" hx-trigger="revealed, load"></div>'
    )
    assert fired_on_load(html) == ["/a/", "/b/", "/e/?x=1&y=2"]
