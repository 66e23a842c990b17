"""Play serves a story's tickets together on a view that asks for it: the advocate Play serves one ticket of a
story holds its other waiting tickets of that view, and the next presses serve those first; two advocates
playing at once on real threads and connections never get the same ticket.

The tickets come through the real ingest and detector from the platforms' own shapes (stories/tests/wave.py
says where each is recorded)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from mentions.models import Ticket, TicketEvent, View
from mentions.services import ticket_change_status, ticket_claim_next
from mentions.tests.factories import AdvocateFactory, ViewFactory
from stories.models import Membership
from stories.tests.wave import hn_channel, hn_ingest, release_wave


def _loose_tickets(n: int, start) -> list[Ticket]:
    """Tickets in no story (each its own topic), on Hacker News."""
    channel = hn_channel()
    words = ["kubernetes agent", "wiki markdown", "billing seats", "ssh keys", "pages domain", "lfs quota"]
    hn_ingest(channel, [(f"loner{i}", f"A question about {words[i % len(words)]} {i}", start + timedelta(seconds=i))
                        for i in range(n)])  # fmt: skip
    return list(Ticket.objects.filter(channel=channel).order_by("pk"))


@pytest.mark.django_db
def test_the_story_of_a_served_ticket_is_held_for_its_advocate_and_served_next():
    start = timezone.now() - timedelta(hours=5)
    wave = release_wave(x=3, reddit=2, hn=1, start=start)
    view = ViewFactory(name="Everything", slug="everything", serve_stories_together=True)
    ada, bo = AdvocateFactory(username="ada"), AdvocateFactory(username="bo")
    loose = _loose_tickets(2, start + timedelta(hours=2))  # posted after the story's
    story_ids = [t.pk for t in wave.all]

    first = ticket_claim_next(view=view, user=ada)
    assert first is not None and first.pk in story_ids
    held = Ticket.objects.filter(pk__in=story_ids).exclude(pk=first.pk)
    assert set(held.values_list("assignee__username", flat=True)) == {"ada"}
    assert set(held.values_list("served_to", flat=True)) == {None}  # held, not served
    event = TicketEvent.objects.filter(ticket=held.first(), kind=TicketEvent.Kind.ASSIGNED).get()
    assert event.actor == ada and event.data == {"to": "ada", "via": "play", "view": "everything", "with": first.pk}

    # bo is served the other topics, never a ticket of ada's story.
    other = ticket_claim_next(view=view, user=bo)
    assert other is not None and other.pk == loose[0].pk

    served = [first.pk]
    for _ in range(5):
        ticket_change_status(ticket=Ticket.objects.get(pk=served[-1]), user=ada, status=Ticket.Status.SOLVED)
        nxt = ticket_claim_next(view=view, user=ada)
        assert nxt is not None and nxt.served_view_id == view.pk and nxt.status == Ticket.Status.OPEN
        served.append(nxt.pk)
    assert sorted(served) == sorted(story_ids)  # the whole story, one advocate, before anything else
    ticket_change_status(ticket=Ticket.objects.get(pk=served[-1]), user=ada, status=Ticket.Status.SOLVED)
    last = ticket_claim_next(view=view, user=ada)
    assert last is not None and last.pk == loose[1].pk


@pytest.mark.django_db
def test_a_view_without_the_option_serves_a_story_ticket_by_ticket():
    wave = release_wave(x=2, reddit=1, hn=0)
    view = ViewFactory(name="Everything", slug="everything")
    ada = AdvocateFactory(username="ada")
    first = ticket_claim_next(view=view, user=ada)
    assert first is not None
    assert Ticket.objects.filter(pk__in=[t.pk for t in wave.all], assignee__isnull=False).count() == 1


@pytest.mark.django_db
def test_only_the_storys_tickets_of_the_view_are_held():
    """A view of one channel holds the story's tickets on that channel only: the others wait in their views."""
    wave = release_wave(x=3, reddit=2, hn=0)
    x_only = ViewFactory(name="X", slug="x", serve_stories_together=True)
    x_only.channels.set([wave.x])
    ada = AdvocateFactory(username="ada")
    first = ticket_claim_next(view=View.objects.get(pk=x_only.pk), user=ada)
    assert first is not None and first.channel_id == wave.x.pk
    mine = set(Ticket.objects.filter(assignee=ada).values_list("channel_id", flat=True))
    assert mine == {wave.x.pk}
    assert Ticket.objects.filter(channel=wave.reddit, assignee__isnull=True).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_advocates_playing_at_once_never_get_the_same_ticket():
    """Real threads, each with its own PostgreSQL connection, pressing Play and submitting as fast as they can over
    two stories and loose tickets: every ticket is served exactly once, and a story's held tickets only ever go
    to the advocate holding them."""
    start = timezone.now() - timedelta(hours=6)
    release_wave(x=6, reddit=5, hn=3, start=start)
    _loose_tickets(6, start + timedelta(minutes=30))
    view = ViewFactory(name="Everything", slug="everything", serve_stories_together=True)
    advocates = [AdvocateFactory(username="ada"), AdvocateFactory(username="bo")]
    waiting = set(Ticket.objects.filter(status__in=Ticket.WAITING_STATUSES).values_list("pk", flat=True))
    served: dict[str, list[int]] = {a.username: [] for a in advocates}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(advocates))

    def play(user: Any) -> None:
        try:
            barrier.wait()
            while (ticket := ticket_claim_next(view=View.objects.get(pk=view.pk), user=user)) is not None:
                served[user.username].append(ticket.pk)
                ticket_change_status(ticket=ticket, user=user, status=Ticket.Status.SOLVED)
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=play, args=(a,)) for a in advocates]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    everyone = served["ada"] + served["bo"]
    assert len(everyone) == len(set(everyone))  # no ticket served twice, nor to both
    assert set(everyone) == waiting
    assert served["ada"] and served["bo"]
    # Each ticket was served to the advocate it is assigned to.
    for name, ids in served.items():
        assert set(Ticket.objects.filter(pk__in=ids).values_list("assignee__username", flat=True)) == {name}
    # Every held ticket went to the advocate who held it.
    for event in TicketEvent.objects.filter(kind=TicketEvent.Kind.ASSIGNED, data__has_key="with"):
        assert Ticket.objects.filter(pk=event.ticket_id, assignee__username=event.data["to"]).exists()
    assert Membership.objects.count() == 14
