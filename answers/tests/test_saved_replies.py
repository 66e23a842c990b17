"""Saved replies: placeholders filled for a ticket (an e-mail requester by the name their person has, never a
public pseudonym replaced), refused when unknown, measured as each platform counts a reply (X by twitter-text's
rules, the reference X publishes), and kept in admin apart from macros. People are tied as the ingest ties them
(people/tests/factories.py)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from answers.models import SavedReply
from answers.saved_replies import saved_reply_fill, saved_reply_lengths
from channels.adapters.registry import platform_of
from channels.tests.factories import ChannelFactory
from mentions.tests.factories import TicketFactory
from people.tests.factories import IdentityFactory, PersonFactory, ticket_from

pytestmark = pytest.mark.django_db

BODY = "Thanks {requester}! {handle}, the fix is tracked here: {link}"


def test_placeholders_are_filled_for_the_ticket_with_the_handle_as_the_platform_writes_it():
    on_x = TicketFactory(
        channel=ChannelFactory(kind="twitter", config=platform_of("twitter").example_config()),
        requester_handle="dana_dev",
        requester_name="Dana",
    )
    on_hn = TicketFactory(requester_handle="dana_dev", requester_name="")
    link = "https://gitlab.com/gitlab-org/gitlab/-/issues/1"
    assert saved_reply_fill(BODY, ticket=on_x, link=link) == f"Thanks Dana! @dana_dev, the fix is tracked here: {link}"
    assert saved_reply_fill(BODY, ticket=on_hn) == "Thanks dana_dev! dana_dev, the fix is tracked here: "


def test_a_value_holding_a_placeholder_stays_text_and_markup_is_left_to_the_page_to_escape():
    ticket = TicketFactory(requester_handle="x", requester_name="{link} <b>Eve</b>")
    assert saved_reply_fill("Hi {requester}", ticket=ticket, link="https://evil.example") == "Hi {link} <b>Eve</b>"


def test_an_unknown_placeholder_is_refused_beside_the_body():
    reply = SavedReply(title="Typo", body="Hi {requestor}, see {link}")
    with pytest.raises(ValidationError) as refused:
        reply.full_clean()
    assert refused.value.message_dict["body"] == ["Unknown placeholder {requestor}: use {requester}, {handle}, {link}."]


def test_the_length_is_measured_as_each_platform_counts_it():
    long_link = "https://gitlab.com/gitlab-org/gitlab/-/issues/123456789012345678901234567890?tab=comments"
    lengths = {p.platform: p for p in saved_reply_lengths("a" * 257 + " " + long_link)}
    assert (lengths["X / Twitter"].length, lengths["X / Twitter"].limit) == (281, 280)
    assert lengths["X / Twitter"].over
    assert lengths["Reddit"].length == 258 + len(long_link) and not lengths["Reddit"].over


def test_admin_saves_a_reply_shows_its_lengths_and_refuses_an_unknown_placeholder(admin_client):
    added = admin_client.post(
        reverse("admin:answers_savedreply_add"),
        {"title": "Forum", "body": "Please ask on the forum, {requester}: https://forum.gitlab.com", "is_active": "on"},
    )
    assert added.status_code == 302
    reply = SavedReply.objects.get(title="Forum")
    page = admin_client.get(reverse("admin:answers_savedreply_change", args=[reply.pk])).content.decode()
    assert "X / Twitter: 61 of 280" in page
    refused = admin_client.post(
        reverse("admin:answers_savedreply_add"), {"title": "Bad", "body": "Hi {name}", "is_active": "on"}
    )
    assert refused.status_code == 200 and "Unknown placeholder {name}" in refused.content.decode()
    assert not SavedReply.objects.filter(title="Bad").exists()


def _mailed(*, person_name: str, address: str = "maintainer@example.net"):
    """A ticket an e-mail requester opened, tied to their person as the ingest ties it; the platform's name is
    their address (a From without a display name)."""
    person = PersonFactory(name=person_name)
    mailbox = IdentityFactory(person=person, platform="email", handle=address, key=address, name=address)
    return ticket_from(mailbox)


def test_an_e_mail_requester_is_greeted_by_the_name_their_person_has_not_by_their_address(advocate_client):
    ticket = _mailed(person_name="Priya Raman")
    assert saved_reply_fill("Hi {requester},", ticket=ticket) == "Hi Priya Raman,"
    # An address is no handle to mention: "Hi {handle}" (written for X and the forums) greets them by name too.
    assert saved_reply_fill("Hi {handle}, we're on it", ticket=ticket) == "Hi Priya Raman, we're on it"

    # The Answers panel fills every saved reply with it, looking the name up once whatever their number.
    url = f"/tickets/{ticket.pk}/panels/answers/"

    def panel(replies: int) -> tuple[str, int]:
        had = SavedReply.objects.count()
        for n in range(replies):  # saved one by one, as admin does: the page's kept list is bumped by each
            SavedReply.objects.create(title=f"Thanks {had + n}", body="Hi {requester}, thanks!")
        advocate_client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            html = advocate_client.get(url).content.decode()
        return html, len(ctx.captured_queries)

    html, few = panel(3)
    assert html.count("Hi Priya Raman, thanks!") == 3  # once each: shown (two lines of it) and what the insert takes
    assert "Hi maintainer@example.net" not in html
    html, more = panel(10)
    assert html.count("Hi Priya Raman, thanks!") == 13 and more == few


def test_a_person_known_only_by_their_address_is_greeted_as_before():
    ticket = _mailed(person_name="jo@example.org", address="jo@example.org")
    assert saved_reply_fill("Hi {requester}, {handle}", ticket=ticket) == "Hi jo@example.org, jo@example.org"


def test_a_pseudonym_on_a_public_platform_stays_the_name_the_requester_chose():
    # The team knows who founder_fi is; a public reply greeting them by that name would out them.
    fiona = PersonFactory(name="Fiona Hale")
    ticket = ticket_from(IdentityFactory(person=fiona, handle="founder_fi", name="founder_fi"))
    assert saved_reply_fill("Hi {requester}", ticket=ticket) == "Hi founder_fi"


def test_the_panel_shows_a_saved_replys_length_where_replies_are_short_and_warns_when_it_is_too_long(advocate_client):
    # Shown on X (280 as X counts: a link is 23) and wherever a reply is too long; not on a forum's 65,000-long
    # comments, nor where the platform sets no limit (e-mail).
    SavedReply.objects.create(
        title="Short", body="Thanks {handle}! Tracked here: https://gitlab.com/gitlab-org/issues/1"
    )
    SavedReply.objects.create(title="Long", body="x " * 200)
    on_x = TicketFactory(
        channel=ChannelFactory(kind="twitter", config=platform_of("twitter").example_config()),
        requester_handle="dana_dev",
    )
    on_mail = _mailed(person_name="Priya Raman")

    def lengths(ticket) -> list[str]:
        html = advocate_client.get(f"/tickets/{ticket.pk}/panels/answers/").content.decode()
        return re.findall(r'<span class="saved-length( error)?">([^<]*)</span>', html)

    short = len("Thanks @dana_dev! Tracked here: ") + 23
    assert lengths(on_x) == [(" error", "400 of 280: too long here"), ("", f"{short} of 280")]  # by title
    assert lengths(on_mail) == []
