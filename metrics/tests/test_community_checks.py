"""Checking a sample of the judgement (metrics.community.checks, the Community page's "Check a sample"): a judged,
counted mention of the range drawn at random, read by a manager before the desk's reading is shown; the share the desk
got right, with its 95 % Wilson interval, on the page beside the sentiment and intent charts. No platform shapes:
tickets made with the factories (metrics/tests/community_desk.py)."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse
from scipy.stats import binomtest

from mentions.models import Ticket
from mentions.tests.factories import AdvocateFactory, ManagerFactory
from metrics.community.checks import Accuracy, check_draw, check_figures, check_record
from metrics.community.counted import counted_requested
from metrics.models_community import JudgementCheck
from metrics.tests.community_desk import END, START, _at, desk_build
from people.tests.factories import IdentityFactory, ticket_from

pytestmark = pytest.mark.django_db

CHECK = reverse("metrics:community-check")
QUERY = f"from={START}&to={END}"


@pytest.fixture
def desk():
    return desk_build()


def _drawable() -> set[int]:
    counted = counted_requested(start=START, end=END, channel_id=None)
    return set(counted.exclude(sentiment="").exclude(intent="").values_list("pk", flat=True))


def test_the_draw_takes_only_judged_counted_mentions_of_the_range_each_once_until_none_is_left(desk):
    drawable = _drawable()
    assert 0 < len(drawable) < len(desk["rows"])  # some not judged, some outside the range, merged, private
    rng, seen = random.Random(7), []
    while (ticket := check_draw(start=START, end=END, rng=rng)) is not None:
        assert ticket.pk in drawable and ticket.pk not in seen
        seen.append(ticket.pk)
        check_record(ticket=ticket, user=None, sentiment="neutral", intent="other")
    assert set(seen) == drawable
    # Not in id order: a random draw, not the oldest first.
    assert seen != sorted(seen)


def test_the_figures_count_the_checks_where_the_desk_said_the_same(desk):
    tickets = Ticket.objects.filter(pk__in=_drawable()).order_by("pk")[:10]
    for i, ticket in enumerate(tickets):
        sentiment = ticket.sentiment if i < 7 else next(s for s in ("negative", "positive") if s != ticket.sentiment)
        intent = ticket.intent if i < 4 else next(v for v in ("bug", "praise") if v != ticket.intent)
        check_record(ticket=ticket, user=None, sentiment=sentiment, intent=intent)
    # A second reading replaces the first and keeps the desk's reading of then.
    first = tickets[0]
    Ticket.objects.filter(pk=first.pk).update(sentiment="positive" if first.sentiment != "positive" else "negative")
    check_record(ticket=first, user=None, sentiment=first.sentiment, intent=first.intent)
    assert JudgementCheck.objects.get(ticket=first).desk_sentiment == first.sentiment

    figures = check_figures(start=START, end=END)
    assert (figures["sentiment"].right, figures["sentiment"].checked) == (7, 10)
    assert (figures["intent"].right, figures["intent"].checked) == (4, 10)
    # Another range holds none of them.
    assert (
        check_figures(start=END.replace(year=END.year + 1), end=END.replace(year=END.year + 1))["sentiment"].checked
        == 0
    )


@pytest.mark.parametrize(("right", "checked"), [(7, 10), (17, 20), (0, 5), (20, 20), (93, 100)])
def test_the_interval_is_wilsons(right, checked):
    low, high = binomtest(right, checked).proportion_ci(confidence_level=0.95, method="wilson")
    assert Accuracy(right, checked).interval == (round(100 * low, 1), round(100 * high, 1))
    assert Accuracy(0, 0).interval is None and Accuracy(0, 0).pct is None


def test_a_manager_reads_the_mention_before_the_desks_reading_then_sees_both(desk, client):
    client.force_login(AdvocateFactory())
    assert client.get(f"{CHECK}?{QUERY}").status_code == 403
    manager = ManagerFactory()
    client.force_login(manager)
    identity = IdentityFactory(platform="reddit", handle="tricky")
    hostile = ticket_from(
        identity,
        channel=desk["channels"]["reddit"],
        body='<script>alert("x")</script> the runner <b>hangs</b>',
        subject="<img src=x onerror=alert(1)>",
        sentiment="negative",
        intent="bug",
        requested_at=_at(START, 11),
    )
    JudgementCheck.objects.bulk_create(  # every other mention checked already: the draw can only be this one
        JudgementCheck(ticket_id=pk, checked_at=hostile.created_at, sentiment="neutral", intent="other")
        for pk in _drawable() - {hostile.pk}
    )
    page = client.get(f"{CHECK}?{QUERY}")
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="check-mention"' in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body and "<script>alert" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert 'data-testid="check-done"' not in body  # the desk's reading is not shown before the manager's

    answer = client.post(f"{CHECK}?{QUERY}", {"ticket": hostile.pk, "sentiment": "negative", "intent": "question"})
    body = answer.content.decode()
    assert answer.status_code == 200
    assert "You said Negative, Question; the desk said Negative, Bug report." in body
    check = JudgementCheck.objects.get(ticket=hostile)
    assert (check.checked_by, check.desk_sentiment, check.desk_intent) == (manager, "negative", "bug")
    assert 'data-testid="check-none"' in body  # nothing left to draw


def test_a_wrong_answer_is_said_beside_its_control_and_records_nothing(desk, client):
    client.force_login(ManagerFactory())
    ticket = check_draw(start=START, end=END)
    assert ticket is not None
    answer = client.post(f"{CHECK}?{QUERY}", {"ticket": ticket.pk, "sentiment": "furious", "intent": "bug"})
    assert answer.status_code == 400
    body = answer.content.decode()
    assert 'data-testid="check-error-sentiment"' in body and "Choose how the mention feels." in body
    assert f'name="ticket" value="{ticket.pk}"' in body  # the same mention again, the intent kept
    assert 'value="bug" checked' in body
    assert not JudgementCheck.objects.exists()


def test_a_mention_outside_the_range_is_refused(desk, client):
    client.force_login(ManagerFactory())
    outside = next(r["ticket"] for r in desk["rows"] if r["day"] < START)
    answer = client.post(f"{CHECK}?{QUERY}", {"ticket": outside.pk, "sentiment": "neutral", "intent": "other"})
    assert answer.status_code == 200 and 'data-testid="check-error-ticket"' in answer.content.decode()
    assert (
        client.post(f"{CHECK}?{QUERY}", {"ticket": "x", "sentiment": "neutral", "intent": "other"}).status_code == 200
    )
    assert not JudgementCheck.objects.exists()


def test_the_community_page_shows_the_measured_accuracy_beside_the_charts(desk, client):
    client.force_login(ManagerFactory())
    body = client.get(f"{reverse('metrics:community')}?{QUERY}").content.decode()
    assert "nobody has checked a sample of these mentions yet" in body
    assert f'href="{CHECK}?{QUERY.replace("&", "&amp;")}" data-testid="check-link"' in body
    for i, ticket in enumerate(Ticket.objects.filter(pk__in=_drawable()).order_by("pk")[:4]):
        wrong = "positive" if ticket.sentiment != "positive" else "negative"
        check_record(ticket=ticket, user=None, sentiment=ticket.sentiment if i else wrong, intent=ticket.intent)
    body = client.get(f"{reverse('metrics:community')}?{QUERY}&by=week").content.decode()
    assert "on 4 of these mentions drawn at random and checked by the team, the desk read the sentiment right 3" in body
    assert "(75.0 %, 95 % interval 30.1\u201395.4 %)" in body  # an en dash between the two
    assert "on 4 mentions drawn at random and checked by the team, the desk read the intent right 4 times" in body
