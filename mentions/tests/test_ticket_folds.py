"""The ticket page's folds (mentions.ticket_page.folds): the menus and forms most views never open come when they are
opened, the same forms with the version of the ticket the page showed; without JavaScript, or with a form back with
its errors, they are in the page. And the project's templates are read without their indentation
(advocacy.template_source), never the text they show.

No platform is called: the pages are read and the folds opened; the X channel's handle is configured as
tests/test_ticket_forms.py configures it (so likes, reposts and direct messages are offered).
"""

import re

import pytest
from django.urls import reverse

from advocacy.template_source import indentation_stripped
from channels.tests.factories import ChannelFactory
from mentions.models import Message
from mentions.services import ticket_add_note
from mentions.tests.factories import ManagerFactory, MessageFactory, TicketFactory, ViewFactory, seen

pytestmark = pytest.mark.django_db

SLOT = re.compile(r'<div class="fold-slot" hx-get="([^"]+)"')
# Each fold and a control only its form has (the page's other forms never carry it).
FOLD_FORMS = {
    "snooze": 'name="preset"',
    "more": 'name="target"',  # merge into
    "replied": 'name="link"',
    "dm": 'name="text"',
    "delete": 'name="confirm"',
    "issue": 'data-testid="issue-url"',
}


@pytest.fixture
def playing(client):
    """A manager playing a view that allows skipping, on an X ticket with a mention and our reply to it."""
    manager = ManagerFactory()
    channel = ChannelFactory(
        kind="twitter", config={"handles": [{"username": "GitLab", "user_id": "1", "role": "main"}]}
    )
    ticket = TicketFactory(
        channel=channel, assignee=manager, served_to=manager, served_view=ViewFactory(allow_skip=True)
    )
    MessageFactory(ticket=ticket, channel=channel, kind=Message.Kind.INBOUND, external_id="1860000000000000001")
    MessageFactory(ticket=ticket, channel=channel, kind=Message.Kind.OUR_REPLY, external_id="1860000000000000002")
    client.force_login(manager)
    return ticket, manager


def _slots(html: str) -> dict[str, str]:
    found = {}
    for url in SLOT.findall(html):
        name = re.search(r"/folds/([a-z]+)/", url)
        assert name, url
        found[name.group(1)] = url.replace("&amp;", "&")
    return found


def _opened(url: str, version: int) -> str:
    """The slot's address as htmx asks it: the page's `seen` added to its own query (the message's)."""
    return f"{url}{'&' if '?' in url else '?'}seen={version}"


def test_the_page_comes_with_its_folds_closed_and_each_opens_to_its_form(client, playing):
    ticket, _ = playing
    html = client.get(ticket.get_absolute_url()).content.decode()
    slots = _slots(html)
    assert set(slots) == set(FOLD_FORMS)
    for name, control in FOLD_FORMS.items():
        assert control not in html, name
        opened = client.get(_opened(slots[name], seen(ticket)), headers={"HX-Request": "true"})
        assert opened.status_code == 200, name
        assert control in opened.content.decode(), name
    more = client.get(_opened(slots["more"], seen(ticket))).content.decode()
    # Playing its own ticket: skip and release are in the menu, each posting to its own view.
    for action in ("skip", "release", "merge"):
        assert f'action="{reverse(f"mentions:ticket-{action}", args=[ticket.pk])}"' in more


def test_an_opened_fold_claims_the_version_the_page_showed_not_a_newer_one(client, playing):
    ticket, manager = playing
    html = client.get(ticket.get_absolute_url()).content.decode()
    shown = seen(ticket)
    ticket_add_note(ticket=ticket, user=manager, body="Checked the runner logs")  # a change the page has not shown
    assert seen(ticket) != shown
    snooze = client.get(_opened(_slots(html)["snooze"], shown)).content.decode()
    assert f'<input type="hidden" name="seen" value="{shown}">' in snooze
    # Asked without it (a link followed by hand), the fold claims the ticket as it is now.
    now = client.get(reverse("mentions:ticket-fold", args=[ticket.pk, "snooze"])).content.decode()
    assert f'<input type="hidden" name="seen" value="{seen(ticket)}">' in now


def test_a_message_fold_is_that_message_of_that_ticket(client, playing):
    ticket, _ = playing
    inbound = ticket.messages.get(kind=Message.Kind.INBOUND)
    dm = client.get(reverse("mentions:ticket-fold", args=[ticket.pk, "dm"]), {"message": inbound.pk})
    assert f'id="dm-text-{inbound.pk}"' in dm.content.decode()
    other = MessageFactory(kind=Message.Kind.INBOUND)  # another ticket's
    assert client.get(reverse("mentions:ticket-fold", args=[ticket.pk, "dm"]), {"message": other.pk}).status_code == 404
    assert client.get(reverse("mentions:ticket-fold", args=[ticket.pk, "dm"]), {"message": "x"}).status_code == 404
    assert client.get(reverse("mentions:ticket-fold", args=[ticket.pk, "nothing"])).status_code == 404
    assert client.get(reverse("mentions:ticket-fold", args=[ticket.pk + 1000, "snooze"])).status_code == 404


def test_without_javascript_the_page_has_every_fold_in_it(client, playing):
    ticket, _ = playing
    html = client.get(ticket.get_absolute_url(), {"panels": "inline"}).content.decode()
    assert "fold-slot" not in html
    for name, control in FOLD_FORMS.items():
        assert control in html, name


def test_a_refused_form_comes_back_open_in_the_page(client, playing):
    ticket, _ = playing
    url = reverse("mentions:ticket-snooze", args=[ticket.pk])
    response = client.post(url, {"seen": seen(ticket), "preset": "custom", "custom": ""})
    page = client.get(response["Location"]).content.decode()
    assert 'name="preset"' in page and "fold-slot" in page  # its form in the page, the other folds still closed
    assert '<details class="more-actions snooze-menu" data-keys-snooze data-testid="snooze-menu" open>' in page


def test_a_fold_is_for_those_who_may_open_the_ticket(client, playing):
    ticket, _ = playing
    client.logout()
    assert client.get(reverse("mentions:ticket-fold", args=[ticket.pk, "snooze"])).status_code == 302  # sign in


def test_the_templates_lose_their_indentation_and_the_text_they_show_keeps_its_own(client, playing):
    assert indentation_stripped("<ul>\n    <li>a</li>\n\n\t<li>b</li>\n</ul>") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"
    ticket, _ = playing
    MessageFactory(ticket=ticket, kind=Message.Kind.INBOUND, body="steps:\n    1. run it\n\n    2. see it fail")
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "steps:\n    1. run it\n\n    2. see it fail" in html  # a message is shown as written (pre-wrap)
    assert "\n  <" not in html  # the page's own markup: no indentation
