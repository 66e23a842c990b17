"""Discount codes: uploaded by batch, each given once (even to two advocates at the same moment), handed out
from the person page and the ticket page, and who got which kept in the person's history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentions.tests.concurrency import at_once
from mentions.tests.factories import AdvocateFactory, ManagerFactory, TicketFactory
from people.codes import NO_CODES_LEFT, batch_upload, code_give
from people.models import DiscountBatch, DiscountCode, PersonEvent
from people.tests.factories import IdentityFactory, PersonFactory, ticket_from
from people.views.codes import discount_code_panel


@pytest.mark.django_db
def test_a_batch_upload_strips_and_counts_codes_blanks_and_duplicates_even_across_batches():
    batch_upload(name="Earlier", text="KEEP-1\n", user=None)
    upload = batch_upload(
        name="KubeCon 2026",
        note="20% until March",
        text="  CODE-A  \nCODE-B,unused column\n\nCODE-A\nKEEP-1\n   \n" + "X" * 121 + "\n",
        user=None,
    )
    assert (upload.added, upload.duplicates, upload.blank) == (2, 2, 2)
    assert upload.errors == ["Line 7: the code is longer than 120 characters."]
    assert sorted(upload.batch.codes.values_list("code", flat=True)) == ["CODE-A", "CODE-B"]
    assert DiscountCode.objects.get(code="KEEP-1").batch.name == "Earlier"  # not moved into the new batch


@pytest.mark.django_db
def test_codes_come_from_the_newest_batch_in_upload_order_and_the_last_one_gives_a_clear_error():
    advocate = AdvocateFactory()
    batch_upload(name="Old", text="OLD-1\n", user=None)
    batch_upload(name="New", text="NEW-1\nNEW-2\n", user=None)
    vera, sam = PersonFactory(), PersonFactory()

    got = [code_give(person=vera, user=advocate).code for _ in range(3)]
    assert got == ["NEW-1", "NEW-2", "OLD-1"]
    with pytest.raises(ValidationError) as refused:
        code_give(person=sam, user=advocate)
    assert refused.value.messages == [NO_CODES_LEFT]
    assert not DiscountCode.objects.filter(person=sam).exists()


@pytest.mark.django_db
def test_the_history_says_who_got_which_code_from_whom_on_which_ticket():
    advocate = AdvocateFactory(username="ada")
    batch_upload(name="Meetup swag", text="MEET-1\n", user=None)
    identity = IdentityFactory()
    ticket = ticket_from(identity)

    code = code_give(person=identity.person, user=advocate, ticket=ticket)

    event = PersonEvent.objects.get(person=identity.person, kind=PersonEvent.Kind.CODE_GIVEN)
    assert event.actor == advocate
    assert event.data == {"code": "MEET-1", "batch": "Meetup swag", "ticket": ticket.pk}
    code.refresh_from_db()
    assert (code.person, code.ticket, code.given_by) == (identity.person, ticket, advocate)
    assert code.given_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_advocates_asking_at_the_same_moment_get_two_different_codes():
    """Two threads, each with its own PostgreSQL connection, ask for a code at the same instant; 20 rounds,
    each with two codes left: both get one, never the same."""
    ada, bo = AdvocateFactory(), AdvocateFactory()
    vera, sam = PersonFactory(), PersonFactory()
    pairs = ((ada, vera), (bo, sam))
    for round_no in range(20):
        batch_upload(name=f"round {round_no}", text=f"R{round_no}-A\nR{round_no}-B\n", user=None)
        got = at_once(2, lambda i: code_give(person=pairs[i][1], user=pairs[i][0]).code)
        assert sorted(got) == [f"R{round_no}-A", f"R{round_no}-B"], f"round {round_no}: {got}"
    given = DiscountCode.objects.filter(given_at__isnull=False)
    assert given.count() == 40 and given.values("code").distinct().count() == 40
    assert PersonEvent.objects.filter(kind=PersonEvent.Kind.CODE_GIVEN).count() == 40


@pytest.mark.django_db(transaction=True)
def test_two_advocates_asking_for_the_last_code_at_once_one_gets_it_the_other_is_told_none_are_left():
    ada, bo = AdvocateFactory(), AdvocateFactory()
    vera = PersonFactory()
    batch_upload(name="Last", text="LAST-1\n", user=None)
    got: list[str] = []
    refused: list[str] = []

    def ask(i: int) -> None:
        try:
            got.append(code_give(person=vera, user=(ada, bo)[i]).code)
        except ValidationError as exc:
            refused.extend(exc.messages)

    at_once(2, ask)
    assert got == ["LAST-1"] and refused == [NO_CODES_LEFT]


@pytest.mark.django_db
def test_an_advocate_gives_a_code_from_the_person_page_and_sees_it_but_not_the_lists(advocate_client):
    batch_upload(name="KubeCon", text="KUBE-1\nKUBE-2\n", user=None)
    vera = PersonFactory(name="Vera")
    DiscountCode.objects.filter(code="KUBE-2").update(person=vera, given_by=ManagerFactory())  # a colleague's

    response = advocate_client.post(reverse("people:code-give", args=[vera.pk]))

    assert response.status_code == 303 and response["Location"].endswith("#discount-code")
    page = advocate_client.get(response["Location"]).content.decode()
    assert "Discount code KUBE-1 given to Vera" in page
    assert 'data-testid="codes-you-gave"' in page and "KUBE-1" in page
    assert "KUBE-2" not in page and 'data-testid="person-codes"' not in page  # the list is the managers'
    assert DiscountCode.objects.get(code="KUBE-1").given_by == advocate_client.user


@pytest.mark.django_db
def test_no_code_left_is_said_beside_the_button_on_the_person_page(advocate_client):
    vera = PersonFactory()
    response = advocate_client.post(reverse("people:code-give", args=[vera.pk]))
    page = advocate_client.get(response["Location"]).content.decode()
    assert 'data-testid="code-error">No discount codes left' in page


@pytest.mark.django_db
def test_managers_see_every_code_given_to_a_person(manager_client):
    batch_upload(name="KubeCon", text="KUBE-1\n", user=None)
    vera = PersonFactory()
    code_give(person=vera, user=AdvocateFactory(username="bo"))
    page = manager_client.get(reverse("people:person", args=[vera.pk])).content.decode()
    assert 'data-testid="person-codes"' in page and "KUBE-1" in page and "by bo" in page


@pytest.mark.django_db
def test_the_ticket_panel_gives_the_requester_a_code_to_paste_into_the_reply(advocate_client):
    batch_upload(name="KubeCon", text="KUBE-1\n", user=None)
    identity = IdentityFactory(person=PersonFactory(name="Vera"))
    ticket = ticket_from(identity)
    panel_url = reverse("mentions:ticket-panel", args=[ticket.pk, "discount_code"])
    assert "Give a discount code" in advocate_client.get(panel_url).content.decode()

    response = advocate_client.post(reverse("people:ticket-code-give", args=[ticket.pk]), HTTP_HX_REQUEST="true")

    said = response.content.decode()
    assert response.status_code == 200 and "Discount code KUBE-1 given to Vera: paste it into your reply" in said
    assert DiscountCode.objects.get(code="KUBE-1").ticket == ticket
    panel = advocate_client.get(panel_url).content.decode()  # later views of the ticket still show it
    assert 'data-testid="codes-given-here"' in panel and "KUBE-1" in panel
    assert 'data-testid="codes-none"' in panel  # that was the last one: the button says so
    # Without JavaScript: back to the ticket page, where the refusal is said.
    response = advocate_client.post(reverse("people:ticket-code-give", args=[ticket.pk]))
    assert response.status_code == 303 and response["Location"].endswith("#panel-discount_code")
    assert "No discount codes left" in advocate_client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_a_ticket_whose_requester_is_no_person_says_so_and_gives_nothing(advocate_client):
    batch_upload(name="KubeCon", text="KUBE-1\n", user=None)
    ticket = TicketFactory()
    panel = advocate_client.get(reverse("mentions:ticket-panel", args=[ticket.pk, "discount_code"])).content.decode()
    assert 'data-testid="code-no-person"' in panel
    response = advocate_client.post(reverse("people:ticket-code-give", args=[ticket.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "not tied to a person" in response.content.decode()
    assert not DiscountCode.objects.filter(given_at__isnull=False).exists()


@pytest.mark.django_db
def test_the_ticket_panel_reads_the_same_few_queries_for_any_ticket(rf):
    advocate = AdvocateFactory()
    batch_upload(name="KubeCon", text="KUBE-1\nKUBE-2\nKUBE-3\nKUBE-4\n", user=None)
    request = rf.get("/")
    request.user = advocate
    counts = []
    for n in (1, 3):
        identity = IdentityFactory()
        ticket = ticket_from(identity)
        for _ in range(n):
            code_give(person=identity.person, user=advocate, ticket=ticket)
        with CaptureQueriesContext(connection) as queries:
            context = discount_code_panel(request, ticket, {})
        assert len(context["codes_given_here"]) == n
        counts.append(len(queries))
    assert counts == [3, 3]


@pytest.mark.django_db
def test_admin_adds_a_batch_from_a_csv_file_and_says_what_was_skipped(admin_client):
    DiscountBatch.objects.create(name="Earlier").codes.create(code="DUP")
    upload = SimpleUploadedFile("codes.csv", b"\xef\xbb\xbfcode,value\nC-1,20%\nC-2,20%\nDUP,20%\n,\n", "text/csv")
    response = admin_client.post(
        reverse("admin:people_discountbatch_add"),
        {"name": "Spring", "note": "", "codes_text": "C-3", "codes_file": upload},
        follow=True,
    )
    batch = DiscountBatch.objects.get(name="Spring")
    # The header row is a code like any other line: uploads are one code per line or the first column.
    assert sorted(batch.codes.values_list("code", flat=True)) == ["C-1", "C-2", "C-3", "code"]
    assert "4 codes added; 1 duplicates skipped" in response.content.decode()
    too_long = admin_client.post(
        reverse("admin:people_discountbatch_add"), {"name": "Bad", "note": "", "codes_text": "Y" * 121}
    )
    assert too_long.status_code == 200 and "longer than 120 characters" in too_long.content.decode()
    assert not DiscountBatch.objects.filter(name="Bad").exists()


@pytest.mark.django_db
def test_admin_lists_batches_with_given_and_free_counts_and_shows_who_got_which(admin_client):
    batch = batch_upload(name="KubeCon", text="KUBE-1\nKUBE-2\nKUBE-3\n", user=None).batch
    vera = PersonFactory(name="Vera")
    code_give(person=vera, user=AdvocateFactory(username="ada"))

    listing = admin_client.get(reverse("admin:people_discountbatch_changelist")).content.decode()
    assert "KubeCon" in listing and "given=yes" in listing and ">1</a>" in listing and ">2<" in listing
    change = admin_client.get(reverse("admin:people_discountbatch_change", args=[batch.pk])).content.decode()
    assert "KUBE-1" in change and "Vera" in change and "ada" in change
    assert "KUBE-3" not in change  # free codes are counted, not listed
    codes = admin_client.get(reverse("admin:people_discountcode_changelist"), {"given": "yes"}).content.decode()
    assert "KUBE-1" in codes and "KUBE-3" not in codes


@pytest.mark.django_db
def test_the_ticket_page_has_the_discount_code_panel_in_its_first_answer_or_inline(advocate_client):
    ticket = ticket_from(IdentityFactory())
    page = advocate_client.get(reverse("mentions:ticket", args=[ticket.pk])).content.decode()
    assert 'data-testid="discount-code-panel"' in page and 'data-testid="panel-slot-discount_code"' not in page
    assert reverse("people:ticket-code-give", args=[ticket.pk]) in page
    # A ticket tied to no person: the panel says so without reading anything (tests/test_ticket_page_load.py).
    untied = advocate_client.get(reverse("mentions:ticket", args=[TicketFactory().pk])).content.decode()
    assert 'data-testid="code-no-person"' in untied
    inline = advocate_client.get(reverse("mentions:ticket", args=[ticket.pk]), {"panels": "inline"}).content.decode()
    assert 'data-testid="discount-code-panel"' in inline
    assert reverse("people:ticket-code-give", args=[ticket.pk]) in inline
