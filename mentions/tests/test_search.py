"""Ticket search: every message's words, authors, tags and ids; websearch syntax; filters;
ranking; highlighting from escaped text; the SQLite fallback; saved searches."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.tests.factories import ChannelFactory
from mentions import search
from mentions.models import SavedSearch, Tag, Ticket
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory

pytestmark = pytest.mark.django_db


def _ids(client, query: str) -> list[int]:
    response = client.get("/tickets/" + query)
    assert response.status_code == 200
    return [t.pk for t in response.context["listing"].tickets]


@pytest.fixture
def desk():
    """Three conversations, their words spread over titles, bodies, authors and tags."""
    registry = TicketFactory(subject="Pushing images fails", requester_handle="laurent")
    MessageFactory(
        ticket=registry, title="Pushing images fails", body="docker push hangs at 99%", author_handle="laurent"
    )
    MessageFactory(
        ticket=registry,
        body="Update: size < 2 & the registry answers 500 <script>alert(1)</script> after the upgrade",
        author_handle="laurent",
    )
    runner = TicketFactory(subject="Runner stuck on arm64", requester_handle="dana")
    MessageFactory(ticket=runner, title="Runner stuck on arm64", body="Our merge train waits for the arm64 runner")
    runner.tags.add(Tag.objects.create(name="security"))
    pages = TicketFactory(subject="Pages deploy is slow", requester_handle="bo")
    MessageFactory(ticket=pages, body="GitLab Pages takes ten minutes", author_name="Bo Lindqvist")
    return {"registry": registry, "runner": runner, "pages": pages}


def test_a_word_only_in_a_follow_up_finds_its_ticket_highlighted_and_escaped(advocate_client, desk):
    response = advocate_client.get("/tickets/?q=registry")
    assert [t.pk for t in response.context["listing"].tickets] == [desk["registry"].pk]
    html = response.content.decode()
    assert "<mark>registry</mark>" in html
    assert "<script>alert(1)" not in html  # the database's headline drops markup; what it keeps is escaped:
    assert "size &lt; 2 &amp; the <mark>registry</mark>" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=registries", ["registry"]),  # stemmed: the plural finds the singular
        ("?q=arm64", ["runner"]),  # a title word
        ("?q=laurent", ["registry"]),  # an author handle
        ("?q=Lindqvist", ["pages"]),  # an author name
        ("?q=security", ["runner"]),  # a tag
        ('?q="merge train"', ["runner"]),  # a phrase
        ('?q="train merge"', []),  # ... in that order only
        ("?q=arm64 -merge", []),  # -word leaves out
        ("?q=registry or pages", ["registry", "pages"]),
        ("?q=docker gitlab", []),  # both words, not in one ticket
    ],
)
def test_websearch_syntax(advocate_client, desk, query, expected):
    assert sorted(_ids(advocate_client, query)) == sorted(desk[name].pk for name in expected)


def test_a_ticket_number_finds_the_ticket(advocate_client, desk):
    pk = desk["pages"].pk
    assert _ids(advocate_client, f"?q=%23{pk}") == [pk]
    assert pk in _ids(advocate_client, f"?q={pk}")


def test_filters_combine_with_the_search_and_without_it(advocate_client, desk):
    ada = AdvocateFactory()
    hn = ChannelFactory(name="HN")
    old = TicketFactory(
        subject="registry outage", channel=hn, priority=Ticket.Priority.HIGH, assignee=ada, status=Ticket.Status.OPEN
    )
    Ticket.objects.filter(pk=old.pk).update(requested_at=datetime(2026, 1, 10, 12, tzinfo=UTC))
    registry = desk["registry"].pk

    assert sorted(_ids(advocate_client, "?q=registry")) == sorted([registry, old.pk])
    assert _ids(advocate_client, f"?q=registry&channel={hn.pk}") == [old.pk]
    assert _ids(advocate_client, "?q=registry&assignee=none") == [registry]
    assert _ids(advocate_client, f"?q=registry&assignee={ada.pk}") == [old.pk]
    assert _ids(advocate_client, "?q=registry&priority=high") == [old.pk]
    assert _ids(advocate_client, "?q=registry&status=open") == [old.pk]
    assert _ids(advocate_client, "?q=registry&from=2026-01-01&to=2026-01-31") == [old.pk]
    assert _ids(advocate_client, "?q=registry&from=2026-02-01") == [registry]
    assert _ids(advocate_client, "?tag=security") == [desk["runner"].pk]
    assert _ids(advocate_client, "?assignee=none&q=runner") == [desk["runner"].pk]
    assert _ids(advocate_client, "?from=2026-01-01&to=2026-01-31") == [old.pk]
    assert _ids(advocate_client, "?from=not-a-date&q=registry&channel=" + str(hn.pk)) == [old.pk]  # bad date ignored


def test_results_are_ranked_by_the_best_match(advocate_client):
    in_body = TicketFactory(subject="Question")
    MessageFactory(ticket=in_body, body="is the registry down for anyone else today")
    in_title = TicketFactory(subject="Registry down")
    MessageFactory(ticket=in_title, title="Registry down", body="registry registry registry: 503 everywhere")
    assert _ids(advocate_client, "?q=registry") == [in_title.pk, in_body.pk]


def test_the_sqlite_fallback_finds_the_same_tickets_for_plain_words(desk):
    """The embedded default's search, run here on the same data, against the full-text one."""
    for words in ["registry", "arm64", "laurent", "security", "Lindqvist", "pages", "runner merge"]:
        full = {t.pk for t in search._search_postgresql(q=words, filters=search.Filters(), page=1).tickets}
        plain = {t.pk for t in search._search_plain(q=words, filters=search.Filters(), page=1).tickets}
        assert full == plain, words
        assert full, words


def test_the_sqlite_fallback_highlights_from_escaped_text(desk):
    found = search._search_plain(q="registry", filters=search.Filters(), page=1)
    snippet = found.snippets[desk["registry"].pk]
    assert "<mark>registry</mark>" in snippet and "&lt;script&gt;" in snippet and "<script>" not in snippet


@settings(max_examples=200, deadline=None)
@given(st.text(), st.lists(st.tuples(st.integers(0, 200), st.integers(0, 40)), max_size=5))
def test_highlighting_never_lets_markup_through(text, spans):
    """Whatever the text (sentinels included, which the database step strips), the only tags in
    the output are our own <mark> and </mark>."""
    text = search._SENTINELS.sub("", text)
    marked = text
    for start, length in sorted(spans, reverse=True):
        start = min(start, len(marked))
        marked = marked[:start] + "\x02" + marked[start : start + length] + "\x03" + marked[start + length :]
    html = str(search.highlight(marked))
    stripped = html.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped.replace("&gt;", "")


@pytest.mark.parametrize("query", ["", "?q=registry", "?q=registry&status=new&assignee=none"])
def test_ticket_list_queries_do_not_grow_with_tickets(advocate_client, query):
    for _ in range(3):
        MessageFactory(ticket=TicketFactory(subject="registry"), body="registry")
    with CaptureQueriesContext(connection) as few:
        advocate_client.get("/tickets/" + query)
    for ticket in TicketFactory.create_batch(60, subject="registry"):
        MessageFactory(ticket=ticket, body="the registry again")
        ticket.tags.create(name=f"t{ticket.pk}")
    with CaptureQueriesContext(connection) as many:
        response = advocate_client.get("/tickets/" + query)
    assert len(response.context["listing"].tickets) == 50 and response.context["listing"].has_next
    assert len(many) == len(few)


def test_the_list_counts_up_to_a_cap_instead_of_every_ticket(advocate_client, monkeypatch):
    from mentions import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 60)  # the cap's value, not the code under test
    TicketFactory.create_batch(70)
    html = advocate_client.get("/tickets/").content.decode()
    assert "more than 60 tickets" in html


@pytest.mark.parametrize("query", ["?q=%22", "?q=-", "?q=or", "?q=-%20or%20%22", "?q=!!!%26%7C", "?q=" + "a" * 600])
def test_operator_only_or_odd_queries_are_200(advocate_client, desk, query):
    assert advocate_client.get("/tickets/" + query).status_code == 200


def test_saved_searches_are_kept_per_user_shown_beside_the_views_and_deleted_only_by_their_owner(advocate_client, desk):
    response = advocate_client.post(
        "/searches/", {"name": "Registry <b>trouble</b>", "query": "q=registry&status=new&evil=1&next=//x"}
    )
    saved = SavedSearch.objects.get()
    assert response.status_code == 302 and response["Location"] == "/tickets/?" + saved.query
    assert saved.user == advocate_client.user
    assert sorted(saved.query.split("&")) == ["q=registry", "status=new"]  # only the list's own parameters

    queue = advocate_client.get("/").content.decode()
    assert "Registry &lt;b&gt;trouble&lt;/b&gt;" in queue and f'href="/tickets/?{saved.query}"' in queue.replace(
        "&amp;", "&"
    )

    from django.test import Client

    other = Client()
    other.force_login(AdvocateFactory())
    assert "Registry" not in other.get("/").content.decode().split("saved-searches")[1][:300]
    assert other.post(f"/searches/{saved.pk}/delete/").status_code == 404
    assert SavedSearch.objects.filter(pk=saved.pk).exists()

    assert advocate_client.post(f"/searches/{saved.pk}/delete/").status_code == 302
    assert not SavedSearch.objects.exists()


def test_saving_an_empty_search_is_refused_in_words(advocate_client):
    response = advocate_client.post("/searches/", {"name": "All", "query": "page=2"}, follow=True)
    assert "Search or filter first, then save." in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_requested_dates_are_whole_days_in_utc(advocate_client):
    ticket = TicketFactory(subject="late night")
    Ticket.objects.filter(pk=ticket.pk).update(requested_at=datetime(2026, 3, 1, 23, 59, tzinfo=UTC))
    assert _ids(advocate_client, "?to=2026-03-01") == [ticket.pk]
    assert _ids(advocate_client, "?from=2026-03-02") == []
