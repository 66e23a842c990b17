"""A view's list (mentions.views.view_list, issue 68): what waits in a view, in the order Play serves it, so the
All-mentions list shows the desk's sure noise last; the Noise view (mentions' migration 0055) lists the noise and is
solved in bulk, by an advocate too; search still finds held-back noise. Judgements are stored as the worker's task
stores them (one update of the columns); no platform is called."""

import re
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from mentions.models import JudgedBy, Ticket, TicketEvent, View
from mentions.search.tickets import PAGE_SIZE
from mentions.services.judgement import judgement_correct
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory, ViewFactory
from mentions.tests.pages import page_queries

pytestmark = pytest.mark.django_db

# The change stamp (a live page: mentions/live.py), the view, then its page: the rows (and one more) with their channel
# and assignee, their tags, the count that stops at COUNT_CAP, the marks of who opened them (two for the page:
# mentions/queue/row_marks.py), and the navigation's two counts; a manager's bulk form adds the advocates to assign to.
VIEW_LIST_QUERIES = 9
VIEW_LIST_MANAGER_QUERIES = 10
NOTE = (
    "Mentions the desk is at least 90\u00a0% sure are noise wait here, after everything else in Play. Solve them in "
    "bulk, or open one to correct it."
)


def judged(ticket: Ticket, judgement: str, confidence: float | None) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk).update(
        judgement=judgement, judged_by=JudgedBy.DESK, judged_at=timezone.now(), judgement_confidence=confidence
    )
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def noise() -> View:
    """The Noise view as mentions' migration 0055 makes it on a fresh install (transactional tests flush it away)."""
    import_module("mentions.migrations.0056_noise_view").view_create(apps, None)
    return View.objects.get(name="Noise")


def _rows(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-ticket="(\d+)"', page)]


def _desk() -> dict[str, Ticket]:
    """Oldest first: sure noise (a release bot's entry, 95 %), noise an advocate corrected, unsure noise (85 %), then
    one that needs a response, one worth knowing, one not judged yet, and one solved as noise."""
    made = {name: TicketFactory() for name in ("sure", "corrected", "unsure", "needs", "worth", "new")}
    judged(made["sure"], "noise", 0.95)
    judged(made["corrected"], "worth_knowing", 0.7)
    judgement_correct(made["corrected"], "noise", AdvocateFactory())
    judged(made["unsure"], "noise", 0.85)
    judged(made["needs"], "needs_response", 0.97)
    judged(made["worth"], "worth_knowing", 0.8)
    made["solved"] = judged(TicketFactory(status=Ticket.Status.SOLVED), "noise", 0.99)
    return made


def test_the_all_mentions_list_shows_what_play_serves_in_its_order_sure_noise_last(advocate_client):
    all_mentions = ViewFactory(slug="all", name="All mentions")
    made = _desk()
    TicketFactory(assignee=AdvocateFactory())  # someone's already: not waiting for Play
    response = advocate_client.get(reverse("mentions:view", args=["all"]))
    assert response.status_code == 200
    page = response.content.decode()
    expected = [made[name].pk for name in ("unsure", "needs", "worth", "new", "sure", "corrected")]
    assert _rows(page) == expected
    assert "noise the desk is at least 90\u00a0% sure of comes last" in page and NOTE not in page
    # Solving in one press is the Noise view's: an advocate's list of what needs answers has no boxes to tick.
    assert 'data-testid="bulk-form"' not in page and 'name="ticket"' not in page and "data-tick-all" not in page
    assert "7 tickets" not in page and "6 tickets, in the order Play serves them" in page

    # The same on a deadline-first view, whatever the sure noise's deadline.
    all_mentions.order = View.Order.DEADLINE
    all_mentions.save()
    Ticket.objects.filter(pk=made["sure"].pk).update(sla_due_at=timezone.now(), priority=Ticket.Priority.URGENT)
    page = advocate_client.get(reverse("mentions:view", args=["all"])).content.decode()
    assert _rows(page)[-2:] == [made["sure"].pk, made["corrected"].pk]


def test_the_noise_view_lists_the_waiting_noise_sure_last_and_says_how_to_review_it(advocate_client, noise):
    made = _desk()
    page = advocate_client.get(reverse("mentions:view", args=[noise.slug])).content.decode()
    assert _rows(page) == [made["unsure"].pk, made["sure"].pk, made["corrected"].pk]
    assert NOTE in page
    # Tick all: in the table's header, and beside the form for phones, which do not show the header.
    assert 'aria-label="Tick all on this page" data-tick-all' in page and "Solve ticked" in page
    assert '<label><input type="checkbox" data-tick-all data-testid="tick-all"> Tick all on this page</label>' in page
    # The queue names it among the views, its name the way to its list.
    queue = advocate_client.get(reverse("mentions:queue")).content.decode()
    assert (
        f'href="{reverse("mentions:view", args=[noise.slug])}" data-testid="view-link-{noise.slug}">Noise</a>' in queue
    )


def test_an_advocate_ticks_all_on_the_noise_view_and_solves_them_in_one_post(advocate_client, noise):
    made = _desk()
    url = reverse("mentions:view", args=[noise.slug])
    page = advocate_client.get(url).content.decode()
    ticked = _rows(page)  # "Tick all" ticks every row's box (static/tick_all.js; the browser test clicks it)
    form = page.split('<form id="bulk"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    assert fields["action"] == "status" and fields["status"] == "solved" and fields["next"] == url

    response = advocate_client.post(reverse("mentions:tickets-bulk"), {**fields, "ticket": ticked}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["3 tickets set to solved."]
    assert response.redirect_chain[-1][0] == url and _rows(response.content.decode()) == []
    solved = Ticket.objects.filter(pk__in=ticked)
    assert {t.status for t in solved} == {Ticket.Status.SOLVED}
    events = TicketEvent.objects.filter(ticket__in=solved, kind=TicketEvent.Kind.STATUS)
    assert {(e.ticket_id, e.actor_id, e.data["to"]) for e in events} == {
        (pk, advocate_client.user.pk, "solved") for pk in ticked
    }
    assert Ticket.objects.get(pk=made["needs"].pk).status == Ticket.Status.NEW


def test_an_advocate_cannot_solve_someone_elses_tickets_in_bulk_and_nothing_changes(advocate_client):
    mine = judged(TicketFactory(), "noise", 0.95)
    theirs = judged(TicketFactory(assignee=AdvocateFactory(username="ben")), "noise", 0.95)
    data = {"action": "status", "status": "solved", "ticket": [mine.pk, theirs.pk]}
    response = advocate_client.post(reverse("mentions:tickets-bulk"), data, follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert said == [f"#{theirs.pk} is assigned to ben: only a manager solves someone else's tickets."]
    assert set(Ticket.objects.filter(pk__in=[mine.pk, theirs.pk]).values_list("status", flat=True)) == {"new"}


def test_a_manager_gets_every_bulk_action_with_solving_chosen_on_the_noise_view(manager_client, noise):
    page = manager_client.get(reverse("mentions:view", args=[noise.slug])).content.decode()
    assert '<option value="status" selected>' in page and '<option value="solved" selected>' in page
    assert "Apply to ticked" in page
    ViewFactory(slug="all", name="All mentions")
    page = manager_client.get(reverse("mentions:view", args=["all"])).content.decode()
    assert "Apply to ticked" in page and '<option value="status" selected>' not in page


def test_search_and_the_ticket_list_still_find_held_back_noise(advocate_client):
    made = _desk()
    MessageFactory(ticket=made["sure"], body="Release 17.6 of the gitlab-runner chart is out")
    found = advocate_client.get(reverse("mentions:tickets"), {"q": "chart"}).content.decode()
    assert _rows(found) == [made["sure"].pk]
    listed = advocate_client.get(reverse("mentions:tickets")).content.decode()
    assert made["sure"].pk in _rows(listed) and made["corrected"].pk in _rows(listed)
    noise = advocate_client.get(reverse("mentions:tickets"), {"judgement": "noise"}).content.decode()
    assert {made["sure"].pk, made["corrected"].pk, made["solved"].pk} <= set(_rows(noise))


@pytest.mark.parametrize(
    ("client_fixture", "expected"),
    [("advocate_client", VIEW_LIST_QUERIES), ("manager_client", VIEW_LIST_MANAGER_QUERIES)],
)
def test_a_views_list_asks_the_same_queries_for_a_few_or_a_full_page_of_tickets(request, client_fixture, expected):
    client = request.getfixturevalue(client_fixture)
    ViewFactory(slug="all", name="All mentions")
    url = reverse("mentions:view", args=["all"])
    _desk()
    few, page = page_queries(client, url)
    assert len(_rows(page)) == 6
    for i in range(PAGE_SIZE + 10):
        ticket = TicketFactory()
        ticket.tags.create(name=f"tag-{i}")
        if i % 3 == 0:
            judged(ticket, "noise", 0.99)
    many, page = page_queries(client, url)
    assert len(_rows(page)) == PAGE_SIZE and 'rel="next">served later</a>' in page
    assert few == many == expected


def test_the_noise_view_is_made_once_and_never_beside_a_view_of_that_name():
    view_create = import_module("mentions.migrations.0056_noise_view").view_create
    View.objects.filter(name="Noise").delete()
    ViewFactory(slug="noise", name="Something else")
    view_create(apps, None)
    made = View.objects.get(name="Noise")
    assert (made.slug, made.judgements, made.order) == ("noise-2", ["noise"], View.Order.OLDEST)
    view_create(apps, None)
    assert View.objects.filter(name="Noise").count() == 1


def test_an_unknown_or_inactive_view_is_not_found(advocate_client):
    ViewFactory(slug="gone", is_active=False)
    assert advocate_client.get(reverse("mentions:view", args=["gone"])).status_code == 404
    assert advocate_client.get(reverse("mentions:view", args=["nothing"])).status_code == 404
