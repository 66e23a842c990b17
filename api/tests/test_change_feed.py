"""A client following the change feed while tickets change concurrently gets every change once."""

import random
import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client

from api.tokens import token_create
from mentions.change_feed import changes_after
from mentions.models import TicketEvent
from mentions.tests.factories import AdvocateFactory, TicketFactory

WRITERS = 4
PER_WRITER = 2_500


def _follow(client: Client, headers: dict, position: str) -> tuple[list[int], str]:
    answer = client.get("/api/changes/", {"after": position, "limit": "1000"}, headers=headers)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    return [row["id"] for row in body["results"]], body["next"]


@pytest.mark.django_db(transaction=True)
def test_a_client_following_the_feed_gets_ten_thousand_concurrent_changes_once_each():
    tickets = [t.pk for t in (TicketFactory() for _ in range(20))]
    headers = {"Authorization": f"Bearer {token_create(user=AdvocateFactory(), name='feed', scope='read', days=1)[1]}"}
    client = Client()
    _, position = _follow(client, headers, "")  # whatever the factories wrote: the starting point
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        rng = random.Random(writer)
        try:
            written = 0
            while written < PER_WRITER:
                n = min(rng.randint(1, 50), PER_WRITER - written)
                with transaction.atomic():
                    TicketEvent.objects.bulk_create(
                        TicketEvent(ticket_id=rng.choice(tickets), kind="note", data={"w": writer, "n": written + i})
                        for i in range(n)
                    )
                    # Commit later than writers that took their ids after this one: out of id order.
                    time.sleep(rng.random() * 0.02)
                written += n
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    received: list[int] = []
    while any(t.is_alive() for t in threads):
        ids, position = _follow(client, headers, position)
        received.extend(ids)
        if not ids:
            time.sleep(0.01)
    for thread in threads:
        thread.join()
    written = set(TicketEvent.objects.filter(data__has_key="w").values_list("pk", flat=True))
    # The feed may lag while any transaction of the server is open (its horizon is the oldest one:
    # another database's too); it catches up once they end. Follow it until it has, or 60 s.
    deadline = time.monotonic() + 60
    while not written <= set(received) and time.monotonic() < deadline:
        ids, position = _follow(client, headers, position)
        received.extend(ids)
        if not ids:
            time.sleep(0.05)
    assert _follow(client, headers, position)[0] == []  # and then nothing more

    assert errors == []
    assert len(written) == WRITERS * PER_WRITER == 10_000
    assert len(received) == len(set(received)), "an event came twice"
    assert set(received) == written, f"{len(written - set(received))} missed"


@pytest.mark.django_db
def test_a_position_the_feed_never_gave_is_refused_in_words(client):
    headers = {"Authorization": f"Bearer {token_create(user=AdvocateFactory(), name='f', scope='read', days=1)[1]}"}
    answer = client.get("/api/changes/", {"after": "'; DROP TABLE x"}, headers=headers)
    assert answer.status_code == 400 and "position this feed gave" in answer.json()["after"][0]


@pytest.mark.django_db(transaction=True)
def test_an_event_still_being_written_waits_for_its_commit_then_comes_once():
    ticket = TicketFactory()
    position = changes_after(after="", limit=1000).position
    started, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                TicketEvent.objects.create(ticket_id=ticket.pk, kind="note", data={"slow": True})
                started.set()
                release.wait(10)
        finally:
            connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    started.wait(10)
    fast = TicketEvent.objects.create(ticket_id=ticket.pk, kind="note", data={"fast": True})  # a higher id, committed
    held = changes_after(after=position)
    assert held.events == [] and held.position == position  # the fast one waits behind the open transaction
    release.set()
    writer.join()
    deadline = time.monotonic() + 30  # the server's other transactions may hold the horizon a moment
    while not (both := changes_after(after=position)).events and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [e.data for e in both.events] == [{"slow": True}, {"fast": True}] and fast.pk == both.events[1].pk


@pytest.mark.django_db(transaction=True)
def test_a_transaction_open_in_another_database_does_not_hold_the_feed_back():
    """The server's other databases (another desk, a test run, a report) write nothing here: a long
    transaction there does not delay this feed."""
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    other = psycopg2.connect(
        dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"], password=db["PASSWORD"] or None
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()")  # holds a transaction id, left open
        ticket = TicketFactory()
        position = changes_after(after="", limit=1000).position
        event = TicketEvent.objects.create(ticket_id=ticket.pk, kind="note", data={"while": "open elsewhere"})
        assert [e.pk for e in changes_after(after=position).events] == [event.pk]
    finally:
        other.rollback()
        other.close()
