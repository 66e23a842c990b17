"""The knowledge fragment beside the composer: who may load it, what it shows, and that whatever a platform
sends is text, never markup. Shapes: GitHub's documented "Search issues" example (github/rest-api-description,
issue-search-result-item-paginated) with its title and body replaced by hostile text, as a real issue could
hold (answers/tests/fixtures/SOURCES.md)."""

from __future__ import annotations

import copy
import re

import pytest
import responses
from django.urls import reverse

from answers.knowledge.query import distinctive_words, knowledge_query, narrowed
from answers.tests.knowledge_helpers import fixture, source
from mentions.tests.factories import MessageFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def _url(ticket) -> str:
    return reverse("answers:knowledge", args=[ticket.pk])


def test_the_url_is_named():
    assert _url(TicketFactory()) == f"/answers/tickets/{TicketFactory._meta.model.objects.get().pk}/knowledge/"


def test_anonymous_users_go_to_sign_in(client):
    response = client.get(_url(TicketFactory()))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_users_without_a_role_are_refused(client):
    client.force_login(UserFactory())
    assert client.get(_url(TicketFactory())).status_code == 403


def test_without_sources_it_says_they_are_configured_in_admin(advocate_client):
    response = advocate_client.get(_url(TicketFactory()))
    assert response.status_code == 200
    body = response.content.decode()
    assert "they are configured in admin" in body
    assert "/admin/answers/knowledgesource/" not in body  # the admin link is for staff only


def test_staff_get_the_admin_link(advocate_client):
    advocate_client.user.is_staff = True
    advocate_client.user.save()
    body = advocate_client.get(_url(TicketFactory())).content.decode()
    assert reverse("admin:answers_knowledgesource_changelist") in body


@responses.activate
def test_results_are_escaped_linked_safely_and_offer_insert_link(advocate_client):
    source("github_issues")
    source("discourse")
    data = copy.deepcopy(fixture("github_search_issues_docs.json"))
    data["items"][0]["title"] = '<img src=x onerror="alert(1)">Pipeline cache'
    data["items"][0]["body"] = "<script>alert('body')</script> use `cache:`"
    responses.get("https://api.github.com/search/issues", json=data)
    responses.get("https://forum.example.com/search.json", status=502, body="Bad Gateway")
    ticket = MessageFactory(ticket__subject="Pipeline cache misses").ticket
    response = advocate_client.get(_url(ticket))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<img src=x" not in body and "<script>alert" not in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Pipeline cache" in body
    assert (
        '<a href="https://github.com/batterseapower/pinyin-toolkit/issues/132" rel="nofollow noopener noreferrer" '
        'target="_blank">' in body
    )
    assert 'data-insert-link="https://github.com/batterseapower/pinyin-toolkit/issues/132"' in body
    assert "Discourse forum: answered 502" in body  # the failing source is a line; the page is still 200


def test_the_query_takes_the_longest_words_of_the_subject_and_first_mention_in_order():
    ticket = MessageFactory(
        ticket__subject="Hi! Pipeline cache",
        body="Thanks, how do I keep node_modules between jobs? See https://example.com/very/long/address here",
    ).ticket
    assert ticket is not None
    MessageFactory(ticket=ticket, body="A later message with extraordinary words")
    query, terms = knowledge_query(ticket)
    assert query == "Pipeline cache keep node modules jobs See"
    assert "extraordinary" not in query and "example" not in query
    assert terms[:2] == ["pipelin", "cach"]


def test_distinctive_words_prefer_longer_words_and_keep_their_order():
    text = "why does the runner fail to authenticate when the registry uses a self-signed certificate on my box"
    assert distinctive_words(text, 4) == ["authenticate", "registry", "self-signed", "certificate"]
    assert narrowed("a bb ccc dddd eeeee", 2) == "dddd eeeee"


def _answers_panel(client, ticket) -> str:
    return client.get(reverse("mentions:ticket-panel", args=[ticket.pk, "answers"])).content.decode()


def test_without_sources_the_answers_panel_says_so_in_one_line_and_asks_for_nothing(advocate_client):
    html = _answers_panel(advocate_client, TicketFactory())
    assert 'data-testid="knowledge-slot"' not in html and _url(TicketFactory._meta.model.objects.get()) not in html
    assert "<h3>Our knowledge</h3>" not in html
    line = '<p class="muted knowledge-line" data-testid="knowledge-none"><strong>Our knowledge</strong> · '
    assert line + "no sources are set up" in html


def test_with_a_source_the_answers_panel_carries_its_results_in_the_same_request(advocate_client):
    """The Answers panel is deferred (it comes in the ticket page's one request after its first answer): our
    knowledge's results come in it, not in a request of their own."""
    source("docs")
    ticket = TicketFactory()
    for html in (
        _answers_panel(advocate_client, ticket),
        advocate_client.get(reverse("mentions:ticket-panels-later", args=[ticket.pk])).content.decode(),
    ):
        assert 'data-testid="knowledge-slot"' not in html and _url(ticket) not in html
        assert 'data-testid="knowledge-panel"' in html and 'data-testid="knowledge-none"' not in html


def test_nothing_found_is_one_line(advocate_client):
    source("docs")  # no page indexed yet: nothing can be found
    ticket = MessageFactory(ticket__subject="Pipeline cache misses").ticket
    html = advocate_client.get(_url(ticket)).content.decode()
    assert "<h3>" not in html
    assert re.search(r'data-testid="knowledge-empty"><strong>Our knowledge</strong> · nothing found for', html)
