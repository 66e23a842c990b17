import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from experts.tests.factories import ExpertFactory
from mentions.models import Macro, Message, Ticket, TicketEvent
from mentions.tests.factories import (
    AdvocateFactory,
    ManagerFactory,
    MessageFactory,
    TicketFactory,
    UserFactory,
    ViewFactory,
    seen,
)
from mentions.tests.pages import refused_page, result_slot

pytestmark = pytest.mark.django_db

XSS_BODY = '<script>alert("body")</script> <img src=x onerror=alert(1)> <a href="javascript:alert(2)">click</a>'
XSS_NAME = "<script>alert('name')</script>"


def _xss_ticket():
    ticket = TicketFactory(subject=XSS_BODY, requester_handle=XSS_NAME, requester_name=XSS_NAME)
    MessageFactory(
        ticket=ticket,
        body=XSS_BODY,
        author_name=XSS_NAME,
        author_url="javascript:alert(3)",
        permalink="javascript:alert(4)",
        title=XSS_NAME,
    )
    return ticket


def _assert_inert(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x onerror" not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;" in html  # shown as text, not dropped silently


@pytest.mark.parametrize("url", ["/", "/tickets/", "/tickets/1/"])
def test_anonymous_users_go_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_users_without_a_role_are_refused(client):
    client.force_login(UserFactory())
    ticket = TicketFactory()
    assert client.get("/").status_code == 403
    assert client.get(ticket.get_absolute_url()).status_code == 403
    assert client.post(reverse("mentions:play", args=[ViewFactory().slug])).status_code == 403
    assert (
        client.post(reverse("mentions:ticket-note", args=[ticket.pk]), {"seen": seen(ticket), "body": "x"}).status_code
        == 403
    )


def test_play_needs_post(advocate_client):
    view = ViewFactory()
    assert advocate_client.get(reverse("mentions:play", args=[view.slug])).status_code == 405


def test_login_works(client):
    AdvocateFactory(username="ada")
    response = client.post(reverse("login"), {"login": "ada", "password": "pw"}, follow=True)
    assert response.status_code == 200
    assert b"Queue" in response.content


def test_xss_payloads_render_inert_on_the_ticket_page(advocate_client):
    ticket = _xss_ticket()
    html = advocate_client.get(ticket.get_absolute_url()).content.decode()
    _assert_inert(html)


def test_xss_payloads_render_inert_on_the_queue_and_list_pages(advocate_client):
    ticket = _xss_ticket()
    ticket.assignee = advocate_client.user
    ticket.save()
    ViewFactory(name="<script>alert('view')</script>")
    for url in ("/", "/tickets/"):
        html = advocate_client.get(url).content.decode()
        _assert_inert(html)
        assert XSS_NAME not in html


def test_queue_shows_waiting_count_and_oldest_wait(advocate_client):
    view = ViewFactory(slug="all")
    TicketFactory.create_batch(3)
    TicketFactory(status=Ticket.Status.SOLVED)
    html = advocate_client.get("/").content.decode()
    assert 'data-testid="waiting-all">3<' in html
    assert view.name in html


def _count_queries(client, url: str) -> int:
    client.get(url)  # the session's first request fills the session and permission caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_queue_page_queries_do_not_grow_with_tickets(advocate_client):
    ViewFactory.create_batch(2)
    TicketFactory.create_batch(2, assignee=advocate_client.user)
    few = _count_queries(advocate_client, "/")
    for ticket in TicketFactory.create_batch(30, assignee=advocate_client.user):
        ticket.tags.create(name=f"t{ticket.pk}")
    TicketFactory.create_batch(30)
    assert _count_queries(advocate_client, "/") == few
    assert _count_queries(advocate_client, "/tickets/") == _count_queries(advocate_client, "/tickets/?status=new")


def test_ticket_page_queries_do_not_grow_with_messages(advocate_client, handbook_macros):
    ticket = TicketFactory()
    MessageFactory(ticket=ticket)
    advocate_client.get(ticket.get_absolute_url())  # fills the caches every page reads (macros, permissions)
    few = _count_queries(advocate_client, ticket.get_absolute_url())
    MessageFactory.create_batch(25, ticket=ticket)
    Message.objects.create(
        ticket=ticket,
        channel=ticket.channel,
        kind=Message.Kind.NOTE,
        author_user=advocate_client.user,
        body="n",
        platform_created_at=ticket.requested_at,
    )
    for _ in range(25):
        TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.NOTE, actor=advocate_client.user)
    assert _count_queries(advocate_client, ticket.get_absolute_url()) == few
    # 10 for the page itself, plus the "Involve an expert" panel: this ticket's outreaches (1) and the
    # suggestions (ticket text + experts; their prefetches only run when there are experts), plus the
    # navigation's count of the advocate's updated tickets (1), the tab title's waiting count (1) and
    # the change stamp the live conversation's first refresh compares against (1).
    assert few <= 16


def test_play_button_serves_the_ticket_page(advocate_client):
    view = ViewFactory()
    ticket = TicketFactory()
    MessageFactory(ticket=ticket, body="Is there a way to cache node_modules?")
    response = advocate_client.post(reverse("mentions:play", args=[view.slug]), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == ticket.get_absolute_url()
    assert "cache node_modules" in html and 'data-testid="play-banner"' in html


def test_an_empty_view_says_so(advocate_client):
    view = ViewFactory(name="Empty")
    response = advocate_client.post(reverse("mentions:play", args=[view.slug]), follow=True)
    assert "Nothing is waiting in “Empty”" in response.content.decode()


def test_each_action_is_one_audited_event(advocate_client, handbook_macros):
    ticket = TicketFactory(assignee=advocate_client.user)
    MessageFactory(ticket=ticket)

    def post(name, data):
        # Each form carries the version of the ticket the page showed: here, the current one.
        ticket.refresh_from_db()
        data = {"seen": seen(ticket), **data}
        return advocate_client.post(reverse(f"mentions:{name}", args=[ticket.pk]), data)

    post("ticket-note", {"body": "asked in #frontend"})
    post("ticket-status", {"status": "pending"})
    post(
        "ticket-reply", {"body": "Try cache:key", "link": "https://news.ycombinator.com/item?id=9", "status": "solved"}
    )
    macro = Macro.objects.get(name="Reached out to expert")
    expert = ExpertFactory()  # whom the advocate asked: the outreach is recorded to them
    response = post("ticket-macro", {"macro": macro.pk, "macro_link": ""})
    assert "needs a link" in result_slot(refused_page(advocate_client, response, ticket, "macro"), "macro")
    post(
        "ticket-macro",
        {"macro": macro.pk, "macro_link": "https://slack.example.com/archives/C1/p1", "expert": expert.pk},
    )

    ticket.refresh_from_db()
    kinds = list(ticket.events.values_list("kind", flat=True))
    # The outreach's note (experts' hook, before the macro's actions), then the macro's own steps.
    assert kinds == ["note", "status", "replied", "status", "note", "tag_added", "note", "status", "macro"]
    assert all(e.actor_id == advocate_client.user.pk for e in ticket.events.all())
    assert ticket.status == Ticket.Status.OPEN  # reached out: stays open
    assert ticket.first_reply_at is not None
    note = ticket.messages.filter(kind=Message.Kind.NOTE).last()
    assert note is not None and note.body == "Reached out to an expert: https://slack.example.com/archives/C1/p1"


def test_bad_form_input_is_refused_with_a_message_and_changes_nothing(advocate_client):
    ticket = TicketFactory(assignee=advocate_client.user)
    response = advocate_client.post(
        reverse("mentions:ticket-reply", args=[ticket.pk]),
        {"seen": seen(ticket), "body": "", "link": "", "status": "solved"},
    )
    page = refused_page(advocate_client, response, ticket, "reply")
    assert "Give the reply text or a link" in result_slot(page, "reply")
    response = advocate_client.post(
        reverse("mentions:ticket-status", args=[ticket.pk]), {"seen": seen(ticket), "status": "exploded"}
    )
    page = refused_page(advocate_client, response, ticket, "status")
    assert "Select a valid choice. exploded is not one of the available choices." in result_slot(page, "status")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW and not ticket.events.exists()


def test_a_manager_may_act_on_any_ticket(client):
    manager = ManagerFactory()
    ticket = TicketFactory(assignee=AdvocateFactory())
    client.force_login(manager)
    client.post(reverse("mentions:ticket-status", args=[ticket.pk]), {"seen": seen(ticket), "status": "solved"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED and ticket.solved_at is not None


def test_an_advocate_cannot_act_on_a_colleagues_ticket_through_the_page(advocate_client):
    ticket = TicketFactory(assignee=AdvocateFactory())
    response = advocate_client.post(
        reverse("mentions:ticket-status", args=[ticket.pk]), {"seen": seen(ticket), "status": "solved"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        "?q=%00",
        "?q=merge%00trains",
        "?q=%ED%A0%80",
        "?q=" + "x" * 5000,
        "?channel=%C2%B2",  # "²".isdigit() is True, int("²") raises
        "?channel=" + "9" * 5000,
        "?channel=-1",
        "?page=%00",
        "?status=%00",
    ],
)
def test_tickets_search_with_nul_or_junk_is_200_not_500(advocate_client, query):
    TicketFactory(subject="merge trains on the free tier")
    response = advocate_client.get("/tickets/" + query)
    assert response.status_code == 200


def test_tickets_search_strips_a_nul_and_searches_the_rest(advocate_client):
    # The search reads messages (a ticket's subject is its first message's title or text).
    MessageFactory(ticket=TicketFactory(subject="mergetrains on the free tier"), body="mergetrains on the free tier")
    MessageFactory(ticket=TicketFactory(subject="something else"), body="something else")
    html = advocate_client.get("/tickets/?q=merge%00trains").content.decode()
    assert "mergetrains on the free tier" in html and "something else" not in html


@pytest.mark.parametrize("expert", ["%C2%B2", "%00", "9" * 5000])
def test_ticket_page_with_a_junk_expert_id_is_200_not_500(advocate_client, handbook_macros, expert):
    ticket = TicketFactory()
    response = advocate_client.get(f"/tickets/{ticket.pk}/?expert={expert}&expert_q=%00")
    assert response.status_code == 200
