"""Two people, one ticket: a form written against an older version of the ticket is refused
without side effects, keeping the draft; a reply is never posted twice."""

import threading

import pytest
import responses
from django.db import connection
from django.test import Client
from django.urls import reverse

from channels.adapters.twitter import TWEETS_URL
from intake.pipeline import mentions_ingest
from mentions.models import Message, TicketEvent
from mentions.services import ticket_mark_replied
from mentions.tests.factories import AdvocateFactory, ManagerFactory, seen
from mentions.tests.pages import refused_page, result_slot
from mentions.tests.test_send_reply import _ticket_from, _tweet


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_stale_reply_is_refused_without_side_effects_says_what_changed_and_keeps_the_draft():
    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab is the registry down?", mentions=["GitLab"]))
    ada, bo = ManagerFactory(username="ada"), ManagerFactory(username="bo")
    opened = seen(ticket)  # ada opens the ticket and starts typing
    ticket_mark_replied(ticket=ticket, user=bo, body="Looking into it", link="https://x.com/GitLab/status/9")
    events_before = TicketEvent.objects.filter(ticket=ticket).count()
    messages_before = Message.objects.filter(ticket=ticket).count()

    client = _client(ada)
    response = client.post(
        reverse("mentions:ticket-reply", args=[ticket.pk]),
        {"seen": opened, "body": "My own careful answer", "link": "", "status": "solved"},
    )

    page = refused_page(client, response, ticket, "reply")
    said = result_slot(page, "reply")
    assert "This ticket changed since you opened it" in said and "bo: marked replied" in said
    assert "My own careful answer</textarea>" in page  # the draft is kept in the form
    assert TicketEvent.objects.filter(ticket=ticket).count() == events_before
    assert Message.objects.filter(ticket=ticket).count() == messages_before
    # With htmx the refusal says it was stale (409), not invalid (400), and still changes nothing.
    response = client.post(
        reverse("mentions:ticket-reply", args=[ticket.pk]),
        {"seen": opened, "body": "My own careful answer", "link": "", "status": "solved"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409 and "This ticket changed since you opened it" in response.content.decode()
    assert TicketEvent.objects.filter(ticket=ticket).count() == events_before
    # The refusal page carries the new version: a deliberate resubmit goes through.
    response = _client(ada).post(
        reverse("mentions:ticket-reply", args=[ticket.pk]),
        {"seen": seen(ticket), "body": "My own careful answer", "link": "", "status": "solved"},
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_new_message_makes_an_open_form_stale_but_a_note_does_not():
    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab hello", mentions=["GitLab"]))
    ada = AdvocateFactory(username="ada")
    opened = seen(ticket)
    _client(AdvocateFactory()).post(
        reverse("mentions:ticket-note", args=[ticket.pk]), {"seen": opened, "body": "internal"}
    )
    follow_up = _tweet("1860000000000000002", "@GitLab also, pnpm?", replied_to="1860000000000000001")
    from channels.adapters.twitter import TwitterAdapter

    mentions_ingest(
        channel=ticket.channel,
        mentions=TwitterAdapter().parse_payload(
            {"data": [follow_up], "includes": {"users": [{"id": "u1", "username": "dana_dev", "name": "Dana"}]}}
        ),
    )
    url = reverse("mentions:ticket-status", args=[ticket.pk])
    client = _client(ada)
    said = result_slot(
        refused_page(client, client.post(url, {"seen": opened, "status": "solved"}), ticket, "status"), "status"
    )
    assert "This ticket changed since you opened it" in said and "the desk: a new message" in said
    ticket.refresh_from_db()
    assert ticket.status != "solved"


@pytest.mark.django_db
def test_a_form_without_a_version_is_refused():
    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab hello", mentions=["GitLab"]))
    client = _client(AdvocateFactory())
    url = reverse("mentions:ticket-status", args=[ticket.pk])
    said = result_slot(refused_page(client, client.post(url, {"status": "solved"}), ticket, "status"), "status")
    assert "This ticket changed since you opened it: this form did not say which version you saw." in said
    assert client.post(url, {"status": "solved"}, HTTP_HX_REQUEST="true").status_code == 409
    ticket.refresh_from_db()
    assert ticket.status != "solved"


def _send_concurrently(ticket, users, tokens, opened):
    url = reverse("mentions:ticket-send", args=[ticket.pk])
    barrier = threading.Barrier(len(users))
    codes: list[int] = []
    refusals: list[str] = []
    errors: list[BaseException] = []

    def send(user, token):
        try:
            client = _client(user)
            barrier.wait()
            response = client.post(url, {"seen": opened, "body": "We're on it", "token": token, "status": "pending"})
            codes.append(response.status_code)
            if response.status_code == 303:  # refused: what the page it leads to says beside the composer
                refusals.append(result_slot(refused_page(client, response, ticket, "send"), "send"))
        except BaseException as exc:  # reported below, never swallowed
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(u, t)) for u, t in zip(users, tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return sorted(codes), refusals


@pytest.mark.django_db(transaction=True)
@responses.activate
def test_twenty_people_sending_a_reply_to_one_ticket_at_once_post_it_once():
    """20 threads, each its own PostgreSQL connection and its own form (token), all written
    against the same version: one reply reaches X, 19 are refused as stale."""
    responses.post(TWEETS_URL, status=201, json={"data": {"id": "1860000000000000009", "text": "ok"}})
    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab is it down?", mentions=["GitLab"]))
    managers = [ManagerFactory(username=f"m{i:02d}") for i in range(20)]

    codes, refusals = _send_concurrently(ticket, managers, [f"form-{i}" for i in range(20)], seen(ticket))

    assert codes == [302] + [303] * 19
    assert len(refusals) == 19
    assert all("This ticket changed since you opened it" in said for said in refusals), refusals  # stale, not invalid
    assert len([c for c in responses.calls if c.request.url == TWEETS_URL]) == 1
    assert Message.objects.filter(ticket=ticket, kind=Message.Kind.OUR_REPLY).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.REPLY_SENT).count() == 1


@pytest.mark.django_db(transaction=True)
@responses.activate
def test_one_advocate_double_clicking_send_five_times_posts_once_and_every_click_succeeds():
    responses.post(TWEETS_URL, status=201, json={"data": {"id": "1860000000000000009", "text": "ok"}})
    ticket = _ticket_from(_tweet("1860000000000000001", "@GitLab is it down?", mentions=["GitLab"]))
    ada = AdvocateFactory(username="ada")

    codes, refusals = _send_concurrently(ticket, [ada] * 5, ["same-form"] * 5, seen(ticket))

    assert codes == [302] * 5 and refusals == []
    assert len([c for c in responses.calls if c.request.url == TWEETS_URL]) == 1
    assert Message.objects.filter(ticket=ticket, kind=Message.Kind.OUR_REPLY).count() == 1
