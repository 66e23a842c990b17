"""Who is asking, on the ticket page: the requester card is the context column's first panel after the facts, and
an e-mail requester whose person has a name is named by it before their address. People and tickets are made as
the ingest ties them (people/tests/factories.py); the address is one an e-mail channel's author carries when the
message's From has no display name."""

from __future__ import annotations

import re

import pytest

from people.tests.factories import IdentityFactory, PersonFactory, person_tag, ticket_from

pytestmark = pytest.mark.django_db

ADDRESS = "maintainer@example.net"


def _mailed_by_priya():
    priya = PersonFactory(name="Priya Raman")
    person_tag(priya, "customer")
    mailbox = IdentityFactory(person=priya, platform="email", handle=ADDRESS, key=ADDRESS, name=ADDRESS)
    return ticket_from(mailbox, subject="Open-source programme application stuck")


def test_the_requester_card_is_the_first_panel_after_the_facts(advocate_client):
    ticket = _mailed_by_priya()

    # Every panel is in the first answer, in order: the requester card right after the facts, the answers later.
    page = advocate_client.get(ticket.get_absolute_url()).content.decode()
    column = page[page.index('aria-label="About this ticket"') :]
    ids = re.findall(r'<div (?:class="[^"]*" )?id="(ticket-facts|panel-[\w-]+)"', column)
    assert ids[:2] == ["ticket-facts", "panel-requester"], ids
    assert ids.index("panel-requester") < ids.index("panel-answers")

    # The page without JavaScript has the panels inline, in the same order.
    inline = advocate_client.get(ticket.get_absolute_url(), {"panels": "inline"}).content.decode()
    column = inline[inline.index('aria-label="About this ticket"') :]
    ids = re.findall(r'<div (?:class="[^"]*" )?id="(ticket-facts|panel-[\w-]+)"', column)
    assert ids[:2] == ["ticket-facts", "panel-requester"], ids
    assert ids.index("panel-requester") < ids.index("panel-answers")


def test_an_e_mail_requester_is_named_by_their_person_before_their_address(advocate_client):
    ticket = _mailed_by_priya()

    inline = advocate_client.get(ticket.get_absolute_url(), {"panels": "inline"}).content.decode()
    column = inline[inline.index('aria-label="About this ticket"') :]
    # Who is asking, first as the team knows them, with their tag; the address after, as one of their accounts.
    assert column.index("Priya Raman") < column.index(ADDRESS)
    card = column[column.index('id="panel-requester"') :]
    assert re.search(r'data-testid="requester-person">Priya Raman</a> <span class="tag">customer</span>', card)


def test_a_first_ticket_says_so_in_one_line(advocate_client):
    ticket = _mailed_by_priya()
    card = advocate_client.get(ticket.get_absolute_url()).content.decode()
    assert re.search(r'<p class="muted" data-testid="requester-first">\s*No other tickets: this is their first\.', card)
    assert "Their other tickets" not in card
