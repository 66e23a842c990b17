"""Share of voice (issue 70): a poll also searches one competitor's terms through the adapter's own search, stores
what it finds once as counted, judged rows, never as tickets, and within the channel's request budget.

Platform shapes: Algolia's search_by_date hits as recorded in channels/adapters/hackernews/tests/fixtures (its
SOURCES.md says where each came from), answered by channels.tests.hn.FakeAlgolia through `responses`."""

import time

import pytest
import responses

from channels.adapters import get_adapter
from channels.adapters.hackernews import SEARCH_URL
from channels.adapters.hackernews.client import FRONT_PAGE_URL
from channels.adapters.registry import kinds_where, platform_of
from channels.freshness import poll_interval
from channels.models import Channel, Competitor, CompetitorMention, CompetitorSearch
from channels.tests.factories import ChannelFactory
from channels.tests.harness import poll
from channels.tests.hn import FakeAlgolia, comment_hit, story_hit
from mentions.models import Ticket

pytestmark = pytest.mark.django_db


def _queries(fake: FakeAlgolia) -> list[str]:
    return [r.get("query", "") for r in fake.requests]


@responses.activate
def test_a_poll_stores_a_competitors_mentions_once_judged_and_never_as_tickets():
    now = int(time.time())
    channel = ChannelFactory()
    acme = Competitor.objects.create(name="Acme CI", terms=["acme ci"])
    fake = FakeAlgolia(
        [
            story_hit(1, now - 300, title="Moving our pipelines to GitLab"),
            comment_hit(2, now - 200, text="Acme CI is wonderful, I love how fast it is!", author="carol"),
            comment_hit(3, now - 100, text="Acme CI crashed again, awful error 500 on every build", author="dave"),
        ]
    )

    first = poll(channel)

    assert first.status == "ok"
    assert _queries(fake).count("acme ci") == 1  # the competitor's one term, searched once in the poll
    rows = {r.external_id: r for r in CompetitorMention.objects.filter(competitor=acme)}
    assert set(rows) == {"2", "3"}
    assert (rows["2"].sentiment, rows["3"].sentiment) == ("positive", "negative")
    assert rows["2"].author == "carol" and rows["2"].kind == "hackernews" and rows["2"].channel_id == channel.pk
    # Our own mention is a ticket; the competitor's are not, and none of their words is kept anywhere of the desk's.
    assert list(Ticket.objects.filter(channel=channel).values_list("subject", flat=True)) == [
        "Moving our pipelines to GitLab"
    ]
    search = CompetitorSearch.objects.get(channel=channel, competitor=acme)
    assert search.searched_at is not None and search.last_error == "" and "acme ci" in str(search.cursor)
    assert "acme ci" not in str(Channel.objects.get(pk=channel.pk).cursor)  # the channel's own cursor untouched

    fake.add(comment_hit(4, now - 10, text="Trying Acme CI today", author="erin"))
    poll(channel)

    # The overlap re-reads items 2 and 3; each is counted once, and the new one is added.
    assert sorted(CompetitorMention.objects.values_list("external_id", flat=True)) == ["2", "3", "4"]
    assert Ticket.objects.filter(channel=channel).count() == 1


@responses.activate
def test_two_competitors_are_searched_in_turn_one_per_poll():
    channel = ChannelFactory()
    Competitor.objects.create(name="Acme CI", terms=["acme ci", "acmeci"])
    Competitor.objects.create(name="Forgeworks", terms=["forgeworks"])
    Competitor.objects.create(name="Off", terms=["offline"], enabled=False)
    fake = FakeAlgolia([])

    poll(channel)
    first = _queries(fake)
    fake.requests.clear()
    poll(channel)
    second = _queries(fake)
    fake.requests.clear()
    poll(channel)

    assert {"acme ci", "acmeci"} <= set(first) and "forgeworks" not in first
    assert "forgeworks" in second and not {"acme ci", "acmeci"} & set(second)
    assert {"acme ci", "acmeci"} <= set(_queries(fake))  # Acme's turn again
    assert "offline" not in first + second  # a competitor switched off is not searched


@responses.activate
def test_the_poll_interval_counts_the_competitor_search_and_a_backlog_skips_it():
    channel = ChannelFactory(config={"keywords": ["gitlab"], "hourly_request_budget": 100})
    alone = poll_interval(channel).seconds
    Competitor.objects.create(name="Acme CI", terms=["acme ci", "acmeci"])
    # One keyword and two competitor terms: three searches a poll within the same half of 100 an hour.
    assert poll_interval(channel).seconds == 3 * alone

    now = int(time.time())
    fake = FakeAlgolia([story_hit(n, now - 1000 + n, title=f"GitLab {n}") for n in range(1, 6)])
    # A poll that cannot read the channel's own backlog whole leaves the competitor for a later poll.
    Channel.objects.filter(pk=channel.pk).update(
        config={"keywords": ["gitlab"], "hits_per_page": 2, "max_requests_per_poll": 1}
    )
    poll(channel)
    assert "acme ci" not in _queries(fake)
    assert not CompetitorSearch.objects.exists() and not CompetitorMention.objects.exists()


@responses.activate
def test_a_failing_competitor_search_is_recorded_and_the_channels_poll_stands():
    now = int(time.time())
    channel = ChannelFactory()
    acme = Competitor.objects.create(name="Acme CI", terms=["acme ci"])
    fake = FakeAlgolia([story_hit(1, now - 60, title="GitLab runners")], mock=None)

    def answer(request):
        if "acme" in request.url:
            return 502, {}, "bad gateway"
        return fake.answer(request)

    responses.add_callback(responses.GET, SEARCH_URL, callback=answer)
    responses.add_callback(responses.GET, FRONT_PAGE_URL, callback=fake.answer_front_page)

    outcome = poll(channel)

    assert outcome.status == "ok" and channel.health == Channel.Health.OK
    assert Ticket.objects.filter(channel=channel).count() == 1
    search = CompetitorSearch.objects.get(channel=channel, competitor=acme)
    assert "502" in search.last_error and search.searched_at is not None
    assert not CompetitorMention.objects.exists()


@pytest.mark.parametrize("kind", kinds_where(lambda p: bool(p.competitor_search)))
def test_each_searching_platform_takes_its_competitor_search_as_a_config_of_its_own(kind):
    """The declared search is a config the platform's own validation takes: the competitor's terms only, the
    channel's other reads off (so the search spends only its terms' requests)."""
    platform = platform_of(kind)
    config = platform.competitor_config(platform.example_config(), ["acme ci", "acmeci"])
    assert config is not None and platform.budget is not None
    cleaned = get_adapter(kind).validate_config(config)
    assert cleaned["keywords"] == ["acme ci", "acmeci"] and cleaned["backfill_hours"] == 24
    channel = ChannelFactory.build(kind=kind, config=config)
    assert {b.requests for b in platform.budget(channel, config)} == {2}  # one search per term, nothing else
    # The desk's reach for a first search (DESK_COMPETITOR_BACKFILL_HOURS, a month on the demo) is one it takes.
    if "backfill_hours" in config:
        assert get_adapter(kind).validate_config({**config, "backfill_hours": 720})["backfill_hours"] == 720
