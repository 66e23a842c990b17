"""A person with one contributor-journey point reads "1 point", not "1 points" (the demo showed it): the person
page, as a signed-in advocate sees it. The level is the lowest the journey's data migration seeds (people 0012)."""

import pytest
from django.urls import reverse

from people.models import Level
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("points", "said"), [(1, "1 point in"), (2, "2 points in")])
def test_the_person_page_says_point_for_one(advocate_client, points, said):
    # The journey's data migration seeds the levels; a test database emptied by a transactional test has none.
    level = Level.objects.order_by("threshold").first() or Level.objects.create(name="Newcomer", threshold=0, order=0)
    person = PersonFactory(points=points, level=level)
    page = advocate_client.get(reverse("people:person", args=[person.pk])).content.decode()
    assert f"{said} the contributor journey" in page
    assert f"{points} point{'s' if points != 1 else ''}</p>" in page
