"""The contributor journey (people.journey): activities recorded from what the desk sees (a new ticket is its
requester's "asked", a contribution logged by hand or credited for an accepted answer is its kind's), each once,
the points and level kept on the person and moved by each batch, the full recount when the weights change, one
recognition per level reached (two concurrent ingests included), and the level in the rules and on the ticket.

Mentions are built as the Hacker News adapter returns them (channels.adapters.base.IncomingMention, shaped like
people/tests/test_ingest.py's, whose parser is tested against recorded Algolia payloads in
channels/adapters/hackernews/tests/)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from advocacy.celery import app as celery_app
from channels.adapters.base import IncomingMention
from channels.tests.factories import ChannelFactory
from channels.tests.hn import hn_mention
from intake.hooks import tickets_after_ingest
from intake.pipeline import mentions_ingest
from mentions.models import Rule, Ticket
from mentions.services.rules import rule_try
from mentions.tests.concurrency import at_once
from people.contributions import contribution_add
from people.journey.recompute import journey_recompute
from people.models import Activity, ActivityWeight, Identity, Level, Person, Recognition
from people.tests.factories import PersonFactory

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_ids = itertools.count(1)


def said(author: str, text: str = "How do I cache node_modules?") -> IncomingMention:
    n = next(_ids)
    return hn_mention(n, author, text, at=T0 + timedelta(minutes=n), prefix="j", author_name=author)


def ingested(*, channel, mentions: list[IncomingMention]) -> None:
    """A page ingested, then the worker's run after its commit (intake.tickets_ingested: the SLA clocks and every
    registered hook, the journey's "asked" among them) on the channel's tickets."""
    mentions_ingest(channel=channel, mentions=mentions)
    tickets_after_ingest(ticket_ids=list(Ticket.objects.filter(channel=channel).values_list("pk", flat=True)))


def journey_seeded() -> None:
    """The defaults the data migration seeds (a transactional test's flush empties them)."""
    weights = {"asked": 1, "answered": 5, "merged": 10, "talk": 15, "meetup": 15, "blog_post": 8, "other": 2}
    for kind, points in weights.items():
        ActivityWeight.objects.get_or_create(kind=kind, defaults={"points": points})
    for name, threshold, order in (
        ("Newcomer", 0, 0),
        ("Participant", 5, 1),
        ("Contributor", 25, 2),
        ("Champion", 80, 3),
    ):
        Level.objects.get_or_create(name=name, defaults={"threshold": threshold, "order": order})


def person(handle: str) -> Person:
    return Identity.objects.select_related("person__level").get(key=handle).person


@pytest.mark.django_db
def test_points_and_level_from_a_constructed_history(django_capture_on_commit_callbacks):
    journey_seeded()
    hn = ChannelFactory()
    # Three questions in two pages, each a new ticket: 3 x asked (1) = 3 points, Newcomer (0-4).
    ingested(channel=hn, mentions=[said("vera_k"), said("vera_k", "And the runner cache?")])
    ingested(channel=hn, mentions=[said("vera_k", "Why is my pipeline stuck?")])
    vera = person("vera_k")
    assert (vera.points, str(vera.level)) == (3, "Newcomer")
    # The ticket's requester level is the person's as the ingest read it, before the worker counted the page's
    # "asked": on the first page a first-timer's is none yet; on the second, Newcomer's (order 0).
    assert sorted(Ticket.objects.values_list("requester_level", flat=True), key=str) == [0, None, None]
    # By hand: a talk (15), a merged merge request (10), a blog post (8), a forum answer (5):
    # 3 + 15 + 10 + 8 + 5 = 41 points, Contributor (25-79).
    celery_app.conf.task_always_eager = True  # the worker's run of the level's refresh, here and now
    try:
        with django_capture_on_commit_callbacks(execute=True):  # queued on commit
            for kind in ("talk", "merge_request", "blog_post", "forum_answer"):
                contribution_add(
                    person=vera, kind=kind, on=date(2026, 11, 3), link=f"https://example.com/{kind}", user=None
                )
    finally:
        celery_app.conf.task_always_eager = False
    vera = person("vera_k")
    assert (vera.points, str(vera.level)) == (41, "Contributor")
    kinds = sorted(Activity.objects.filter(person=vera).values_list("kind", flat=True))
    assert kinds == ["answered", "asked", "asked", "asked", "blog_post", "merged", "talk"]
    # Their open tickets take each new level as it is reached (Contributor's order: 2), after the commit.
    assert set(Ticket.objects.values_list("requester_level", flat=True)) == {2}
    # Up from Newcomer twice (Participant at 3 + 15 = 18 points, Contributor at 18 + 10 = 28):
    # a recognition each, nothing more.
    steps = Recognition.objects.filter(person=vera).order_by("to_level__threshold")
    assert [(str(r.from_level), r.to_level.name, r.state) for r in steps] == [
        ("Newcomer", "Participant", "open"),
        ("Participant", "Contributor", "open"),
    ]


@pytest.mark.django_db
def test_re_ingesting_the_same_page_counts_nothing_twice():
    journey_seeded()
    hn = ChannelFactory()
    page = [said("ana"), said("ana", "Another question"), said("bo")]
    ingested(channel=hn, mentions=page)
    ingested(channel=hn, mentions=page)  # a re-delivery: no new ticket, no new activity
    assert (person("ana").points, person("bo").points) == (2, 1)
    assert Activity.objects.count() == 3
    journey_recompute()  # the recount agrees with what the ingest moved
    assert (person("ana").points, person("bo").points) == (2, 1)


@pytest.mark.django_db
def test_a_weight_change_recounts_everyone_and_their_open_tickets_take_the_new_level():
    journey_seeded()
    hn = ChannelFactory()
    ingested(channel=hn, mentions=[said("ana", f"Question {i}") for i in range(6)])
    ana = person("ana")
    assert (ana.points, str(ana.level)) == (6, "Participant")
    recognitions = Recognition.objects.count()
    ActivityWeight.objects.filter(kind="asked").update(points=5)  # as admin saves it, then recounts
    assert journey_recompute() == 1
    ana = person("ana")
    assert (ana.points, str(ana.level)) == (30, "Contributor")
    assert set(Ticket.objects.values_list("requester_level", flat=True)) == {2}
    assert Recognition.objects.count() == recognitions  # a change of scale recognises nobody


@pytest.mark.django_db
def test_a_rule_on_the_requester_level_fires_from_contributor_up_and_the_dry_run_agrees():
    journey_seeded()
    hn = ChannelFactory()
    known = PersonFactory(name="Known")
    Identity.objects.create(person=known, platform="hackernews", key="known", handle="known")
    contribution_add(person=known, kind="talk", on=date(2026, 11, 1), user=None)
    contribution_add(person=known, kind="merge_request", on=date(2026, 11, 1), user=None)  # 25: Contributor
    Rule.objects.create(name="Contributors", enabled=True, requester_level_min=2, add_tags="contributor")
    ingested(channel=hn, mentions=[said("known"), said("stranger")])
    tagged = {t.requester_handle: set(t.tags.values_list("name", flat=True)) for t in Ticket.objects.all()}
    assert tagged == {"known": {"contributor"}, "stranger": set()}
    assert dict(Ticket.objects.values_list("requester_handle", "requester_level")) == {"known": 2, "stranger": None}
    result = rule_try(rule=Rule(name="Try", requester_level_min=2), channel_ids=[], macro_actions=[])
    assert [m.ticket.requester_handle for m in result.matches] == ["known"]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_ingests_crossing_a_level_make_exactly_one_recognition():
    """Two channels ingest new tickets by the same person at the same moment, on two connections: 4 points
    before, +3 each, so the 5-point step (Participant) is crossed by whichever commits first, once."""
    journey_seeded()
    channels = [ChannelFactory(), ChannelFactory()]
    ingested(channel=channels[0], mentions=[said("vera_k", f"Before {i}") for i in range(4)])
    at_once(2, lambda i: ingested(channel=channels[i], mentions=[said("vera_k", f"Ch {i} q {n}") for n in range(3)]))
    vera = person("vera_k")
    assert (vera.points, str(vera.level)) == (10, "Participant")
    assert list(Recognition.objects.values_list("to_level__name", flat=True)) == ["Participant"]
