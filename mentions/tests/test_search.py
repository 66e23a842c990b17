"""Search on the ticket list (issue 13): full-text over every message, filters, ranking,
highlighting, the SQLite fallback, saved searches."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.tests.factories import ChannelFactory
from mentions.models import Message, SavedSearch, Tag, Ticket
from mentions.search import tickets as search
from mentions.search.tickets import START, STOP, TicketQuery, highlight
from mentions.tests.factories import AdvocateFactory, MessageFactory, TicketFactory

pytestmark = pytest.mark.django_db

XSS_BODY = '<script>alert("x")</script> <img src=x onerror=alert(1)> the registry is down'
XSS_NAME = "<img src=x onerror=alert('name')>"


def _ticket(body: str = "How do I cache dependencies?", *, followup: str = "", **kwargs) -> Ticket:
    ticket = TicketFactory(**kwargs)
    MessageFactory(ticket=ticket, body=body, title=kwargs.get("subject", ""))
    if followup:
        MessageFactory(
            ticket=ticket,
            body=followup,
            author_handle="someone_else",
            author_name="Someone Else",
            platform_created_at=ticket.requested_at + timedelta(hours=1),
        )
    return ticket


def _ids(client: Client, params: str) -> list[int]:
    response = client.get(f"/tickets/?{params}")
    assert response.status_code == 200
    return [t.pk for t in response.context["page"].tickets]


# -- what is searched ---------------------------------------------------------------------


def test_a_word_only_in_a_follow_up_finds_the_ticket_highlighted(advocate_client):
    wanted = _ticket("Pipelines fail since this morning", followup="It happens when pushing to the registry.")
    _ticket("Pipelines fail since this morning")
    response = advocate_client.get("/tickets/?q=registry")
    assert [t.pk for t in response.context["page"].tickets] == [wanted.pk]
    html = response.content.decode()
    assert "<mark>registry</mark>" in html
    assert f'data-testid="snippet-{wanted.pk}"' in html


def test_english_stemming_finds_other_forms_of_the_word(advocate_client):
    plural = _ticket("Both container registries are slow")
    singular = _ticket("The registry is slow")
    assert set(_ids(advocate_client, "q=registry")) == {plural.pk, singular.pk}
    assert set(_ids(advocate_client, "q=registries")) == {plural.pk, singular.pk}


def test_title_author_handle_and_name_are_searched(advocate_client):
    titled = TicketFactory()
    MessageFactory(ticket=titled, title="Kubernetes agent keeps restarting", body="see title")
    by_handle = _ticket("no keywords here")
    MessageFactory(ticket=by_handle, author_handle="octo_dev", author_name="Ada Lovelace", body="hi")
    _ticket("unrelated text")
    assert _ids(advocate_client, "q=kubernetes") == [titled.pk]
    assert _ids(advocate_client, "q=octo_dev") == [by_handle.pk]
    assert _ids(advocate_client, "q=%40octo_dev") == [by_handle.pk]
    assert _ids(advocate_client, "q=lovelace") == [by_handle.pk]


def test_an_author_named_like_a_stop_word_is_found_through_the_simple_configuration(advocate_client):
    ticket = _ticket("hello")
    MessageFactory(ticket=ticket, author_handle="will", author_name="Will", body="thanks")
    _ticket("nothing")
    assert _ids(advocate_client, "q=will") == [ticket.pk]


def test_a_tag_name_finds_tickets_carrying_it(advocate_client):
    tagged = _ticket("nothing about it in the text")
    tagged.tags.add(Tag.objects.create(name="downtime"))
    worded = _ticket("downtime again on the runners")
    _ticket("unrelated")
    assert set(_ids(advocate_client, "q=downtime")) == {tagged.pk, worded.pk}


def test_a_ticket_id_with_or_without_hash_finds_that_ticket_first(advocate_client):
    target = _ticket("nothing")
    mentions_it = _ticket(f"see ticket {target.pk} please")
    assert _ids(advocate_client, f"q=%23{target.pk}") == [target.pk, mentions_it.pk]
    assert _ids(advocate_client, f"q={target.pk}")[0] == target.pk


def test_quoted_phrase_matches_the_words_in_order(advocate_client):
    phrase = _ticket("the merge train stalled overnight")
    scattered = _ticket("a train of thought: merge it later")
    assert _ids(advocate_client, "q=%22merge+train%22") == [phrase.pk]
    assert set(_ids(advocate_client, "q=merge+train")) == {phrase.pk, scattered.pk}


def test_minus_word_excludes_tickets_with_the_word_in_any_message(advocate_client):
    plain = _ticket("registry timeout")
    in_same = _ticket("registry timeout with docker")
    in_followup = _ticket("registry timeout", followup="only with docker images")
    assert _ids(advocate_client, "q=registry+-docker") == [plain.pk]
    assert {in_same.pk, in_followup.pk} <= set(_ids(advocate_client, "q=registry"))


def test_or_finds_either_word(advocate_client):
    a = _ticket("the runner is offline")
    b = _ticket("the cache is corrupted")
    _ticket("unrelated")
    assert set(_ids(advocate_client, "q=runner+or+cache")) == {a.pk, b.pk}
    assert _ids(advocate_client, "q=runner+cache") == []


def test_more_and_better_matches_rank_first(advocate_client):
    once = _ticket("the registry is slow today, and other things happened as well in the meantime")
    many = _ticket("registry registry: the registry refuses pushes", followup="still the registry")
    title = TicketFactory()
    MessageFactory(ticket=title, title="Registry down", body="registry registry registry registry")
    ids = _ids(advocate_client, "q=registry")
    assert ids.index(many.pk) < ids.index(once.pk)
    assert ids.index(title.pk) < ids.index(once.pk)
    # Asking for newest first instead of relevance gives time order.
    assert _ids(advocate_client, "q=registry&order=newest") == [title.pk, many.pk, once.pk]


# -- filters ------------------------------------------------------------------------------


def test_every_filter_combines_with_the_query(advocate_client):
    other_channel = ChannelFactory()
    me = advocate_client.user
    colleague = AdvocateFactory()
    base = {"subject": "x"}
    open_mine = _ticket("registry", status=Ticket.Status.OPEN, assignee=me, **base)
    solved = _ticket("registry", status=Ticket.Status.SOLVED, assignee=colleague, **base)
    unassigned = _ticket("registry", channel=other_channel, priority=Ticket.Priority.HIGH, **base)
    unassigned.tags.add(Tag.objects.create(name="security"))
    _ticket("cache", status=Ticket.Status.OPEN, assignee=me, **base)

    assert _ids(advocate_client, "q=registry&status=open") == [open_mine.pk]
    assert _ids(advocate_client, f"q=registry&channel={other_channel.pk}") == [unassigned.pk]
    assert _ids(advocate_client, f"q=registry&assignee={colleague.pk}") == [solved.pk]
    assert _ids(advocate_client, "q=registry&assignee=none") == [unassigned.pk]
    assert _ids(advocate_client, "q=registry&assignee=me") == [open_mine.pk]
    assert _ids(advocate_client, "q=registry&mine=1") == [open_mine.pk]
    assert _ids(advocate_client, "q=registry&tag=security") == [unassigned.pk]
    assert _ids(advocate_client, "q=registry&tag=nosuchtag") == []
    assert _ids(advocate_client, "q=registry&priority=high") == [unassigned.pk]
    # The same filters without a query list newest first.
    assert _ids(advocate_client, "assignee=none&tag=security&priority=high") == [unassigned.pk]
    assert _ids(advocate_client, "assignee=me") == [t.pk for t in Ticket.objects.filter(assignee=me).order_by("-id")]


def test_date_range_is_inclusive_whole_utc_days(advocate_client):
    day = datetime(2026, 3, 10, tzinfo=UTC)
    before = _ticket("registry", requested_at=day - timedelta(seconds=1))
    first = _ticket("registry", requested_at=day)
    last = _ticket("registry", requested_at=day + timedelta(days=1, hours=23, minutes=59))
    after = _ticket("registry", requested_at=day + timedelta(days=2))
    assert _ids(advocate_client, "q=registry&from=2026-03-10&to=2026-03-11&order=newest") == [last.pk, first.pk]
    assert _ids(advocate_client, "from=2026-03-10&to=2026-03-11") == [last.pk, first.pk]
    assert _ids(advocate_client, "to=2026-03-09") == [before.pk]
    assert _ids(advocate_client, "from=2026-03-12") == [after.pk]


@pytest.mark.parametrize(
    "params",
    [
        "from=2026-13-40",
        "to=yesterday",
        "from=2026-03-12&to=2026-03-01",
        # A day past the last date the calendar holds (the "to" day's end) overflowed: a 500.
        "to=9999-12-31",
        "from=0001-01-01",
        "assignee=%C2%B2",
        "assignee=" + "9" * 40,
        "channel=%00",
        "priority=%00",
        "page=0",
        "page=" + "9" * 50,
        "order=%3Cscript%3E",
    ],
)
def test_bad_filter_values_are_named_and_ignored_not_500(advocate_client, params):
    wanted = _ticket("registry")
    response = advocate_client.get(f"/tickets/?q=registry&{params}")
    assert response.status_code == 200
    assert [t.pk for t in response.context["page"].tickets] == [wanted.pk]
    assert 'data-testid="filter-errors"' in response.content.decode()


# -- junk input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "%00",
        "registry%00timeout",
        "x" * 10_000,
        "registry+" * 2000,
        "-",
        "or",
        "%22",
        "-+or+%22",
        "%22%22+-%22%22+or+or",
        "!%26|%3A*()%3C-%3E",
        "%5C",
        "%27%3B+DROP+TABLE+mentions_ticket%3B--",
        "%23",
        "%23" + "9" * 30,
        "the",
        "%E2%80%AE%EE%80%80%EE%80%81",
    ],
)
def test_junk_queries_are_200_not_500(advocate_client, q):
    _ticket("registry timeout")
    response = advocate_client.get(f"/tickets/?q={q}")
    assert response.status_code == 200
    assert Ticket.objects.count() == 1


def test_only_operators_list_tickets_as_an_empty_query_does(advocate_client):
    tickets = [_ticket("registry"), _ticket("cache")]
    assert _ids(advocate_client, "q=-+or+%22") == [t.pk for t in reversed(tickets)]


# -- highlighting -------------------------------------------------------------------------


def test_snippet_and_author_are_escaped_and_only_mark_survives(advocate_client):
    ticket = TicketFactory(subject=XSS_BODY, requester_handle=XSS_NAME, requester_name=XSS_NAME)
    MessageFactory(ticket=ticket, body=XSS_BODY, author_name=XSS_NAME, title=XSS_NAME)
    html = advocate_client.get("/tickets/?q=registry").content.decode()
    snippet = html.split(f'data-testid="snippet-{ticket.pk}">', 1)[1].split("</div>", 1)[0]
    assert "<mark>registry</mark>" in snippet
    assert "<script" not in html.split("<main>", 1)[1]
    assert "<img src=x" not in html
    # ts_headline leaves out whole tags it recognises; whatever it keeps of one is escaped.
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert "&lt;img src=x onerror" in html  # the subject and author still show the text


def test_sentinels_in_a_message_cannot_open_a_mark(advocate_client):
    ticket = _ticket(f"{START}<b>bold</b>{STOP} registry {START}")
    html = advocate_client.get("/tickets/?q=registry").content.decode()
    snippet = html.split(f'data-testid="snippet-{ticket.pk}">', 1)[1].split("</div>", 1)[0]
    assert snippet.count("<mark>") == 1 and "<mark>registry</mark>" in snippet
    assert "bold" in snippet and "<b>" not in snippet


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(), st.sampled_from([START, STOP, "<", ">", "&", '"', "<script>", "</mark>"]))))
def test_highlight_escapes_everything_but_its_own_balanced_marks(pieces):
    headline = "".join(pieces)
    html = str(highlight(headline))
    stripped = html.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped and '"' not in stripped
    assert html.count("<mark>") == html.count("</mark>")
    assert "<mark><mark>" not in html  # never nested
    from html import unescape

    assert unescape(stripped) == headline.replace(START, "").replace(STOP, "")


# -- the SQLite fallback finds the same tickets for plain words -----------------------------


FALLBACK_CASES = ["registry", "kubernetes", "octocat", "Lovelace", "timeout", "pipeline cache", "downtime", "zzz"]


def test_fallback_and_full_text_search_find_the_same_tickets_for_plain_words():
    _ticket("The registry refuses pushes", followup="pipeline cache is stale")
    _ticket("pipeline hangs", followup="the cache too, timeout after an hour")
    _ticket("Kubernetes agent timeout")
    t = _ticket("nothing here")
    MessageFactory(ticket=t, author_handle="octocat", author_name="Ada Lovelace", body="hello")
    _ticket("rollout").tags.add(Tag.objects.create(name="downtime"))
    _ticket("Registry mirror", status=Ticket.Status.SOLVED)
    for q in FALLBACK_CASES:
        extras: list[dict[str, Any]] = [{}, {"status": Ticket.Status.NEW}]
        for extra in extras:
            query = TicketQuery(q=q, order="newest", **extra)
            full_text = [t.pk for t in search.search_postgres(query).tickets]
            fallback = [t.pk for t in search.search_fallback(query).tickets]
            assert full_text == fallback, (q, extra)
    assert len(search.search_fallback(TicketQuery(q="registry")).tickets) == 2  # not vacuous


# -- no count of the whole table; queries constant in data size ----------------------------


@pytest.mark.parametrize("params", ["", "q=cache", "q=cache&assignee=none&from=2026-01-01"])
def test_ticket_list_queries_do_not_grow_with_tickets(advocate_client, django_assert_num_queries, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        _ticket("cache").tags.add(Tag.objects.get_or_create(name="ci")[0])
    advocate_client.get(f"/tickets/?{params}")  # per-process first use (the permission cache) aside
    with CaptureQueriesContext(connection) as few:
        assert advocate_client.get(f"/tickets/?{params}").status_code == 200
    for _ in range(57):
        _ticket("cache", followup="cache again").tags.add(Tag.objects.get_or_create(name="ci")[0])
    with django_assert_num_queries(len(few.captured_queries)):
        response = advocate_client.get(f"/tickets/?{params}")
    page = response.context["page"]
    assert len(page.tickets) == search.PAGE_SIZE and page.has_next


def test_pages_walk_without_a_full_count(advocate_client, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    tickets = [_ticket("cache") for _ in range(search.PAGE_SIZE + 3)]
    first = advocate_client.get("/tickets/").context["page"]
    assert first.count_capped and first.has_next and not first.has_previous
    second = advocate_client.get("/tickets/?page=2").context["page"]
    assert [t.pk for t in second.tickets] == [t.pk for t in tickets[:3]][::-1]
    assert not second.has_next and second.has_previous
    html = advocate_client.get("/tickets/?q=cache").content.decode()
    assert "5+ tickets" in html and 'rel="next"' in html


# -- saved searches -----------------------------------------------------------------------


def test_save_list_and_delete_a_search(advocate_client):
    wanted = _ticket("registry", status=Ticket.Status.OPEN)
    response = advocate_client.post(
        reverse("mentions:saved-search-create"),
        {"name": "Open registry", "query": "q=registry&status=open&page=3&evil=%3Cscript%3E"},
    )
    saved = SavedSearch.objects.get(user=advocate_client.user)
    assert saved.query == "q=registry&status=open"  # only the list's own parameters, no page
    assert response.status_code == 302 and response.url == saved.get_absolute_url()
    assert _ids(advocate_client, saved.query) == [wanted.pk]
    for url in ("/", "/tickets/"):
        html = advocate_client.get(url).content.decode()
        assert f'href="{saved.get_absolute_url().replace("&", "&amp;")}"' in html and "Open registry" in html
    # Saving the same name again replaces its search.
    advocate_client.post(reverse("mentions:saved-search-create"), {"name": "Open registry", "query": "q=cache"})
    assert list(SavedSearch.objects.values_list("name", "query")) == [("Open registry", "q=cache")]
    response = advocate_client.post(reverse("mentions:saved-search-delete", args=[saved.pk]), {"next": "/"})
    assert response.status_code == 302 and response.url == "/"
    assert not SavedSearch.objects.exists()


def test_another_user_neither_sees_nor_deletes_my_saved_search(advocate_client):
    mine = SavedSearch.objects.create(user=advocate_client.user, name="Mine only", query="q=registry")
    other = Client()
    other.force_login(AdvocateFactory())
    assert "Mine only" not in other.get("/tickets/").content.decode()
    assert other.post(reverse("mentions:saved-search-delete", args=[mine.pk])).status_code == 404
    assert SavedSearch.objects.filter(pk=mine.pk).exists()
    assert other.get(reverse("mentions:saved-search-delete", args=[mine.pk])).status_code == 405


def test_a_saved_search_needs_a_name_and_escapes_it(advocate_client):
    response = advocate_client.post(reverse("mentions:saved-search-create"), {"name": " ", "query": "q=x"})
    assert response.status_code == 302 and not SavedSearch.objects.exists()
    advocate_client.post(reverse("mentions:saved-search-create"), {"name": XSS_NAME, "query": "q=x"})
    html = advocate_client.get("/").content.decode()
    assert XSS_NAME not in html and "&lt;img src=x" in html


def test_saved_searches_in_admin(client):
    admin = get_user_model().objects.create_superuser("root", password="pw")
    SavedSearch.objects.create(user=admin, name="Mine", query="q=registry")
    client.force_login(admin)
    assert client.get(reverse("admin:mentions_savedsearch_changelist")).status_code == 200


def test_messages_without_a_ticket_are_not_results(advocate_client):
    ticket = _ticket("cache")
    Message.objects.create(
        channel=ticket.channel, kind=Message.Kind.OUR_REPLY, body="registry", platform_created_at=ticket.requested_at
    )
    assert _ids(advocate_client, "q=registry") == []


def test_recency_windows_reach_old_matches_and_stop_early_for_common_words(advocate_client, monkeypatch):
    """At scale only the newest messages are read for a common word; a rarer one walks back
    through older windows (small windows here so a handful of messages shows it)."""
    monkeypatch.setattr(search, "RECENCY_WINDOWS", (4, 8))
    monkeypatch.setattr(search, "ENOUGH", 3)
    old = [_ticket("registry is slow") for _ in range(3)]
    common = [_ticket("cache miss") for _ in range(8)]
    # "registry" is in none of the newest 4 messages: older windows are read and find all three.
    page = search.ticket_search(TicketQuery(q="registry"))
    assert {t.pk for t in page.tickets} == {t.pk for t in old} and not page.count_capped
    # "cache" fills the newest window: only it is ranked, and the count says there may be more.
    page = search.ticket_search(TicketQuery(q="cache"))
    assert {t.pk for t in page.tickets} == {t.pk for t in common[-4:]} and page.count_capped
    assert "4+ tickets" in advocate_client.get("/tickets/?q=cache").content.decode()
    # With a filter on the ticket the newest matching tickets are ranked instead.
    page = search.ticket_search(TicketQuery(q="cache", status=Ticket.Status.NEW))
    assert len(page.tickets) == 8
