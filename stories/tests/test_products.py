"""Release days and stories per product (issue 71, docs/products.md): a release source and its plans may belong to a
product and the plan's story takes it; a story the detector makes takes its ticket's product; a new ticket prefers a
story of its own product (or the desk's) over another product's, by link and by words, and still joins another
product's story when it is the only one that fits. With one product the field is not asked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mentions.models import ProductProfile
from stories.detection.detector import stories_detect
from stories.detection.text import link_normalise, text_words
from stories.incidents.record import story_keys_write
from stories.models import Membership, ReleasePlan, ReleaseSource, Story
from stories.releases.opening import plan_open
from stories.releases.plans import plan_record
from stories.releases.posts import ReleasePost
from stories.tests.helpers import RELEASE_DAY, mention

pytestmark = pytest.mark.django_db

POST = "https://blog.example.com/posts/release-4-2/"  # naming no product: a host or path naming one would count


@pytest.fixture
def kiln_and_cloud():
    return ProductProfile.objects.create(name="Kiln"), ProductProfile.objects.create(name="Kiln Cloud")


def story_of(ticket) -> Story | None:
    membership = Membership.objects.filter(ticket=ticket).select_related("story").first()
    return membership.story if membership else None


def live_story(title: str, product: ProductProfile | None, *, size: int, words: str = "") -> Story:
    """A story keyed on the post's address (and `words`), as a release plan or an incident opens one."""
    story = Story.objects.create(
        title=title, origin=Story.Origin.RELEASE, product=product, size=size, first_at=RELEASE_DAY, last_at=RELEASE_DAY
    )
    story_keys_write(story, [link_normalise(POST)], text_words(words) if words else {}, RELEASE_DAY)
    return story


def test_a_ticket_joins_its_products_story_by_link_before_a_larger_one_of_another_product(kiln_and_cloud):
    kiln, cloud = kiln_and_cloud
    on_kiln = live_story("Kiln 4.2", kiln, size=40)
    on_cloud = live_story("Kiln Cloud on 4.2", cloud, size=3)
    at = RELEASE_DAY + timedelta(minutes=10)
    for_cloud = mention("twitter", f"Kiln Cloud moved to 4.2 today {POST}", at=at)
    for_kiln = mention("reddit", f"Upgraded our Kiln to 4.2: {POST}", at=at + timedelta(minutes=1))
    stories_detect()
    assert story_of(for_cloud) == on_cloud  # the larger Kiln story would have taken it on size alone
    assert story_of(for_kiln) == on_kiln


def test_a_desk_wide_story_counts_as_the_tickets_own_and_another_products_is_joined_when_alone(kiln_and_cloud):
    kiln, _cloud = kiln_and_cloud
    on_kiln = live_story("Kiln 4.2", kiln, size=5)
    for_cloud = mention("twitter", f"Kiln Cloud moved to 4.2 today {POST}", at=RELEASE_DAY + timedelta(minutes=5))
    stories_detect()
    assert story_of(for_cloud) == on_kiln  # the only story of that post: a preference, never a wall

    desk_wide = live_story("4.2 everywhere", None, size=1)
    later = mention("twitter", f"Kiln Cloud 4.2 again {POST}", at=RELEASE_DAY + timedelta(minutes=20))
    stories_detect()
    assert story_of(later) == desk_wide


def test_a_ticket_joins_its_products_story_by_words_before_one_it_reads_more_like(kiln_and_cloud):
    kiln, cloud = kiln_and_cloud
    words = "stacked diffs merge trains released"
    counts = {stem: [word, 6] for stem, word in text_words(words).items()}
    on_kiln = Story.objects.create(
        title="Kiln stacked diffs", origin=Story.Origin.TERMS, product=kiln, size=6, term_counts=counts,
        first_at=RELEASE_DAY, last_at=RELEASE_DAY,
    )  # fmt: skip
    on_cloud = Story.objects.create(
        title="Cloud stacked diffs", origin=Story.Origin.TERMS, product=cloud, size=6,
        term_counts=dict(list(counts.items())[:3]), first_at=RELEASE_DAY,
        last_at=RELEASE_DAY,
    )  # fmt: skip
    at = RELEASE_DAY + timedelta(minutes=5)
    ticket = mention("twitter", "Kiln Cloud stacked diffs and merge trains released, finally", at=at)
    stories_detect()
    assert story_of(ticket) == on_cloud
    assert on_kiln.pk != on_cloud.pk


def test_a_story_the_detector_makes_takes_its_tickets_product(kiln_and_cloud):
    _kiln, cloud = kiln_and_cloud
    first = mention("twitter", f"Kiln Cloud 4.2 is live {POST}", at=RELEASE_DAY)
    second = mention("reddit", f"see {POST}", at=RELEASE_DAY + timedelta(minutes=3))
    stories_detect()
    story = story_of(first)
    assert story is not None and story_of(second) == story
    assert story.product == cloud


def test_a_release_sources_plans_and_their_stories_take_its_product(kiln_and_cloud):
    _kiln, cloud = kiln_and_cloud
    source = ReleaseSource.objects.create(name="Cloud blog", feed_url="https://cloud.example.com/feed/", product=cloud)
    post = ReleasePost(url=POST, title="Kiln Cloud 4.2 released", version="4.2", published_at=RELEASE_DAY, features=())
    plan, made = plan_record(post, source=source, via=ReleasePlan.Via.FEED, now=RELEASE_DAY)
    assert made and plan is not None and plan.product == cloud
    assert plan_open(plan.pk, now=RELEASE_DAY) == 1
    plan.refresh_from_db()
    assert plan.story is not None and plan.story.product == cloud


def test_the_detectors_story_of_the_post_takes_the_plans_product(kiln_and_cloud):
    kiln, _cloud = kiln_and_cloud
    first = mention("twitter", f"4.2 is live {POST}", at=RELEASE_DAY)
    mention("reddit", f"see {POST}", at=RELEASE_DAY + timedelta(minutes=3))
    stories_detect()
    made = story_of(first)
    assert made is not None and made.product == kiln  # the channel has none: the desk's first
    Story.objects.filter(pk=made.pk).update(product=None)
    plan = ReleasePlan.objects.create(
        url=POST, url_key=link_normalise(POST), title="Kiln 4.2", release_date=RELEASE_DAY.date(), product=kiln
    )
    assert plan_open(plan.pk, now=RELEASE_DAY + timedelta(minutes=30)) == 1
    made.refresh_from_db()
    assert made.product == kiln


def test_with_one_product_the_release_forms_ask_nothing_new(admin_client):
    ProductProfile.objects.create(name="Kiln")
    assert 'name="product"' not in admin_client.get("/admin/stories/releasesource/add/").content.decode()
    assert 'name="product"' not in admin_client.get("/admin/stories/releaseplan/add/").content.decode()
    ProductProfile.objects.create(name="Kiln Cloud")
    assert 'name="product"' in admin_client.get("/admin/stories/releasesource/add/").content.decode()
    assert 'name="product"' in admin_client.get("/admin/stories/releaseplan/add/").content.decode()
