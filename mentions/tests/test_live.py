"""Live pages: refreshes answered 304 for one query while nothing changed, and the change shown
when something did (tickets, messages, tags, views written by any path)."""

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from access.tests.clients import SignedInClient
from mentions.live import change_stamp
from mentions.models import Message, Ticket, TicketEvent
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory, ViewFactory

# What static/live.js sends with a refresh: htmx, and "background" (not activity: the session's last-seen time
# is not written, which on a slow machine, a minute after signing in, cost each session a write).
HX = {"HX-Request": "true", "X-Desk-Background": "1"}


def _refresh(client: Client, url: str, etag: str = ""):
    return client.get(url, headers={**HX, "If-None-Match": etag} if etag else HX)


def _clock_stopped(monkeypatch) -> None:
    """Within one minute: the queue shows relative times, so its ETag also changes each minute,
    and a test must not straddle a minute boundary by chance."""
    from mentions import live

    now = live._now()
    monkeypatch.setattr(live, "_now", lambda: now)


def _advocate_client() -> SignedInClient:
    client = SignedInClient()
    client.user = AdvocateFactory()
    client.force_login(client.user)
    return client


@pytest.mark.django_db(transaction=True)
def test_an_unchanged_queue_costs_one_query_and_a_new_mention_shows_on_the_next_refresh(monkeypatch):
    _clock_stopped(monkeypatch)
    ViewFactory(name="Everything", slug="everything")
    TicketFactory(subject="Runner stuck on arm64")
    client = _advocate_client()

    page = client.get("/")
    etag = page.context["live_etag"]
    assert f'data-etag="{escape(etag)}"' in page.content.decode()

    with CaptureQueriesContext(connection) as unchanged:
        response = _refresh(client, "/", etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert len(unchanged) == 1  # the change stamp; no session, user, permission or page query

    TicketFactory(subject="Registry returns 500 on push")  # committed: the triggers move the stamp
    response = _refresh(client, "/", etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response["X-Desk-Waiting"] == "2"
    body = response.content.decode()
    assert 'id="queue-live"' in body and "<html" not in body  # the partial, not the whole page
    assert 'data-testid="waiting-everything">2<' in body
    assert _refresh(client, "/", response["ETag"]).status_code == 304


@pytest.mark.django_db(transaction=True)
def test_fifty_open_queue_pages_cost_three_hundred_single_row_queries_a_minute(monkeypatch):
    """Each open queue page refreshes every 10 s: 6 refreshes a minute, one query each while
    nothing changed."""
    _clock_stopped(monkeypatch)
    ViewFactory()
    TicketFactory()
    clients = [_advocate_client() for _ in range(50)]
    etags = [c.get("/").context["live_etag"] for c in clients]

    with CaptureQueriesContext(connection) as minute:
        codes = [_refresh(c, "/", e).status_code for _ in range(6) for c, e in zip(clients, etags, strict=True)]
    assert codes == [304] * 300
    assert len(minute) == 300, sorted({q["sql"][:200] for q in minute})
    assert {q["sql"] for q in minute} == {"SELECT last_value FROM mentions_change_seq"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "change",
    [
        "ticket status",
        "assignee",
        "tag",
        "message",
        "view",
        "bulk update",
    ],
)
def test_every_kind_of_write_moves_the_change_stamp(change):
    ticket = TicketFactory()
    view = ViewFactory()
    before = change_stamp()
    if change == "ticket status":
        Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.OPEN)
    elif change == "assignee":
        ticket.assignee = AdvocateFactory()
        ticket.save(update_fields=["assignee"])
    elif change == "tag":
        from mentions.models import Tag

        ticket.tags.add(Tag.objects.create(name="security"))
    elif change == "message":
        MessageFactory(ticket=ticket)
    elif change == "view":
        view.name = "Renamed"
        view.save()
    else:
        Ticket.objects.all().update(priority=Ticket.Priority.HIGH)
    assert change_stamp() > before


@pytest.mark.django_db(transaction=True)
def test_the_stamp_moves_at_commit_not_before():
    """A refresh during a write transaction must not take the new stamp with the old rows."""
    from django.db import transaction

    ticket = TicketFactory()
    before = change_stamp()
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.OPEN)
        assert change_stamp() == before  # deferred trigger: nothing yet
    assert change_stamp() > before


@pytest.mark.django_db
def test_a_full_page_load_is_never_answered_304_and_a_signed_out_refresh_goes_to_login(advocate_client):
    ViewFactory()
    etag = advocate_client.get("/").context["live_etag"]
    assert advocate_client.get("/", HTTP_IF_NONE_MATCH=etag).status_code == 200  # not an htmx refresh

    anonymous = Client()
    response = anonymous.get("/", headers={**HX, "If-None-Match": etag})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_another_user_never_gets_my_304(advocate_client):
    ViewFactory()
    etag = advocate_client.get("/").context["live_etag"]
    other = _advocate_client()
    assert _refresh(other, "/", etag).status_code == 200


@pytest.mark.django_db
def test_the_tab_title_carries_the_waiting_count(advocate_client):
    ViewFactory()
    TicketFactory.create_batch(3)
    TicketFactory(assignee=advocate_client.user)  # assigned: not waiting for anyone
    TicketFactory(status=Ticket.Status.SOLVED)
    for url in ("/", "/tickets/"):
        assert "<title>(3) " in advocate_client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_open_ticket_is_shown_a_new_message_and_its_forms_move_past_it():
    ticket = TicketFactory(subject="Pipeline cache")
    MessageFactory(ticket=ticket, body="How do I cache node_modules?")
    client = _advocate_client()
    page = client.get(ticket.get_absolute_url())
    live_url = page.context["live_url"]
    seen = page.context["ticket_version"]
    assert _refresh(client, live_url, page.context["ticket_live_etag"]).status_code == 304

    follow_up = MessageFactory(
        ticket=ticket, body="Also the <b>registry</b> times out", author_handle="laurent", author_name=""
    )
    TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.MESSAGE, data={"author": "laurent"})

    response = _refresh(client, live_url, page.context["ticket_live_etag"])
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="message-{follow_up.pk}"' in body
    assert "&lt;b&gt;registry&lt;/b&gt;" in body and "<b>registry" not in body
    assert "A new message</strong> from laurent" in body
    new_version = TicketEvent.objects.filter(ticket=ticket).latest("pk").pk
    assert new_version > seen
    assert f'"ticketSeen": {{"version": {new_version}}}' in response["HX-Trigger"]
    # The next refresh asks after the new message: nothing is appended twice.
    assert f"after={follow_up.pk}&amp;seen={new_version}" in body
    again = _refresh(client, f"{ticket.get_absolute_url()}live/?after={follow_up.pk}&seen={new_version}")
    assert f'id="message-{follow_up.pk}"' not in again.content.decode()


@pytest.mark.django_db
def test_a_change_other_than_a_message_is_said_and_the_forms_keep_their_version(advocate_client):
    from mentions.tests.factories import ManagerFactory

    ticket = TicketFactory()
    MessageFactory(ticket=ticket)
    page = advocate_client.get(ticket.get_absolute_url())
    seen = page.context["ticket_version"]
    manager = ManagerFactory(username="bo")
    TicketEvent.objects.create(
        ticket=ticket, kind=TicketEvent.Kind.STATUS, actor=manager, data={"from": "new", "to": "solved"}
    )
    response = _refresh(advocate_client, page.context["live_url"])
    body = response.content.decode()
    assert "This ticket also changed:" in body and "bo: status new → solved" in body
    assert "HX-Trigger" not in response  # the version stays: a submit now is refused and shown the change
    assert f"seen={seen}" in body


@pytest.mark.django_db
def test_ticket_live_refuses_junk_and_missing_tickets(advocate_client):
    ticket = TicketFactory()
    url = f"{ticket.get_absolute_url()}live/"
    assert _refresh(advocate_client, url).status_code == 400
    assert _refresh(advocate_client, f"{url}?after=x&seen=1").status_code == 400
    assert _refresh(advocate_client, f"{url}?after=1%00&seen=1").status_code == 400
    assert _refresh(advocate_client, "/tickets/999999/live/?after=0&seen=0").status_code == 404
    assert Message.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_ticket_list_refreshes_its_results_and_keeps_its_search():
    MessageFactory(ticket=TicketFactory(subject="Registry 500"), body="the registry answers 500")
    client = _advocate_client()
    url = "/tickets/?q=registry&status=new"
    etag = client.get(url).context["live_etag"]
    assert _refresh(client, url, etag).status_code == 304

    MessageFactory(ticket=TicketFactory(subject="Other"), body="registry again, on arm64")
    response = _refresh(client, url, etag)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="ticket-results"' in body
    assert body.count("data-ticket=") == 2 and "<mark>registry</mark>" in body


@pytest.mark.django_db
def test_an_open_ticket_refresh_carries_presence_for_one_query_even_when_answered_304():
    """The ticket page's one refresh says who else is there: the cache, not the database."""
    import json

    ticket = TicketFactory()
    ada, bo = _advocate_client(), _advocate_client()
    pages = {name: c.get(ticket.get_absolute_url()).context for name, c in (("ada", ada), ("bo", bo))}
    refresh = {name: (ctx["live_url"], ctx["ticket_live_etag"]) for name, ctx in pages.items()}

    assert _refresh(ada, *refresh["ada"]).status_code == 304
    with CaptureQueriesContext(connection) as queries:
        response = bo.get(refresh["bo"][0], headers={**HX, "If-None-Match": refresh["bo"][1], "X-Desk-Typing": "1"})
    assert response.status_code == 304 and len(queries) == 1
    assert json.loads(response["X-Desk-Others"]) == [{"name": ada.user.get_username(), "typing": False}]
    answer = _refresh(ada, *refresh["ada"])
    assert json.loads(answer["X-Desk-Others"]) == [{"name": bo.user.get_username(), "typing": True}]


@pytest.mark.django_db(transaction=True)
def test_the_ticket_lists_rows_are_found_once_per_change_and_shared(settings):
    """Sixteen advocates with the same list open cost one search and one render per change; a
    committed change shows at once; a manager's rows (with tick boxes) are not an advocate's."""
    from mentions.tests.factories import ManagerFactory

    settings.DESK_FRAGMENT_CACHE = True
    MessageFactory(ticket=TicketFactory(subject="Registry 500"), body="the registry answers 500")
    ada, bo = _advocate_client(), _advocate_client()
    url = "/tickets/?q=registry"
    first = ada.get(url)
    assert first.content.decode().count("data-ticket=") == 1
    with CaptureQueriesContext(connection) as shared:
        second = bo.get(url)
    assert second.content.decode().count("data-ticket=") == 1
    assert not [q for q in shared if "mentions_message" in q["sql"]]  # no search ran for bo

    MessageFactory(ticket=TicketFactory(subject="Other"), body="registry again")  # committed: stamp moves
    assert bo.get(url).content.decode().count("data-ticket=") == 2

    manager = Client()
    manager.force_login(ManagerFactory())
    assert 'form="bulk"' in manager.get(url).content.decode()
    assert 'form="bulk"' not in bo.get(url).content.decode()


def _play_tokens(html: str) -> list[str]:
    import re

    forms = re.findall(r'<form method="post" action="/views/[^"]+/play/"[^>]*>(.*?)</form>', html, re.S)
    tokens = []
    for f in forms:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', f)
        assert token is not None, f"a Play form without its CSRF token: {f}"
        tokens.append(token.group(1))
    return tokens


@pytest.mark.django_db(transaction=True)
def test_the_queues_tables_are_rendered_once_per_change_and_each_answer_carries_its_own_csrf_token(settings):
    """The views' figures are shared by everyone and My tickets kept per user, both until the
    stamp moves; the Play forms in the shared table still carry the asking session's own token,
    which Django's CSRF check accepts, and a subject that imitates the token slot stays text."""
    settings.DESK_FRAGMENT_CACHE = True
    ViewFactory(name="Everything", slug="everything")
    ada, bo = SignedInClient(enforce_csrf_checks=True), SignedInClient(enforce_csrf_checks=True)
    ada.user, bo.user = AdvocateFactory(), AdvocateFactory()
    for c in (ada, bo):
        c.force_login(c.user)
    TicketFactory(subject='name="csrfmiddlewaretoken" value="desk-csrf-slot"')
    TicketFactory(subject="Ada's own ticket", assignee=ada.user, status=Ticket.Status.OPEN)

    ada_page = ada.get("/").content.decode()
    with CaptureQueriesContext(connection) as shared:
        bo_page = bo.get("/").content.decode()
    assert not [q for q in shared if "FILTER" in q["sql"] or "mentions_view" in q["sql"]]  # no views' figures
    assert "Ada&#x27;s own ticket" in ada_page and "Ada&#x27;s own ticket" not in bo_page  # per user
    assert 'data-testid="waiting-everything">1<' in bo_page
    assert "desk-csrf-slot" not in ada_page.replace("value=&quot;desk-csrf-slot&quot;", "")
    ada_token, bo_token = _play_tokens(ada_page)[0], _play_tokens(bo_page)[0]
    assert ada_token != bo_token

    answer = bo.post("/views/everything/play/", {"csrfmiddlewaretoken": bo_token})
    assert answer.status_code == 302  # served: the CSRF check passed with the token put in for bo
    assert Ticket.objects.filter(assignee=bo.user).count() == 1
    # bo's claim committed and moved the stamp: nobody is shown the old count
    assert 'data-testid="waiting-everything">0<' in ada.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_transaction_moves_the_stamp_once_however_many_rows_it_writes_and_a_no_op_not_at_all():
    """Statement triggers mark the transaction, one deferred trigger bumps at commit."""
    from django.db import connection, transaction

    tickets = [TicketFactory() for _ in range(3)]
    before = change_stamp()
    Ticket.objects.filter(pk=-1).update(status=Ticket.Status.OPEN)  # matches nothing
    assert change_stamp() == before
    with transaction.atomic():
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(status=Ticket.Status.OPEN)
        for ticket in tickets:
            MessageFactory(ticket=ticket)
    assert change_stamp() == before + 1
    with transaction.atomic():
        Ticket.objects.filter(pk=tickets[0].pk).update(status=Ticket.Status.SOLVED)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the bump fires now...
        assert change_stamp() == before + 2
        Ticket.objects.filter(pk=tickets[1].pk).update(status=Ticket.Status.SOLVED)  # ...so this marks again
    assert change_stamp() == before + 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM mentions_change_mark")
        assert cursor.fetchone()[0] == 0  # each mark is removed when it fires


@pytest.mark.django_db(transaction=True)
@override_settings(DESK_2FA_REQUIRED_FOR_ALL=True)
def test_an_unchanged_refresh_stays_one_query_where_two_factor_is_required(monkeypatch):
    """The two-factor check (access.two_factor) comes after the live answer: still one query."""
    _clock_stopped(monkeypatch)
    ViewFactory(name="Everything", slug="everything")
    client = _advocate_client()
    with override_settings(DESK_2FA_REQUIRED_FOR_ALL=False):
        etag = client.get("/").context["live_etag"]
    with CaptureQueriesContext(connection) as unchanged:
        response = _refresh(client, "/", etag)
    assert response.status_code == 304 and len(unchanged) == 1
    assert client.get("/")["Location"] == "/accounts/2fa/totp/activate/"  # a whole page is checked
