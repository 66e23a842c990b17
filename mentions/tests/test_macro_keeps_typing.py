"""A macro that prefills the reply keeps what the advocate typed and did not save (issue "One door for ticket
writes"): the macro's Apply button belongs to the composer's form, so the browser posts the reply box's text with
the macro, and the desk puts the prefill after it (a blank line between) and keeps both as the ticket's draft.

Without JavaScript: the page's own markup decides what is posted (`pages.browser_post` reads it as a browser
does: a control's form is its `form` attribute, else the form around it; the button's `formaction` is where it
goes). With htmx: the same post, answered in place, the reply box swapped with both texts. Both composers: the
one that sends from the desk (X, a connected handle) and the one that records a reply made on the platform
(Hacker News). No platform is asked: applying a macro posts nothing anywhere.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from channels.tests.factories import ChannelFactory
from mentions.models import Macro, Message, Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory
from mentions.tests.pages import browser_post, changed_underneath, refused_page, result_slot

pytestmark = pytest.mark.django_db

TYPED = "I checked the runner logs: the <cache> key changed at 10:02."
PREFILL = "Sorry for the trouble, {requester}! Please check https://status.gitlab.com"
DOWNTIME = "Downtime: check status page"


@pytest.fixture(params=["send", "record"])
def ticket(request):
    """A ticket whose composer sends from the desk (X) or records a reply made on the platform (Hacker News)."""
    if request.param == "send":
        channel = ChannelFactory(
            kind="twitter", config={"handles": [{"username": "GitLab", "user_id": "1", "role": "main"}]}
        )
        ticket = TicketFactory(channel=channel, requester_handle="dana")
        MessageFactory(ticket=ticket, external_id="1860000000000000001", body="@GitLab is CI down?")
        return ticket
    ticket = TicketFactory(requester_handle="dana")
    MessageFactory(ticket=ticket, body="Is CI down?")
    return ticket


def _client() -> Client:
    client = Client()
    client.force_login(AdvocateFactory(username="ada"))
    return client


def test_without_javascript_the_macro_posts_the_typed_sentence_and_the_prefill_follows_it(handbook_macros, ticket):
    client = _client()
    page = client.get(ticket.get_absolute_url()).content.decode()
    macro = Macro.objects.get(name=DOWNTIME)

    url, data = browser_post(page, "macro-apply", {"body": TYPED, "macro": str(macro.pk)})
    response = client.post(url, data)

    assert response.status_code == 302, response.content[:300]
    ticket.refresh_from_db()
    expected_prefill = PREFILL.format(requester="dana")
    assert ticket.reply_draft.startswith(f"{TYPED}\n\n{expected_prefill}")  # typed first, then the prefill
    shown = client.get(ticket.get_absolute_url()).content.decode()
    assert "I checked the runner logs: the &lt;cache&gt; key changed at 10:02.\n\nSorry for the trouble, dana!" in shown
    assert ticket.status != Ticket.Status.SOLVED  # a prefill leaves sending to the advocate


def test_with_htmx_the_reply_box_comes_back_holding_both(handbook_macros, ticket):
    client = _client()
    page = client.get(ticket.get_absolute_url()).content.decode()
    macro = Macro.objects.get(name=DOWNTIME)
    url, data = browser_post(page, "macro-apply", {"body": TYPED, "macro": str(macro.pk)})

    response = client.post(url, data, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#result-macro"  # its result beside the picker, not the send button
    html = response.content.decode()
    swapped = re.findall(
        r'<textarea name="body" id="(send|reply)-body"[^>]*hx-swap-oob="outerHTML">(.*?)</textarea>', html, re.S
    )
    assert swapped, html[:500]
    for _id, text in swapped:
        assert text.startswith("I checked the runner logs: the &lt;cache&gt; key changed at 10:02.\n\nSorry for the")
    ticket.refresh_from_db()
    assert ticket.reply_draft.startswith(TYPED + "\n\nSorry for the trouble, dana!")


def test_a_macro_that_does_not_prefill_still_keeps_the_typed_sentence_as_the_draft(handbook_macros, ticket):
    client = _client()
    page = client.get(ticket.get_absolute_url()).content.decode()
    Macro.objects.create(name="Tag it", description="tags").actions.create(kind="add_tags", value="ci")
    macro = Macro.objects.get(name="Tag it")

    url, data = browser_post(page, "macro-apply", {"body": TYPED, "macro": str(macro.pk)})
    assert client.post(url, data).status_code == 302

    ticket.refresh_from_db()
    assert ticket.reply_draft == TYPED and ticket.tags.filter(name="ci").exists()


def test_a_stale_macro_changes_nothing_and_gives_the_typed_sentence_back_with_the_reason(handbook_macros, ticket):
    client = _client()
    page = client.get(ticket.get_absolute_url()).content.decode()
    macro = Macro.objects.get(name=DOWNTIME)
    url, data = browser_post(page, "macro-apply", {"body": TYPED, "macro": str(macro.pk)})
    events = changed_underneath(ticket)

    refused = refused_page(client, client.post(url, data), ticket, "macro")

    said = result_slot(refused, "macro")
    assert "This ticket changed since you opened it" in said and "bo: status" in said
    assert "I checked the runner logs: the &lt;cache&gt; key changed at 10:02.</textarea>" in refused
    ticket.refresh_from_db()
    assert ticket.reply_draft == "" and TicketEvent.objects.filter(ticket=ticket).count() == events
    assert not ticket.tags.filter(name="downtime").exists()
    # With htmx: 409 beside the picker; the box is not swapped, so what was typed stays in it.
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and "hx-swap-oob" not in response.content.decode()
    assert Message.objects.filter(ticket=ticket, kind=Message.Kind.NOTE).count() == 0
