"""The list pages run the same queries with N rows and with 3N (issue 41): the queue's stories block, the stories
list, the people list, a person page and the contributors page. Each count is pinned, so a new query on one of these
pages is a decision made here; what each page shows is checked beside it, so a page made cheap by showing less fails
too."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from channels.tests.factories import ChannelFactory
from mentions.models import Ticket
from mentions.search.tickets import COUNT_CAP
from mentions.tests.factories import MessageFactory, TicketFactory, UserFactory, ViewFactory
from people.contributors import PAGE_SIZE as CONTRIBUTORS_PAGE_SIZE
from people.models import Authorship, Contribution, Identity, Person, PersonEvent
from people.selectors import PEOPLE_PAGE_SIZE
from people.tests.factories import IdentityFactory, PersonFactory, person_tag, ticket_from
from people.tests.test_pages import _queries  # the warmed-up count the people pages' tests use
from stories.models import Membership, Story
from stories.tests.helpers import channel
from tests.test_query_counts import QUEUE_QUERIES

pytestmark = pytest.mark.django_db

# The navigation's two counts (the session user from memory: mentions/permissions/user_cache.py), then the page's own:
# the newest stories, their memberships and those tickets (counted per platform, and how many wait:
# stories.answering.page_reads.stories_counts).
STORY_LIST_QUERIES = 5
# The people list: the navigation's two counts, the tags for the filter, then the page's rows
# (and one more), their identities, their tags, when last seen, and the count that stops at COUNT_CAP.
PEOPLE_LIST_QUERIES = 8
# A person page as an advocate sees it: the navigation's two counts, the person with
# identities and tags, when each identity was last seen, the tags to add, likenesses (five), their history (two),
# their events, the contributions section (two), the contributor journey's latest activities with their weights
# (one, since issue 46: the level comes with the person).
PERSON_QUERIES = 19
PERSON_MANAGER_QUERIES = 21  # and the gifts and codes section
# The contributors page: the navigation's two counts, then the page's contributors (and one more), the count that
# stops at COUNT_CAP, their identities, their latest contributions and their counts per kind.
CONTRIBUTORS_QUERIES = 7
# The recognition page (issue 46): the navigation's two counts, then the open recognitions with their people,
# levels and the levels' batches (one).
RECOGNITION_QUERIES = 3


def _stories(n: int, *, start: int = 0) -> list[Story]:
    """n stories, each with two tickets waiting, one assigned and one solved, on two platforms."""
    now = timezone.now()
    x, reddit = channel("twitter"), channel("reddit")
    advocate = UserFactory()
    made = []
    for i in range(start, start + n):
        story = Story.objects.create(
            title=f"Story {i}", origin=Story.Origin.TERMS, first_at=now, last_at=now - timedelta(minutes=i), size=4
        )
        tickets = [
            TicketFactory(channel=x),
            TicketFactory(channel=reddit),
            TicketFactory(channel=x, status=Ticket.Status.OPEN, assignee=advocate),
            TicketFactory(channel=reddit, status=Ticket.Status.SOLVED, solved_at=now),
        ]
        Membership.objects.bulk_create(
            Membership(story=story, ticket=t, via=Membership.Via.TERMS, reason="shares: x") for t in tickets
        )
        made.append(story)
    return made


def test_the_queue_and_the_stories_list_ask_the_same_queries_for_3_or_9_stories(
    advocate_client, django_assert_num_queries
):
    ViewFactory(name="Everything", slug="everything")
    _stories(3)
    queue, listing = _queries(advocate_client, "/"), _queries(advocate_client, reverse("stories:list"))
    _stories(6, start=3)
    with django_assert_num_queries(queue):
        html = advocate_client.get("/").content.decode()
    assert html.count('data-testid="queue-story"') == 8  # at most eight, newest activity first
    assert "Story 0" in html and "Story 7" in html and "Story 8" not in html
    assert "4 tickets · <strong>2 waiting</strong>" in html and "Reddit 2, X 2" in html
    with django_assert_num_queries(listing):
        html = advocate_client.get(reverse("stories:list")).content.decode()
    assert html.count('data-testid="story-row"') == 9 and "<strong>2</strong>" in html
    # The queue's pinned count (tests/test_query_counts.py: a desk without stories, where the block is one query,
    # and an advocate with tickets of their own): here the block's two more reads, and no tickets of their own, so
    # none of the marks' two reads (the requesters', the hand-overs' since issue 44) the pinned count has.
    assert (queue, listing) == (QUEUE_QUERIES - 1, STORY_LIST_QUERIES)


@pytest.mark.django_db(transaction=True)
def test_the_queues_stories_are_rendered_once_per_change_and_shared(settings):
    """As deployed (the fragment cache on): a second advocate's queue reads no story, and a ticket's change (the
    stamp moves at its commit) shows at once."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from mentions.tests.factories import AdvocateFactory

    settings.DESK_FRAGMENT_CACHE = True
    ViewFactory(name="Everything", slug="everything")
    (story,) = _stories(1)
    ada, bo = Client(), Client()
    ada.force_login(AdvocateFactory())
    bo.force_login(AdvocateFactory())
    assert "4 tickets · <strong>2 waiting</strong>" in ada.get("/").content.decode()
    with CaptureQueriesContext(connection) as shared:
        page = bo.get("/").content.decode()
    assert "4 tickets · <strong>2 waiting</strong>" in page
    assert not [q for q in shared if "stories_" in q["sql"]], "the block was read again"
    waiting = Ticket.objects.filter(story_membership__story=story, status__in=Ticket.WAITING_STATUSES).first()
    assert waiting is not None
    waiting.status = Ticket.Status.SOLVED
    waiting.save()
    assert "<strong>1 waiting</strong>" in bo.get("/").content.decode()


def test_the_queue_leaves_out_stories_with_nothing_waiting_or_closed(advocate_client):
    ViewFactory(name="Everything", slug="everything")
    waiting, served, closed = _stories(3)
    Ticket.objects.filter(story_membership__story=served, status__in=Ticket.WAITING_STATUSES).update(
        status=Ticket.Status.SOLVED
    )
    Story.objects.filter(pk=closed.pk).update(state=Story.State.CLOSED)
    html = advocate_client.get("/").content.decode()
    assert html.count('data-testid="queue-story"') == 1 and f'data-story="{waiting.pk}"' in html


def test_the_people_list_asks_the_same_queries_for_10_or_30_people_and_stops_counting_at_the_cap(
    advocate_client, django_assert_num_queries
):
    def people(n: int, start: int) -> None:
        for i in range(start, start + n):
            identity = IdentityFactory(person=PersonFactory(name=f"Person {i:04d}"), handle=f"p{i}")
            IdentityFactory(person=identity.person, platform="reddit", handle=f"p{i}r")
            person_tag(identity.person, "press" if i % 2 else "customer")
            ticket_from(identity)

    people(10, 0)
    few = _queries(advocate_client, reverse("people:list"))
    people(20, 10)
    with django_assert_num_queries(few):
        html = advocate_client.get(reverse("people:list")).content.decode()
    assert html.count('data-testid="person-row"') == 30 and "30 people · page 1" in html
    assert few == PEOPLE_LIST_QUERIES

    Person.objects.bulk_create(Person(name=f"Zed {i:04d}") for i in range(COUNT_CAP))
    with django_assert_num_queries(few):
        html = advocate_client.get(reverse("people:list")).content.decode()
    assert html.count('data-testid="person-row"') == PEOPLE_PAGE_SIZE
    assert f"{COUNT_CAP:,}+ people · page 1" in html and 'rel="next"' in html and 'rel="prev"' not in html
    second = advocate_client.get(reverse("people:list"), {"page": 2}).content.decode()
    assert "page 2" in second and 'rel="prev"' in second and "Person 0000" not in second
    found = advocate_client.get(reverse("people:list"), {"q": "Person 001"}).content.decode()
    assert "10 people · page 1" in found and 'rel="next"' not in found


def _person_with(person: Person, n: int) -> None:
    """n more of everything a person page lists: identities with tickets and messages, contributions, events."""
    channel = ChannelFactory()
    for i in range(n):
        identity = IdentityFactory(person=person, platform="reddit" if i % 2 else "hackernews")
        ticket = ticket_from(identity, channel=channel)
        Authorship.objects.create(message=MessageFactory(ticket=TicketFactory(channel=channel)), identity=identity)
        MessageFactory(ticket=ticket)
        Contribution.objects.create(person=person, kind=Contribution.Kind.TALK, date=date(2026, 1, 1 + i % 28))
        PersonEvent.objects.create(person=person, kind=PersonEvent.Kind.TAGGED, data={"tag": f"t{i}"})
    IdentityFactory(person=PersonFactory(name=person.name), platform="email", handle=f"{n}@example.com")


@pytest.mark.parametrize("who", ["advocate", "manager"])
def test_a_person_page_asks_the_same_queries_with_5_or_15_identities_tickets_and_contributions(
    who, advocate_client, manager_client, django_assert_num_queries
):
    client = advocate_client if who == "advocate" else manager_client
    vera = PersonFactory(name="Vera Kowalska")
    _person_with(vera, 5)
    few = _queries(client, vera.get_absolute_url())
    _person_with(vera, 10)
    with django_assert_num_queries(few):
        html = client.get(vera.get_absolute_url()).content.decode()
    assert html.count('data-testid="history-ticket"') == 30  # the tickets they opened and those they wrote in
    assert html.count('data-testid="contribution"') == 15
    assert Identity.objects.filter(person=vera).count() == 15 and "same name Vera Kowalska" in html
    assert few == (PERSON_QUERIES if who == "advocate" else PERSON_MANAGER_QUERIES)


def _contributors(n: int, *, start: int = 0) -> None:
    """n contributors in turn in each region, each with two identities and five contributions; every other one
    tagged core contributor; and as many people who contributed nothing (never listed)."""
    regions = [Person.Region.AMERICAS, Person.Region.EMEA, Person.Region.APAC, Person.Region.UNKNOWN]
    for i in range(start, start + n):
        person = PersonFactory(name=f"Contributor {i:04d}", region=regions[i % 4])
        IdentityFactory(person=person, handle=f"c{i}")
        IdentityFactory(person=person, platform="reddit", handle=f"c{i}r")
        Contribution.objects.bulk_create(
            Contribution(person=person, kind=kind, date=date(2026, 1, 1 + day), title=f"C{i} {day}")
            for day, kind in enumerate(["talk", "talk", "meetup", "blog_post", "merge_request"])
        )
        if i % 2:
            person_tag(person, "core contributor")
        IdentityFactory(person=PersonFactory(name=f"Lurker {i:04d}"))


def test_the_contributors_page_asks_the_same_queries_for_4_or_12_contributors_and_stops_counting_at_the_cap(
    manager_client, django_assert_num_queries
):
    url = reverse("people:contributors")
    _contributors(4)
    few = _queries(manager_client, url)
    _contributors(8, start=4)
    with django_assert_num_queries(few):
        html = manager_client.get(url).content.decode()
    assert html.count('data-testid="contributor"') == 12 and "12 contributors · page 1" in html
    assert "Lurker" not in html and 'rel="next"' not in html
    # In region order, each with its counts per kind and its latest three contributions.
    regions = [html.index(f'data-testid="region-{r}"') for r in ("Americas", "EMEA", "APAC", "Unknown")]
    assert regions == sorted(regions) and html.index("Contributor 0004") < regions[1]
    assert "C11 4" in html and "C11 2" in html and "C11 1" not in html
    assert '<td class="num">2</td>' in html and '<td class="num">5</td>' in html
    assert few == CONTRIBUTORS_QUERIES

    # Past the cap: a page of them, "1,000+", the same queries; the next page follows in the same order.
    everyone = Person.objects.bulk_create(Person(name=f"Zed {i:04d}") for i in range(COUNT_CAP))
    Contribution.objects.bulk_create(
        Contribution(person=p, kind="talk", date=date(2026, 2, 1), title="Zed talk") for p in everyone
    )
    with django_assert_num_queries(few):
        html = manager_client.get(url).content.decode()
    assert html.count('data-testid="contributor"') == CONTRIBUTORS_PAGE_SIZE
    assert f"{COUNT_CAP:,}+ contributors · page 1" in html and 'rel="next"' in html and 'rel="prev"' not in html
    second = manager_client.get(url, {"page": 2}).content.decode()
    assert "page 2" in second and 'rel="prev"' in second and "Contributor 0004" not in second
    assert second.count('data-testid="contributor"') == CONTRIBUTORS_PAGE_SIZE
    since = manager_client.get(url, {"since": "2026-01-03"}).content.decode()  # the Zeds' talks are later
    assert "since=2026-01-03&amp;page=2" in since


def test_the_recognition_page_asks_the_same_queries_for_2_or_10_open_recognitions(
    manager_client, django_assert_num_queries
):
    from people.codes import batch_upload
    from people.models import Level, Recognition

    batch = batch_upload(name="Thanks", text="T-1\n", user=None).batch
    level, _ = Level.objects.get_or_create(name="Participant", defaults={"threshold": 5, "order": 1})
    Level.objects.filter(pk=level.pk).update(gift_item="Stickers", discount_batch=batch)

    def recognised(n: int, start: int = 0) -> None:
        people = [PersonFactory(name=f"Risen {i}") for i in range(start, start + n)]
        Recognition.objects.bulk_create(
            Recognition(person=p, to_level=level, created_at=timezone.now()) for p in people
        )

    url = reverse("people:recognition")
    recognised(2)
    few = _queries(manager_client, url)
    recognised(8, start=2)
    with django_assert_num_queries(few):
        html = manager_client.get(url).content.decode()
    assert html.count('data-testid="recognition-row"') == 10 and html.count("Give a code from Thanks") == 10
    assert few == RECOGNITION_QUERIES
