"""Contributions logged by advocates and gifts sent by managers, from the person page; a gift's postal
address goes in the same UPDATE that marks it shipped."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentions.tests.factories import ManagerFactory
from people.contributions import contribution_add, gift_add, gift_state_set
from people.models import Contribution, Gift, PersonEvent
from people.tests.factories import PersonFactory


def _logged(client, form):
    """A new person and the answer to `client` posting `form` on their page's "Log a contribution"."""
    vera = PersonFactory()
    return vera, client.post(reverse("people:contribution-add", args=[vera.pk]), form)


@pytest.mark.django_db
def test_an_advocate_logs_a_contribution_from_the_person_page_and_it_is_in_the_history(advocate_client):
    vera, response = _logged(
        advocate_client,
        {"kind": "talk", "date": "2026-10-02", "title": "Caching at scale", "link": "https://example.com/talk"},
    )
    assert response.status_code == 303 and response["Location"].endswith("#contributions")
    contribution = Contribution.objects.get(person=vera)
    assert (contribution.kind, contribution.date, contribution.recorded_by) == (
        "talk",
        date(2026, 10, 2),
        advocate_client.user,
    )
    event = PersonEvent.objects.get(person=vera, kind=PersonEvent.Kind.CONTRIBUTION)
    assert event.data["title"] == "Caching at scale" and event.actor == advocate_client.user
    page = advocate_client.get(response["Location"]).content.decode()
    assert 'href="https://example.com/talk"' in page and "Caching at scale" in page


@pytest.mark.django_db
def test_a_refused_contribution_comes_back_with_what_was_typed_and_the_error_beside_the_field(advocate_client):
    _, response = _logged(advocate_client, {"kind": "talk", "date": "not a date", "title": "Kept title", "link": ""})
    page = advocate_client.get(response["Location"]).content.decode()
    assert 'value="Kept title"' in page and "Enter a valid date." in page
    assert not Contribution.objects.exists()
    # Shown once: the next view of the page has an empty form.
    assert 'value="Kept title"' not in advocate_client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_a_contribution_link_that_is_not_http_never_becomes_a_link(advocate_client):
    vera = PersonFactory()
    Contribution.objects.create(person=vera, kind="blog_post", date=date(2026, 1, 1), title="Post", link="ftp://x.io/a")
    page = advocate_client.get(reverse("people:person", args=[vera.pk])).content.decode()
    assert "ftp://x.io/a" not in page and "Post" in page


@pytest.mark.django_db
def test_shipping_a_gift_blanks_its_postal_address_in_the_stored_row_and_the_history_never_holds_it():
    manager = ManagerFactory()
    vera = PersonFactory()
    gift = gift_add(person=vera, item="Hoodie (L)", postal_address="Vera K.\n1 Main St\nBerlin", user=manager)
    gift_state_set(gift=gift, state=Gift.State.ORDERED, user=manager)
    assert Gift.objects.values_list("postal_address", flat=True).get(pk=gift.pk) == "Vera K.\n1 Main St\nBerlin"

    with CaptureQueriesContext(connection) as queries:
        gift_state_set(gift=gift, state=Gift.State.SHIPPED, user=manager)

    state, address, shipped_at = Gift.objects.values_list("state", "postal_address", "shipped_at").get(pk=gift.pk)
    assert (state, address) == ("shipped", "") and shipped_at is not None
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "people_gift"')]
    assert len(updates) == 1 and '"postal_address"' in updates[0] and '"state"' in updates[0]
    events = PersonEvent.objects.filter(person=vera, kind=PersonEvent.Kind.GIFT)
    assert [e.data.get("to") for e in events.order_by("id")] == ["requested", "ordered", "shipped"]
    assert all("Main St" not in str(e.data) for e in events)
    # Delivered keeps the first shipping time; then the gift is done.
    gift_state_set(gift=gift, state=Gift.State.DELIVERED, user=manager)
    assert Gift.objects.get(pk=gift.pk).shipped_at == shipped_at
    with pytest.raises(ValidationError):
        gift_state_set(gift=gift, state=Gift.State.SHIPPED, user=manager)


@pytest.mark.django_db
def test_cancelling_a_gift_also_drops_the_address():
    gift = gift_add(person=PersonFactory(), item="Stickers", postal_address="1 Main St", user=None)
    gift_state_set(gift=gift, state=Gift.State.CANCELLED, user=None)
    assert Gift.objects.values_list("postal_address", "shipped_at").get(pk=gift.pk) == ("", None)


@pytest.mark.django_db
def test_managers_record_and_ship_gifts_from_the_person_page(manager_client):
    vera = PersonFactory()
    manager_client.post(reverse("people:gift-add", args=[vera.pk]), {"item": "T-shirt", "postal_address": "2 High St"})
    gift = Gift.objects.get(person=vera)
    assert gift.sent_by == manager_client.user and gift.postal_address == "2 High St"
    page = manager_client.get(reverse("people:person", args=[vera.pk])).content.decode()
    assert "2 High St" in page and 'data-testid="gifts"' in page
    response = manager_client.post(reverse("people:gift-state", args=[vera.pk, gift.pk]), {"state": "shipped"})
    assert response.status_code == 303
    page = manager_client.get(response["Location"]).content.decode()
    assert "2 High St" not in page and "“T-shirt” is now shipped." in page
    assert Gift.objects.get(pk=gift.pk).postal_address == ""


@pytest.mark.django_db
def test_advocates_see_no_gifts_and_cannot_record_them_or_list_them(advocate_client):
    vera = PersonFactory()
    gift = gift_add(person=vera, item="Hoodie", postal_address="1 Main St", user=None)
    page = advocate_client.get(reverse("people:person", args=[vera.pk])).content.decode()
    assert "Hoodie" not in page and "1 Main St" not in page
    assert advocate_client.get(reverse("people:gifts")).status_code == 403
    assert advocate_client.post(reverse("people:gift-add", args=[vera.pk]), {"item": "x"}).status_code == 403
    assert (
        advocate_client.post(reverse("people:gift-state", args=[vera.pk, gift.pk]), {"state": "shipped"}).status_code
        == 403
    )
    assert Gift.objects.get(pk=gift.pk).state == "requested"


@pytest.mark.django_db
def test_the_gifts_to_send_list_shows_open_gifts_with_their_address(manager_client):
    open_gift = gift_add(person=PersonFactory(), item="Mug", postal_address="3 Low Rd", user=None)
    shipped = gift_add(person=PersonFactory(), item="Cap", postal_address="4 Far Ln", user=None)
    gift_state_set(gift=shipped, state=Gift.State.SHIPPED, user=None)
    page = manager_client.get(reverse("people:gifts")).content.decode()
    assert open_gift.item in page and "3 Low Rd" in page and "Cap" not in page


@pytest.mark.django_db
def test_nothing_is_recorded_on_an_erased_person():
    from django.utils import timezone

    erased = PersonFactory(erased_at=timezone.now())
    with pytest.raises(ValidationError):
        contribution_add(person=erased, kind="talk", on=date(2026, 1, 1), user=None)
    with pytest.raises(ValidationError):
        gift_add(person=erased, item="Mug", user=None)


@pytest.mark.django_db
def test_a_gift_shipped_in_admin_loses_its_address_too(admin_client):
    vera = PersonFactory()
    gift = gift_add(person=vera, item="Hoodie", postal_address="1 Main St", user=None)
    response = admin_client.post(
        reverse("admin:people_gift_change", args=[gift.pk]),
        {"person": vera.pk, "item": "Hoodie", "state": "shipped", "postal_address": "1 Main St"},
    )
    assert response.status_code == 302
    gift.refresh_from_db()
    assert (gift.state, gift.postal_address) == ("shipped", "")
    assert PersonEvent.objects.filter(person=vera, kind=PersonEvent.Kind.GIFT, data__to="shipped").exists()
    # The list's action does the same for many.
    other = gift_add(person=vera, item="Mug", postal_address="1 Main St", user=None)
    action = {"action": "mark_shipped", "_selected_action": [other.pk]}
    admin_client.post(reverse("admin:people_gift_changelist"), action)
    assert Gift.objects.values_list("state", "postal_address").get(pk=other.pk) == ("shipped", "")


@pytest.mark.django_db
def test_a_refused_gift_state_change_is_said_beside_that_gift(manager_client):
    vera = PersonFactory()
    gift = gift_add(person=vera, item="Hoodie", user=None)
    gift_state_set(gift=gift, state=Gift.State.CANCELLED, user=None)
    response = manager_client.post(reverse("people:gift-state", args=[vera.pk, gift.pk]), {"state": "shipped"})
    assert response["Location"].endswith(f"#gift-{gift.pk}")
    page = manager_client.get(response["Location"]).content.decode()
    beside = page[page.index(f'id="gift-{gift.pk}"') :]
    assert "This gift is cancelled: its state no longer changes." in beside[: beside.index("</li>")]
    assert Gift.objects.get(pk=gift.pk).state == "cancelled"
