"""The requester card beside a ticket, the person page and its actions, and the people list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from channels.adapters.base import IncomingMention
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions.models import Ticket
from mentions.tests.factories import TicketFactory
from people.models import Identity, LikenessDismissed, Person, PersonEvent
from people.tests.factories import KIND_CONFIG, IdentityFactory, PersonFactory, person_tag, ticket_from

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _panel_url(ticket: Ticket) -> str:
    return reverse("mentions:ticket-panel", args=[ticket.pk, "requester"])


def _queries(client, url: str) -> int:
    client.get(url)  # the session's first requests fill the session, permission and macro caches
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_requester_card_comes_right_after_the_facts_and_shows_who_they_are_and_what_else_they_asked(
    advocate_client,
):
    vera = PersonFactory(name="Vera Kowalska", notes="Runs the Kraków meetup.")
    person_tag(vera, "core contributor")
    hn = IdentityFactory(person=vera, handle="vera_k", url="https://news.ycombinator.com/user?id=vera_k")
    on_reddit = IdentityFactory(person=vera, platform="reddit", handle="vkowalska")
    ticket_from(on_reddit, requested_at=T0 - timedelta(days=400))  # first seen: when they first wrote
    earlier = ticket_from(hn, subject="Runner cache misses", status=Ticket.Status.SOLVED)
    Ticket.objects.filter(pk=earlier.pk).update(first_reply_at=T0, first_reply_seconds=2 * 3600 + 600)
    ticket = ticket_from(hn, subject="Pipeline stuck")

    page = advocate_client.get(ticket.get_absolute_url()).content.decode()
    # In the page's first answer since issue 41: facts, then the requester, then "Involve an expert".
    markers = ('id="ticket-facts"', 'data-testid="requester-card"', 'data-testid="outreach-panel"')
    positions = [page.index(marker) for marker in markers]
    assert positions == sorted(positions)
    assert 'data-testid="people-panel"' not in page  # the placeholder is gone

    card = advocate_client.get(_panel_url(ticket)).content.decode()  # on its own too (no JavaScript, in place)
    assert 'data-testid="requester-card"' in card and 'id="panel-requester"' in card
    assert f'href="{vera.get_absolute_url()}"' in card and "Vera Kowalska" in card
    assert "core contributor" in card and "Runs the Kraków meetup." in card
    assert 'href="https://news.ycombinator.com/user?id=vera_k"' in card and "vkowalska" in card and "Reddit" in card
    assert "First seen 2025-09-28" in card
    assert f"#{earlier.pk} Runner cache misses" in card and "answered after 2 h 10 min" in card
    assert "Solved" in card and "Pipeline stuck" not in card  # this ticket is not among their others


def test_a_ticket_tied_to_nobody_shows_its_own_requester(advocate_client):
    ticket = TicketFactory(requester_name="Old Timer", requester_handle="oldtimer")
    card = advocate_client.get(_panel_url(ticket)).content.decode()
    assert 'data-testid="requester-untied"' in card and "Old Timer" in card and "oldtimer" in card
    assert "Not tied to a person yet." in card


def test_the_requester_card_costs_the_same_queries_with_1_or_20_other_tickets(advocate_client, handbook_macros):
    vera = PersonFactory()
    hn = IdentityFactory(person=vera)
    reddit = IdentityFactory(person=vera, platform="reddit")
    ticket = ticket_from(hn)
    ticket_from(reddit)
    page, panel = _queries(advocate_client, ticket.get_absolute_url()), _queries(advocate_client, _panel_url(ticket))
    for i in range(20):
        other = ticket_from(hn if i % 2 else reddit)
        Ticket.objects.filter(pk=other.pk).update(first_reply_at=T0, first_reply_seconds=60 * i)
    assert _queries(advocate_client, _panel_url(ticket)) == panel
    assert _queries(advocate_client, ticket.get_absolute_url()) == page
    assert advocate_client.get(_panel_url(ticket)).content.decode().count('data-testid="requester-ticket"') == 10


def test_a_name_with_markup_is_shown_escaped_on_the_card_and_the_person_page(advocate_client):
    evil = PersonFactory(name='<script>alert("x")</script>', notes="<img src=x onerror=alert(1)>")
    identity = IdentityFactory(person=evil, handle="<b>h</b>", url="javascript:alert(1)")
    ticket = ticket_from(identity)
    for html in (
        advocate_client.get(_panel_url(ticket)).content.decode(),
        advocate_client.get(evil.get_absolute_url()).content.decode(),
    ):
        assert "<script>alert" not in html and "&lt;script&gt;alert" in html
        assert "<img src=x" not in html and "<b>h</b>" not in html
        assert "javascript:alert" not in html


def test_the_person_page_shows_the_whole_history_across_platforms_in_the_same_queries_with_1_or_30_tickets(
    advocate_client,
):
    vera = PersonFactory(name="Vera Kowalska")
    hn, reddit = IdentityFactory(person=vera), IdentityFactory(person=vera, platform="reddit")
    IdentityFactory(person=PersonFactory(name="vera kowalska"))  # a likeness, so it is looked up
    ticket_from(hn, subject="First question")
    url = vera.get_absolute_url()
    few = _queries(advocate_client, url)
    for i in range(30):
        ticket_from(reddit if i % 2 else hn, subject=f"Question {i}")
    assert _queries(advocate_client, url) == few
    html = advocate_client.get(url).content.decode()
    assert html.count('data-testid="history-ticket"') == 31
    assert "Hacker News" in html and "Reddit" in html and "First question" in html


def test_the_history_is_paginated_50_a_page_newest_first(advocate_client):
    vera = PersonFactory()
    hn = IdentityFactory(person=vera)
    tickets = [ticket_from(hn, subject=f"Q{i:02d}") for i in range(51)]
    first = advocate_client.get(vera.get_absolute_url()).content.decode()
    assert first.count('data-testid="history-ticket"') == 50 and f"#{tickets[-1].pk} Q50" in first
    second = advocate_client.get(vera.get_absolute_url(), {"page": 2}).content.decode()
    assert second.count('data-testid="history-ticket"') == 1 and f"#{tickets[0].pk} Q00" in second


def _said(author: str, n: int) -> IncomingMention:
    return IncomingMention(
        external_id=f"like{n}",
        created_at=T0 + timedelta(minutes=n),
        text="How do I cache node_modules?",
        author_handle=author,
        author_name="",
        author_url="",
        parent_id="",
        permalink=f"https://example.com/item/{n}",
    )


def test_the_same_handle_on_two_platforms_is_suggested_never_merged_and_an_advocate_confirms_it(advocate_client):
    mentions_ingest(channel=ChannelFactory(), mentions=[_said("vera_k", 1)])
    mentions_ingest(channel=ChannelFactory(kind="reddit", config=KIND_CONFIG["reddit"]), mentions=[_said("vera_k", 2)])
    on_hn = Identity.objects.get(platform="hackernews").person
    on_reddit = Identity.objects.get(platform="reddit").person
    assert on_hn != on_reddit  # not merged by guess

    html = advocate_client.get(on_hn.get_absolute_url()).content.decode()
    assert 'data-testid="likeness"' in html and "same handle vera_k on Reddit" in html
    confirm = reverse("people:likeness-confirm", args=[on_hn.pk, on_reddit.pk])
    assert f'action="{confirm}"' in html

    response = advocate_client.post(confirm)
    assert response.status_code == 302 and response["Location"] == on_hn.get_absolute_url()
    assert not Person.objects.filter(pk=on_reddit.pk).exists()
    assert set(on_hn.identities.values_list("platform", flat=True)) == {"hackernews", "reddit"}
    assert on_hn.events.get(kind=PersonEvent.Kind.MERGED).actor == advocate_client.user


def test_not_the_same_hides_the_suggestion_both_ways(advocate_client):
    a, b = PersonFactory(name="Sam Lee"), PersonFactory(name="sam lee")
    assert "same name Sam Lee" in advocate_client.get(a.get_absolute_url()).content.decode()
    response = advocate_client.post(reverse("people:likeness-dismiss", args=[a.pk, b.pk]))
    assert response.status_code == 302
    assert LikenessDismissed.objects.filter(person=a, other=b).exists()
    for person in (a, b):
        assert 'data-testid="likeness"' not in advocate_client.get(person.get_absolute_url()).content.decode()


def test_an_address_in_their_messages_suggests_the_mailbox_it_belongs_to(advocate_client):
    vera = PersonFactory(name="Vera")
    ticket_from(IdentityFactory(person=vera), body="Thanks!\n--\nVera K. <Vera@Example.org>")
    mailbox = IdentityFactory(person=PersonFactory(name="V. K."), platform="email", handle="vera@example.org")
    html = advocate_client.get(vera.get_absolute_url()).content.decode()
    assert "address vera@example.org in their messages" in html
    assert f'href="{mailbox.person.get_absolute_url()}"' in html


def test_an_advocate_may_not_merge_or_split_at_will(advocate_client):
    a, b = PersonFactory(name="Ann One"), PersonFactory(name="Bob Two")
    IdentityFactory(person=a), IdentityFactory(person=a, platform="reddit")
    html = advocate_client.get(a.get_absolute_url()).content.decode()
    assert 'data-testid="merge-form"' not in html and 'data-testid="split-form"' not in html
    assert advocate_client.post(reverse("people:merge", args=[a.pk]), {"into": b.pk}).status_code == 403
    split = {"identities": list(a.identities.values_list("pk", flat=True)[:1])}
    assert advocate_client.post(reverse("people:split", args=[a.pk]), split).status_code == 403
    # Nor "confirm" a likeness the page does not suggest.
    assert advocate_client.post(reverse("people:likeness-confirm", args=[a.pk, b.pk])).status_code == 403
    assert Person.objects.filter(pk__in=[a.pk, b.pk]).count() == 2


def test_a_manager_merges_by_number_and_splits_from_the_page(manager_client):
    a, b = PersonFactory(name="Ann One"), PersonFactory(name="Bob Two")
    keep, move = IdentityFactory(person=b), IdentityFactory(person=b, platform="reddit")
    found = manager_client.get(a.get_absolute_url(), {"merge_q": "Bob"}).content.decode()
    assert 'data-testid="merge-results"' in found and "Merge into Bob Two" in found

    missing = manager_client.post(reverse("people:merge", args=[a.pk]), {"into": 10**9})
    assert missing.status_code == 400 and "There is no person" in missing.content.decode()
    response = manager_client.post(reverse("people:merge", args=[a.pk]), {"into": b.pk})
    assert response.status_code == 302 and response["Location"] == b.get_absolute_url()
    # The merged person's page sends on to who they are now.
    assert manager_client.get(a.get_absolute_url()).status_code == 404
    again = manager_client.post(reverse("people:merge", args=[a.pk]), {"into": b.pk})
    assert again.status_code == 302 and again["Location"] == b.get_absolute_url()

    all_of_them = manager_client.post(reverse("people:split", args=[b.pk]), {"identities": [keep.pk, move.pk]})
    assert all_of_them.status_code == 400 and "some, not all" in all_of_them.content.decode()
    assert manager_client.post(reverse("people:split", args=[b.pk]), {"identities": [move.pk]}).status_code == 302
    move.refresh_from_db()
    assert move.person_id not in (a.pk, b.pk)


def test_editing_shows_errors_beside_the_control_and_records_the_fields(advocate_client):
    vera = PersonFactory(name="Vera")
    url = reverse("people:edit", args=[vera.pk])
    bad = advocate_client.post(url, {"name": "Vera", "time_zone": "Mars/Olympus", "links": "not a link"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "is not a time zone name" in html and "not a link is not a web address" in html
    good = advocate_client.post(
        url, {"name": "Vera K", "notes": "Likes stickers", "region": "emea", "time_zone": "Europe/Warsaw", "links": ""}
    )
    assert good.status_code == 302
    vera.refresh_from_db()
    assert (vera.name, vera.region, vera.time_zone) == ("Vera K", "emea", "Europe/Warsaw")
    assert vera.events.get(kind=PersonEvent.Kind.EDITED).data == {"fields": ["name", "notes", "region", "time_zone"]}


def test_tags_are_added_and_removed_from_the_page(advocate_client):
    vera = PersonFactory()
    press = person_tag(PersonFactory(), "press")
    assert advocate_client.post(reverse("people:tag-add", args=[vera.pk]), {"tag": press.pk}).status_code == 302
    assert list(vera.tags.all()) == [press]
    remove = reverse("people:tag-remove", args=[vera.pk, press.pk])
    assert f'action="{remove}"' in advocate_client.get(vera.get_absolute_url()).content.decode()
    assert advocate_client.post(remove).status_code == 302
    assert not vera.tags.exists()


def test_the_people_list_searches_filters_by_tag_and_is_linked_from_the_navigation(advocate_client):
    vera, sam = PersonFactory(name="Vera Kowalska"), PersonFactory(name="Sam Lee")
    ticket_from(IdentityFactory(person=vera, handle="vera_k"), requested_at=T0)  # last seen: their latest message
    IdentityFactory(person=sam, handle="samlee")
    press = person_tag(sam, "press")
    html = advocate_client.get(reverse("people:list")).content.decode()
    assert f'href="{reverse("people:list")}"' in html
    assert html.count('data-testid="person-row"') == 2 and "2026-11-02" in html
    found = advocate_client.get(reverse("people:list"), {"q": "@vera"}).content.decode()
    assert "Vera Kowalska" in found and "Sam Lee" not in found
    tagged = advocate_client.get(reverse("people:list"), {"tag": press.pk}).content.decode()
    assert "Sam Lee" in tagged and "Vera Kowalska" not in tagged
    few = _queries(advocate_client, reverse("people:list"))
    for i in range(10):
        person_tag(IdentityFactory(handle=f"more{i}").person, "press")
    assert _queries(advocate_client, reverse("people:list")) == few


def test_the_person_page_lists_threads_they_only_wrote_in_beside_those_they_opened(advocate_client):
    """A comment in someone else's thread is part of their history too (the demo's Ana on Hacker News)."""
    from mentions.tests.factories import MessageFactory
    from people.models import Authorship

    ana, sam = IdentityFactory(handle="ana_dev"), IdentityFactory(handle="sam_ops")
    theirs = ticket_from(sam, subject="Upgrade stops from 16.x")
    comment = MessageFactory(ticket=theirs, author_handle="ana_dev", body="Six stops, yes.")
    Authorship.objects.create(message=comment, identity=ana)
    ticket_from(ana, subject="Her own question")

    html = advocate_client.get(ana.person.get_absolute_url()).content.decode()

    assert html.count('data-testid="history-ticket"') == 2
    assert "Upgrade stops from 16.x" in html and "wrote in it" in html and "Her own question" in html


def test_managers_find_the_contributors_and_gifts_from_the_people_list(advocate_client, manager_client):
    links = 'data-testid="people-manager-links"'
    assert links in manager_client.get(reverse("people:list")).content.decode()
    assert links not in advocate_client.get(reverse("people:list")).content.decode()
