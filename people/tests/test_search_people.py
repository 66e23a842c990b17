"""The ticket list's search shows the people matching its words above the tickets (people.search through
mentions.search.blocks): up to five, each linking to their page with their accounts, in two queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.search import SEARCH_PEOPLE, search_people_block
from people.tests.factories import IdentityFactory, PersonFactory, ticket_from

pytestmark = pytest.mark.django_db


def _people_block(html: str) -> str:
    found = re.search(r'<section class="panel search-people".*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_searching_a_handle_shows_the_person_above_the_tickets_with_their_accounts(advocate_client):
    vera = PersonFactory(name="Vera Kowalska")
    hn = IdentityFactory(person=vera, platform="hackernews", handle="vera_k")
    IdentityFactory(person=vera, platform="reddit", handle="vkowalska")
    ticket = ticket_from(hn, body="vera_k here: caching fails")
    IdentityFactory(handle="bob")  # someone else

    html = advocate_client.get("/tickets/?q=vera_k").content.decode()

    block = _people_block(html)
    assert block, "no People block"
    assert f'<a href="/people/{vera.pk}/">Vera Kowalska</a>' in block
    assert "hackernews: vera_k" in block and "reddit: vkowalska" in block
    assert "bob" not in block
    assert html.index("search-people") < html.index(f'<tr data-ticket="{ticket.pk}">')  # above the tickets


def test_a_search_matching_nobody_and_the_plain_list_show_no_people_block(advocate_client):
    IdentityFactory(handle="vera_k")
    assert _people_block(advocate_client.get("/tickets/?q=kubernetes").content.decode()) == ""
    assert _people_block(advocate_client.get("/tickets/").content.decode()) == ""
    assert _people_block(advocate_client.get("/tickets/?q=vera_k&page=2").content.decode()) == ""


def test_html_in_the_query_and_in_names_is_shown_as_text(advocate_client):
    evil = "<script>alert(1)</script>"
    person = PersonFactory(name=f"{evil} Vera")
    IdentityFactory(person=person, handle="<img src=x onerror=alert(2)>")

    html = advocate_client.get("/tickets/", {"q": evil}).content.decode()

    block = _people_block(html)
    assert f"/people/{person.pk}/" in block
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Vera" in block
    assert "&lt;img src=x onerror=alert(2)&gt;" in block


def test_at_most_five_people_and_a_word_that_there_are_more(django_assert_num_queries):
    for n in range(SEARCH_PEOPLE + 2):
        IdentityFactory(person=PersonFactory(name=f"Vera {n}"), handle=f"vera_{n}")
        IdentityFactory(person=PersonFactory(name=f"Dana {n}"), handle=f"dana_{n}")

    with django_assert_num_queries(2):  # the people, their identities
        block = str(search_people_block(q="vera"))

    assert block.count('data-testid="search-person"') == SEARCH_PEOPLE
    assert "More people match" in block and "Dana" not in block


def test_the_erased_are_not_found():
    IdentityFactory(person=PersonFactory(name="", erased_at="2026-11-01T00:00:00Z"), handle="vera_k")
    assert search_people_block(q="vera_k") == ""


def test_the_search_page_costs_the_same_with_1_and_5_people_found(advocate_client, settings):
    settings.DESK_FRAGMENT_CACHE = False  # rendered every time, the block's queries in each count
    IdentityFactory(person=PersonFactory(name="Vera 0"), handle="vera_0")
    advocate_client.get("/tickets/?q=vera")
    with CaptureQueriesContext(connection) as one:
        advocate_client.get("/tickets/?q=vera")
    for n in range(1, 5):
        IdentityFactory(person=PersonFactory(name=f"Vera {n}"), handle=f"vera_{n}")
        IdentityFactory(person=PersonFactory(name=f"Vera {n}"), platform="reddit", handle=f"vera_{n}")
    with CaptureQueriesContext(connection) as five:
        html = advocate_client.get("/tickets/?q=vera").content.decode()
    assert _people_block(html).count('data-testid="search-person"') == 5
    assert len(five.captured_queries) == len(one.captured_queries)
