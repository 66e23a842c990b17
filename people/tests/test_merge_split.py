"""Merging two people into one and splitting identities off to a new person (people.services): everything
that hangs on a person moves, the tickets stay reachable, and two merges of the same pair at once end in one
person without an error page."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from mentions.tests.concurrency import at_once
from mentions.tests.factories import ManagerFactory
from people import services
from people.models import (
    Contribution,
    DiscountBatch,
    DiscountCode,
    Gift,
    Identity,
    LikenessDismissed,
    Person,
    PersonEvent,
)
from people.selectors import person_history
from people.tests.factories import IdentityFactory, PersonFactory, person_tag, ticket_from


@pytest.mark.django_db
def test_a_merge_moves_everything_and_keeps_every_ticket_reachable_from_the_target():
    manager = ManagerFactory()
    source = PersonFactory(name="Vera K.", notes="Speaks at DevOpsDays.", links="https://vera.dev\nhttps://a.example")
    into = PersonFactory(name="Vera Kowalska", notes="Customer since 2021.", links="https://a.example")
    hn, mail = IdentityFactory(person=source), IdentityFactory(person=source, platform="email", handle="v@x.org")
    own = IdentityFactory(person=into, platform="reddit")
    tickets = [ticket_from(hn), ticket_from(mail), ticket_from(own)]
    Contribution.objects.create(person=source, kind=Contribution.Kind.TALK, date=date(2026, 5, 1), title="CI talk")
    Gift.objects.create(person=source, item="Hoodie")
    code = DiscountCode.objects.create(batch=DiscountBatch.objects.create(name="Q4"), code="VERA-1", person=source)
    PersonEvent.objects.create(person=source, kind=PersonEvent.Kind.CREATED)
    person_tag(source, "customer")
    person_tag(into, "core contributor")
    third = PersonFactory()
    LikenessDismissed.objects.create(person=source, other=third)
    LikenessDismissed.objects.create(person=third, other=source)

    result = services.person_merge(source=source, into=into, actor=manager)

    assert result.pk == into.pk and not Person.objects.filter(pk=source.pk).exists()
    assert set(Identity.objects.filter(person=into)) == {hn, mail, own}
    assert {t.pk for t in person_history(into, 1)} == {t.pk for t in tickets}
    assert Contribution.objects.get().person_id == into.pk and Gift.objects.get().person_id == into.pk
    code.refresh_from_db()
    assert code.person_id == into.pk
    into.refresh_from_db()
    assert {t.name for t in into.tags.all()} == {"customer", "core contributor"}
    assert into.name == "Vera Kowalska"
    assert into.notes == "Customer since 2021.\n\nSpeaks at DevOpsDays."
    assert into.links.splitlines() == ["https://a.example", "https://vera.dev"]
    assert not LikenessDismissed.objects.exists()
    assert into.events.filter(kind=PersonEvent.Kind.CREATED).exists()  # the source's history came along
    merged = into.events.get(kind=PersonEvent.Kind.MERGED)
    assert merged.data == {"from": source.pk, "name": "Vera K."} and merged.actor == manager


@pytest.mark.django_db
def test_a_merge_whose_person_is_gone_says_so_and_where_they_went():
    a, b, c = PersonFactory(), PersonFactory(), PersonFactory()
    stale_a = Person.objects.get(pk=a.pk)
    services.person_merge(source=a, into=b, actor=None)
    with pytest.raises(services.PersonGone) as gone:
        services.person_merge(source=stale_a, into=c, actor=None)
    assert gone.value.merged_into == b.pk and isinstance(gone.value, ValidationError)
    with pytest.raises(ValidationError):
        services.person_merge(source=b, into=b, actor=None)


@pytest.mark.django_db
def test_a_split_moves_the_chosen_identities_and_their_tickets_to_a_new_person():
    person = PersonFactory(name="Shared account")
    keep, move = IdentityFactory(person=person), IdentityFactory(person=person, platform="reddit", name="Sam")
    kept_ticket, moved_ticket = ticket_from(keep), ticket_from(move)

    new = services.person_split(person=person, identity_ids=[move.pk], actor=None)

    assert new.name == "Sam" and list(new.identities.all()) == [move]
    assert list(person.identities.all()) == [keep]
    assert [t.pk for t in person_history(new, 1)] == [moved_ticket.pk]
    assert [t.pk for t in person_history(person, 1)] == [kept_ticket.pk]
    assert person.events.get(kind=PersonEvent.Kind.SPLIT).data == {"to": new.pk, "identities": [move.pk]}
    assert new.events.get(kind=PersonEvent.Kind.SPLIT).data == {"from": person.pk, "identities": [move.pk]}
    # Not suggested again as the same person: someone just said they are not.
    assert LikenessDismissed.objects.filter(person=person, other=new).exists()
    with pytest.raises(ValidationError, match="some, not all"):
        services.person_split(person=person, identity_ids=[keep.pk], actor=None)
    with pytest.raises(ValidationError):
        services.person_split(person=person, identity_ids=[move.pk], actor=None)  # not theirs any more


@pytest.mark.django_db
def test_an_edit_records_which_fields_changed_never_their_values():
    person = PersonFactory(name="Vera")
    changed = services.person_edit(
        person=person, actor=None, changes={"name": "Vera", "notes": "Secret note", "time_zone": "Europe/Warsaw"}
    )
    assert changed == ["notes", "time_zone"]
    event = person.events.get(kind=PersonEvent.Kind.EDITED)
    assert event.data == {"fields": ["notes", "time_zone"]}
    assert services.person_edit(person=person, actor=None, changes={"notes": "Secret note"}) == []
    assert person.events.filter(kind=PersonEvent.Kind.EDITED).count() == 1


@pytest.mark.django_db
def test_tagging_and_untagging_are_recorded_once():
    person = PersonFactory()
    tag = person_tag(PersonFactory(), "press")
    assert services.person_tag_add(person=person, tag=tag, actor=None)
    assert not services.person_tag_add(person=person, tag=tag, actor=None)
    assert services.person_tag_remove(person=person, tag=tag, actor=None)
    assert not services.person_tag_remove(person=person, tag=tag, actor=None)
    kinds = list(person.events.order_by("id").values_list("kind", "data"))
    assert kinds == [("tagged", {"tag": "press"}), ("untagged", {"tag": "press"})]


@pytest.mark.django_db(transaction=True)
def test_two_managers_merging_a_pair_each_way_at_once_end_with_one_person_and_no_error_page():
    a, b = PersonFactory(name="Vera A"), PersonFactory(name="Vera B")
    identities = {IdentityFactory(person=a).pk, IdentityFactory(person=b, platform="reddit").pk}
    ticket_from(Identity.objects.get(person=a))
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(ManagerFactory())
        clients.append(client)
    pairs = [(a, b), (b, a)]

    def merge(i: int) -> tuple[int, str]:
        source, into = pairs[i]
        response = clients[i].post(reverse("people:merge", args=[source.pk]), {"into": into.pk})
        return response.status_code, response.content.decode()

    answers = at_once(2, merge)
    assert Person.objects.count() == 1
    survivor = Person.objects.get()
    assert set(survivor.identities.values_list("pk", flat=True)) == identities
    assert survivor.events.filter(kind=PersonEvent.Kind.MERGED).count() == 1
    # One merged; the other was told the person had gone (sent on to the survivor, or the error beside the form).
    statuses = sorted(status for status, _ in answers)
    assert statuses in ([302, 302], [302, 409]), statuses
    for status, html in answers:
        if status == 409:
            assert "is no longer here" in html and 'data-testid="merge-form"' in html


@pytest.mark.django_db
def test_merging_into_someone_merged_away_a_moment_ago_says_where_they_went_beside_the_form(manager_client):
    """The race the concurrent test can meet: A was just merged into B when B's page asks to merge into A."""
    a, b = PersonFactory(name="Vera A"), PersonFactory(name="Vera B")
    services.person_merge(source=a, into=b, actor=None)

    response = manager_client.post(reverse("people:merge", args=[b.pk]), {"into": a.pk})

    html = response.content.decode()
    assert response.status_code == 409
    assert f"Person {a.pk} is no longer here: they were merged into person {b.pk}" in html
    assert 'data-testid="merge-form"' in html


def _flash(response) -> str:
    """The success message the page shows after the redirect."""
    return " ".join(str(m) for m in response.context["messages"])


@pytest.mark.django_db
def test_merging_two_people_of_the_same_name_says_which_went_into_which(manager_client):
    """ "Merged Ana Ruiz into Ana Ruiz." told the manager nothing: with equal names the message names each one's
    number and accounts (as they were before the merge)."""
    kept = PersonFactory(name="Ana Ruiz")
    IdentityFactory(person=kept, platform="hackernews", handle="ana_dev")
    gone = PersonFactory(name="Ana Ruiz")
    IdentityFactory(person=gone, platform="twitter", handle="ana_builds")
    IdentityFactory(person=gone, platform="email", handle="ana@example.org")

    response = manager_client.post(reverse("people:merge", args=[gone.pk]), {"into": kept.pk}, follow=True)

    assert response.status_code == 200
    assert _flash(response) == (
        f"Merged Ana Ruiz #{gone.pk} (E-mail ana@example.org, X / Twitter ana_builds) "
        f"into Ana Ruiz #{kept.pk} (Hacker News ana_dev)."
    )


@pytest.mark.django_db
def test_confirming_a_likeness_of_the_same_name_says_which_went_into_which(advocate_client):
    kept = PersonFactory(name="Ana Ruiz")
    IdentityFactory(person=kept, platform="hackernews", handle="ana_dev")
    gone = PersonFactory(name="ana ruiz")  # a likeness: the same name in any case
    IdentityFactory(person=gone, platform="reddit", handle="ana_r")

    confirm = reverse("people:likeness-confirm", args=[kept.pk, gone.pk])
    response = advocate_client.post(confirm, follow=True)

    assert response.status_code == 200
    assert _flash(response) == (
        f"Merged ana ruiz #{gone.pk} (Reddit ana_r) into Ana Ruiz #{kept.pk} (Hacker News ana_dev)."
    )


@pytest.mark.django_db
def test_merging_people_of_different_names_names_them_and_nothing_more(manager_client):
    a, b = PersonFactory(name="Vera K."), PersonFactory(name="Vera Kowalska")
    IdentityFactory(person=a, platform="reddit", handle="vera_k")

    response = manager_client.post(reverse("people:merge", args=[a.pk]), {"into": b.pk}, follow=True)

    assert _flash(response) == "Merged Vera K. into Vera Kowalska."
