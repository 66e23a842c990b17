"""The recognition list (people.journey.recognition, people.views.recognition): a person who moved up a level is
listed for managers, thanked in one click with the level's gift (the gift flow: a Gift requested and a history
event) or a code from the level's batch (people.codes.code_give), or dismissed; each once. The level on the
requester card and the person page, merge and split recounting, and the erasure emptying activities' links.
No platform payload: the people and contributions are made as the person page makes them."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from people.codes import batch_upload
from people.contributions import contribution_add
from people.models import Activity, Gift, Level, Person, PersonEvent, Recognition
from people.privacy import person_erase
from people.services import person_merge, person_split
from people.tests.factories import IdentityFactory, PersonFactory, ticket_from
from people.tests.test_journey import journey_seeded

pytestmark = pytest.mark.django_db


def risen(name: str = "Vera Kowalska") -> Person:
    """Someone who gave a talk: 15 points, Participant, one open recognition."""
    journey_seeded()
    person = PersonFactory(name=name)
    contribution_add(person=person, kind="talk", on=date(2026, 11, 3), link="https://example.com/talk", user=None)
    return person


def test_a_level_up_is_listed_for_managers_only_and_the_people_pages_link_it(manager_client, advocate_client):
    vera = risen()
    Level.objects.filter(name="Participant").update(gift_item="Stickers <b>")
    assert advocate_client.get(reverse("people:recognition")).status_code == 403
    html = manager_client.get(reverse("people:recognition")).content.decode()
    assert html.count('data-testid="recognition-row"') == 1 and "Vera Kowalska" in html and "Participant" in html
    assert "Send Stickers &lt;b&gt;" in html and "<b>" not in html.split("recognition-list")[1]
    assert reverse("people:recognition") in manager_client.get(reverse("people:list")).content.decode()
    assert Recognition.objects.get().person == vera


def test_send_the_gift_in_one_click_through_the_gift_flow_once(manager_client):
    vera = risen()
    Level.objects.filter(name="Participant").update(gift_item="Stickers")
    recognition = Recognition.objects.get()
    url = reverse("people:recognition-decide", args=[recognition.pk, "gift"])
    response = manager_client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Stickers requested for Vera Kowalska." in response.content.decode()
    gift = Gift.objects.get(person=vera)
    assert (gift.item, gift.state, gift.sent_by) == ("Stickers", Gift.State.REQUESTED, manager_client.user)
    assert PersonEvent.objects.filter(person=vera, kind=PersonEvent.Kind.GIFT).count() == 1
    recognition.refresh_from_db()
    assert (recognition.state, recognition.decided_by) == (Recognition.State.GIFT_SENT, manager_client.user)
    again = manager_client.post(url, HTTP_HX_REQUEST="true")  # a second click: told, nothing sent
    assert again.status_code == 400 and "Already decided: gift sent." in again.content.decode()
    assert Gift.objects.count() == 1
    page = manager_client.get(reverse("people:recognition")).content.decode()
    assert 'data-testid="recognition-empty"' in page


def test_give_a_code_from_the_levels_batch_in_one_click_without_javascript(manager_client):
    vera = risen()
    other = batch_upload(name="Newer", text="NEWER-1\n", user=None).batch
    batch = batch_upload(name="Champions", text="LEVEL-1\nLEVEL-2\n", user=None).batch
    assert other.codes.count() == 1  # the newest batch would be taken without the level naming its own
    Level.objects.filter(name="Participant").update(discount_batch=batch)
    recognition = Recognition.objects.get()
    page = manager_client.get(reverse("people:recognition")).content.decode()
    assert "Give a code from Champions" in page
    response = manager_client.post(reverse("people:recognition-decide", args=[recognition.pk, "code"]))
    assert response.status_code == 303 and response["Location"].endswith("/people/recognition/#recognition")
    assert list(vera.codes.values_list("code", flat=True)) == ["LEVEL-1"]
    recognition.refresh_from_db()
    assert recognition.state == Recognition.State.CODE_SENT
    followed = manager_client.get(response["Location"]).content.decode()
    assert "Code LEVEL-1 given to Vera Kowalska" in followed


def test_dismiss_and_a_gift_with_none_suggested_is_refused(manager_client, advocate_client):
    risen()
    recognition = Recognition.objects.get()
    refused = manager_client.post(
        reverse("people:recognition-decide", args=[recognition.pk, "gift"]), HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 400 and "suggests no gift" in refused.content.decode()
    assert Recognition.objects.get().state == Recognition.State.OPEN and not Gift.objects.exists()
    url = reverse("people:recognition-decide", args=[recognition.pk, "dismiss"])
    assert advocate_client.post(url).status_code == 403
    assert manager_client.get(url).status_code == 405
    manager_client.post(url)
    assert Recognition.objects.get().state == Recognition.State.DISMISSED


def test_the_level_on_the_requester_card_and_the_person_page(advocate_client):
    vera = risen()
    ticket = ticket_from(IdentityFactory(person=vera, handle="vera_k"))
    card = advocate_client.get(ticket.get_absolute_url()).content.decode()
    assert 'data-testid="requester-level"' in card and "Participant" in card and "15 points" in card
    page = advocate_client.get(vera.get_absolute_url()).content.decode()
    assert 'data-testid="person-level"' in page and page.count('data-testid="journey-activity"') == 1
    assert "Gave a talk" in page and "+15" in page


def test_merge_adds_up_and_split_takes_the_tickets_asked_with_it():
    journey_seeded()
    vera, other = PersonFactory(name="Vera"), PersonFactory(name="Vera K")
    contribution_add(person=vera, kind="blog_post", on=date(2026, 11, 3), user=None)  # 8
    on_reddit = IdentityFactory(person=other, platform="reddit", handle="vkowalska")
    IdentityFactory(person=vera, handle="vera_k")
    contribution_add(person=other, kind="merge_request", on=date(2026, 11, 3), user=None)  # 10
    asked = ticket_from(on_reddit)  # as the ingest records it: the ticket is its requester's "asked" (1 point)
    Activity.objects.create(person=other, kind="asked", at=asked.requested_at, source=f"ticket:{asked.pk}")
    kept = person_merge(source=other, into=vera, actor=None)
    assert (kept.points, str(kept.level)) == (19, "Participant")  # 8 + 10 + 1
    # Split the Reddit account off again: the ticket it opened takes its "asked" with it.
    new = person_split(person=kept, identity_ids=[on_reddit.pk], actor=None)
    new.refresh_from_db()
    kept.refresh_from_db()
    assert (kept.points, new.points) == (18, 1)


def test_erasure_empties_the_activities_links_and_keeps_the_points():
    vera = risen()
    person_erase(person=vera, actor=None, via="page")
    vera.refresh_from_db()
    assert list(Activity.objects.filter(person=vera).values_list("kind", "link")) == [("talk", "")]
    assert vera.points == 15
