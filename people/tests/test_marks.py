"""The queue and the ticket list mark tickets whose opener carries a marked tag ("core contributor",
"spam"), each mark linking to the person's page (people.marks through mentions.queue.row_marks), in one query
for the whole page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels.tests.factories import ChannelFactory
from mentions.models import Ticket
from mentions.queue.row_marks import RowMark, row_marks
from people.marks import requester_marks
from people.models import PersonTag
from people.tests.factories import IdentityFactory, PersonFactory, person_tag, ticket_from

pytestmark = pytest.mark.django_db

MARK = re.compile(r'<a class="tag mark ([\w-]+)" href="([^"]+)"[^>]*data-testid="row-mark">([^<]*)</a>')


def _marks_in(html: str) -> list[tuple[str, str, str]]:
    return MARK.findall(html)


def _row(html: str, ticket: Ticket) -> str:
    start = html.index(f'<tr data-ticket="{ticket.pk}">')
    return html[start : html.index("</tr>", start)]


def test_the_list_marks_tickets_of_tagged_people_with_links_to_them(advocate_client):
    vera = IdentityFactory(handle="vera_k")
    person_tag(vera.person, PersonTag.CORE_CONTRIBUTOR)
    spammer = IdentityFactory(handle="cheap_watches")
    person_tag(spammer.person, PersonTag.SPAM)
    press = IdentityFactory(handle="reporter")
    tag, _ = PersonTag.objects.get_or_create(name="press")
    PersonTag.objects.filter(pk=tag.pk).update(marked=False)  # known, but not worth a mark
    press.person.tags.add(tag)
    plain = IdentityFactory(handle="someone")
    tickets = {i.handle: ticket_from(i) for i in (vera, spammer, press, plain)}

    html = advocate_client.get("/tickets/").content.decode()

    assert _marks_in(_row(html, tickets["vera_k"])) == [
        ("mark-core-contributor", f"/people/{vera.person.pk}/", "core contributor")
    ]
    assert _marks_in(_row(html, tickets["cheap_watches"])) == [("mark-spam", f"/people/{spammer.person.pk}/", "spam")]
    assert _marks_in(_row(html, tickets["reporter"])) == []
    assert _marks_in(_row(html, tickets["someone"])) == []


def test_the_queue_marks_my_tickets_and_the_live_refresh_of_the_list_keeps_the_marks(advocate_client):
    vera = IdentityFactory(handle="vera_k")
    person_tag(vera.person, PersonTag.CORE_CONTRIBUTOR)
    ticket = ticket_from(vera, assignee=advocate_client.user, status=Ticket.Status.OPEN)
    mark = ("mark-core-contributor", f"/people/{vera.person.pk}/", "core contributor")

    queue = advocate_client.get("/").content.decode()
    assert _marks_in(_row(queue, ticket)) == [mark]
    refreshed = advocate_client.get("/tickets/", headers={"HX-Request": "true"})
    assert refreshed.status_code == 200 and 'id="ticket-results"' in refreshed.content.decode()
    assert _marks_in(_row(refreshed.content.decode(), ticket)) == [mark]


def test_every_marked_tag_of_the_person_in_name_order_and_not_for_the_erased():
    vera = IdentityFactory()
    person_tag(vera.person, PersonTag.SPAM)
    person_tag(vera.person, PersonTag.CORE_CONTRIBUTOR)
    gone = IdentityFactory(person=PersonFactory(name="", erased_at="2026-11-01T00:00:00Z"))
    person_tag(gone.person, PersonTag.SPAM)
    ticket, erased_ticket = ticket_from(vera), ticket_from(gone)

    marks = row_marks([ticket.pk, erased_ticket.pk])

    url = f"/people/{vera.person.pk}/"
    assert marks == {
        ticket.pk: [RowMark("core contributor", "mark-core-contributor", url), RowMark("spam", "mark-spam", url)]
    }


def test_one_query_for_a_page_and_none_for_an_empty_one(django_assert_num_queries):
    channel = ChannelFactory()
    tickets = []
    for n in range(30):
        identity = IdentityFactory()
        person_tag(identity.person, PersonTag.SPAM if n % 2 else PersonTag.CORE_CONTRIBUTOR)
        tickets.append(ticket_from(identity, channel=channel))
    with django_assert_num_queries(1):
        marks = requester_marks(ticket_ids=[t.pk for t in tickets])
    assert len(marks) == 30
    with django_assert_num_queries(0):
        assert row_marks([]) == {}


def _list_queries(client, url: str) -> int:
    client.get(url)  # per-process first use (the permission cache) aside
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/tickets/", "/tickets/?q=pipelines", "/"])
def test_the_pages_cost_the_same_with_2_and_30_marked_tickets(advocate_client, settings, url):
    """The list, a search and the queue (My tickets): the marks are one query per page, not one per row.
    Rendered every time (no shared fragment), so the rows' marks are read in each count."""
    settings.DESK_FRAGMENT_CACHE = False
    channel = ChannelFactory()

    def marked(n: int) -> None:
        for i in range(n):
            identity = IdentityFactory()
            person_tag(identity.person, PersonTag.SPAM if i % 2 else PersonTag.CORE_CONTRIBUTOR)
            ticket_from(
                identity, channel=channel, body="Caching pipelines", assignee=advocate_client.user, status="open"
            )

    marked(2)
    few = _list_queries(advocate_client, url)
    marked(28)
    html = advocate_client.get(url).content.decode()
    assert len(_marks_in(html)) >= 30
    assert _list_queries(advocate_client, url) == few
