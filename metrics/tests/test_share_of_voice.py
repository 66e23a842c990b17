"""Share of voice (issue 70): the selector, the KPI dashboard's section and its CSV equal counts from the raw rows
(tickets across platforms, days and sentiments; competitor mentions); an erased person's competitor mentions go.

No platform shapes are read here: tickets and counted competitor mentions are made as rows (the poll that stores
them is intake/tests/test_competitor_poll.py, with Algolia's recorded shapes)."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from channels.models import Competitor, CompetitorMention
from channels.tests.factories import ChannelFactory
from mentions.models import Message, Ticket
from mentions.tests.factories import AdvocateFactory, ManagerFactory, MessageFactory, TicketFactory
from metrics.community.volume import periods
from metrics.share_of_voice import share_of_voice
from people.privacy import person_erase
from people.tests.factories import IdentityFactory

pytestmark = pytest.mark.django_db

START, END = date(2026, 11, 2), date(2026, 11, 15)  # two weeks, Monday to Sunday


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.fixture
def desk():
    """Ours on Hacker News and Reddit (searched for competitors) and on e-mail (not), one private; two competitors."""
    hn = ChannelFactory(name="HN")
    reddit = ChannelFactory(kind="reddit", name="Reddit", config={"subreddits": ["gitlab"], "keywords": ["gitlab"]})
    mail = ChannelFactory(kind="email", name="Mail", config={"host": "imap.example.com", "address": "c@example.com"})
    for day, sentiment, channel in [
        (2, "positive", hn),
        (2, "negative", reddit),
        (3, "neutral", hn),
        (9, "positive", reddit),
        (14, "", hn),  # not judged yet: counted, neither positive nor negative
        (20, "negative", hn),  # after the range
    ]:
        TicketFactory(channel=channel, requested_at=at(day), sentiment=sentiment)
    TicketFactory(channel=mail, requested_at=at(3), sentiment="negative")  # e-mail is not searched for competitors
    private = TicketFactory(channel=hn, requested_at=at(4), sentiment="positive")
    MessageFactory(ticket=private, kind=Message.Kind.PRIVATE)  # began as a private message: not a public voice
    acme = Competitor.objects.create(name="Acme CI", terms=["acme ci"])
    forge = Competitor.objects.create(name="Forgeworks", terms=["forgeworks"])
    Competitor.objects.create(name="Quiet", terms=["quiet"], enabled=False)  # off and never found: not a group
    for n, (competitor, day, sentiment) in enumerate(
        [(acme, 2, "positive"), (acme, 3, "positive"), (acme, 10, "negative"), (forge, 11, "neutral")]
    ):
        CompetitorMention.objects.create(
            competitor=competitor, channel=hn, kind="hackernews", external_id=str(n), posted_at=at(day),
            sentiment=sentiment, author=f"author{n}",
        )  # fmt: skip
    return {"hn": hn, "acme": acme, "forge": forge}


def _raw(group: str, start: date, end: date) -> tuple[int, int, int]:
    """The raw counts a row must equal, read without the selector."""
    since = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    until = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    if group == "us":
        searched = Ticket.objects.filter(channel__kind__in=["hackernews", "reddit"])
        rows = list(
            searched.filter(requested_at__gte=since, requested_at__lt=until)
            .exclude(messages__kind=Message.Kind.PRIVATE)
            .values_list("sentiment", flat=True)
        )
    else:
        rows = list(
            CompetitorMention.objects.filter(competitor__name=group, posted_at__gte=since, posted_at__lt=until)
            .values_list("sentiment", flat=True)
        )  # fmt: skip
    return len(rows), rows.count("positive"), rows.count("negative")


@pytest.mark.parametrize("by", ["day", "week", "month"])
def test_every_row_equals_the_raw_counts(desk, by):
    rows = share_of_voice(start=START, end=END, by=by)

    assert {r.group for r in rows} == {"us", "Acme CI", "Forgeworks"}
    assert [r.period for r in rows[::3]] == periods(start=START, end=END, by=by)
    for row in rows:
        length = {"day": 1, "week": 7}.get(by)
        last = row.period + timedelta(days=length - 1) if length else date(2026, 11, 30)
        start, end = max(row.period, START), min(last, END)
        assert (row.mentions, row.positive, row.negative) == _raw(row.group, start, end), row
    totals = {g: sum(r.mentions for r in rows if r.group == g) for g in ("us", "Acme CI", "Forgeworks")}
    assert totals == {"us": 5, "Acme CI": 3, "Forgeworks": 1}


def test_the_community_page_shows_share_of_voice_and_its_csv_says_the_same(client, desk, django_assert_max_num_queries):
    client.force_login(ManagerFactory())
    query = f"from={START}&to={END}"
    with django_assert_max_num_queries(60):
        page = client.get(f"{reverse('metrics:community')}?{query}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Share of voice" in html and 'data-testid="sov-table"' in html and "<svg" in html
    # The range's totals: us 5 of 9 (2 positive, 1 negative), Acme CI 3 (2 positive, 1 negative), Forgeworks 1.
    total_us = html.split('data-testid="sov-total-0"')[1].split("</tr>")[0]
    assert ">Us<" in total_us and '>5 <span class="muted">(55.6%)</span><' in total_us
    assert 'title="2 positive">40%<' in total_us and 'title="1 negative">20%<' in total_us
    total_acme = html.split('data-testid="sov-total-1"')[1].split("</tr>")[0]
    assert "Acme CI" in total_acme and '>3 <span class="muted">(33.3%)</span><' in total_acme
    assert 'title="2 positive">67%<' in total_acme and 'title="1 negative">33%<' in total_acme

    answer = client.get(f"{reverse('metrics:export', args=['share_of_voice'])}?{query}")
    rows = list(csv.DictReader(io.StringIO(b"".join(answer.streaming_content).decode())))
    assert {r["by"] for r in rows} == {"day"}  # a fortnight is shown by day, on the page and in its CSV
    assert sum(int(r["mentions"]) for r in rows if r["group"] == "us") == 5
    first = next(r for r in rows if r["period"] == "2026-11-02" and r["group"] == "Acme CI")
    assert (first["mentions"], first["positive"], first["share_pct"]) == ("1", "1", "33.3")


def test_a_competitor_named_like_a_formula_is_written_safely_in_the_csv(client, desk):
    desk["acme"].name = "=HYPERLINK(1)"
    desk["acme"].save()
    client.force_login(ManagerFactory())
    answer = client.get(f"{reverse('metrics:export', args=['share_of_voice'])}?from={START}&to={END}")
    assert "'=HYPERLINK(1)" in b"".join(answer.streaming_content).decode()


def test_the_section_is_for_managers(client, desk):
    client.force_login(AdvocateFactory())
    assert client.get(reverse("metrics:community")).status_code == 403
    assert client.get(reverse("metrics:export", args=["share_of_voice"])).status_code == 403


def test_erasing_a_person_deletes_the_competitor_mentions_they_wrote_and_no_one_elses(desk):
    identity = IdentityFactory(handle="author1")
    CompetitorMention.objects.create(
        competitor=desk["forge"], channel=desk["hn"], kind="hackernews", external_id="99", posted_at=at(12),
        sentiment="neutral", author="author1x",  # another author whose handle begins with theirs
    )  # fmt: skip

    person_erase(person=identity.person, actor=ManagerFactory(), via="page")

    assert set(CompetitorMention.objects.values_list("author", flat=True)) == {
        "author0",
        "author2",
        "author3",
        "author1x",
    }
