"""Answers per product (issue 71, docs/products.md): earlier answers given on the ticket's product come before another
product's of equal fit (the others still shown after), and follow a ticket moved to another product; a knowledge
source of another product is not searched for the ticket, a desk-wide one is. With one product nothing changes and
nothing new is asked."""

from __future__ import annotations

import pytest
from django.utils import timezone

from answers.index.follow import answers_index
from answers.knowledge.search import knowledge_search
from answers.knowledge.words import doc_titles
from answers.knowledge_models import DocPage
from answers.models import StoredSuggestion
from answers.suggestions.ranking import ticket_suggestions
from answers.suggestions.stored import suggestions_store
from answers.terms import query_terms, text_terms
from answers.tests.knowledge_helpers import source
from answers.tests.test_suggestions import answered, asking
from mentions.judgement.product_texts import product_texts
from mentions.models import ProductProfile, Ticket
from mentions.services.products import ticket_move_product
from mentions.tests.factories import ManagerFactory

pytestmark = pytest.mark.django_db

TITLE = "Job stuck pending"
QUESTION = "My pipeline job is stuck pending forever, no runner picks it up."
REPLY = "No runner has the job's tags: add the tag to a runner or untag the job. https://docs.example.com/runner/tags"


@pytest.fixture
def kiln_and_cloud():
    return ProductProfile.objects.create(name="Kiln"), ProductProfile.objects.create(name="Kiln Cloud")


def twins(kiln: ProductProfile | None, cloud: ProductProfile | None) -> tuple[Ticket, Ticket]:
    """The same answer given on each product: of equal fit, whichever the ranking puts first without products."""
    on_kiln = answered(TITLE, QUESTION, REPLY, product=kiln)
    on_cloud = answered(TITLE, QUESTION, REPLY, product=cloud)
    answered("Artifacts expire too early", "job artifacts vanish after a day", "Set expire_in on the artifacts")
    answers_index()
    return on_kiln, on_cloud


def question(product: ProductProfile | None) -> Ticket:
    ticket = asking("job pending, runner idle", "pipeline job stuck pending, the runner never picks it up")
    Ticket.objects.filter(pk=ticket.pk).update(product=product)
    ticket.refresh_from_db()
    return ticket


def order(ticket: Ticket) -> list[int]:
    return [s.ticket_id for s in ticket_suggestions(ticket)]


def test_the_tickets_products_answers_come_first_and_the_others_still_follow(kiln_and_cloud):
    """Each product's ticket gets its own product's answer first: the fit alone would put the same one first for
    both."""
    kiln, cloud = kiln_and_cloud
    on_kiln, on_cloud = twins(kiln, cloud)
    for_kiln = ticket_suggestions(question(kiln))
    assert [s.ticket_id for s in for_kiln][:2] == [on_kiln.pk, on_cloud.pk]
    assert for_kiln[0].fit_label == for_kiln[1].fit_label  # equal fit, as the panel says it
    assert order(question(cloud))[:2] == [on_cloud.pk, on_kiln.pk]
    # A ticket from before products, and an answer without one, are the first product's.
    Ticket.objects.filter(pk=on_kiln.pk).update(product=None)
    assert order(question(None))[:2] == [on_kiln.pk, on_cloud.pk]


def test_a_ticket_moved_to_another_product_has_its_suggestions_ranked_again(kiln_and_cloud):
    kiln, cloud = kiln_and_cloud
    on_kiln, on_cloud = twins(kiln, cloud)
    ticket = question(kiln)
    suggestions_store([ticket.pk])

    def stored() -> list[int]:
        rows = StoredSuggestion.objects.filter(ticket=ticket, shown=True, rank__gt=0).order_by("rank")
        return list(rows.values_list("answer_id", flat=True))[:2]

    assert stored() == [on_kiln.pk, on_cloud.pk]
    ticket_move_product(ticket=ticket, user=ManagerFactory(), product_id=cloud.pk)
    assert suggestions_store([ticket.pk]) == 1  # computed again, though the index did not change
    assert stored() == [on_cloud.pk, on_kiln.pk]
    assert suggestions_store([ticket.pk]) == 0  # and then kept


def docs_page(docs, title: str, text: str) -> DocPage:
    return DocPage.objects.create(
        source=docs,
        url=f"https://docs.example.com/{title.lower().replace(' ', '-')}/",
        title=title,
        text=text,
        title_terms=" ".join(text_terms(title)),
        terms=" ".join(text_terms(f"{title}\n{text}")),
        fetched_at=timezone.now(),
    )


def test_a_knowledge_source_of_another_product_is_not_searched_a_desk_wide_one_is(kiln_and_cloud):
    kiln, cloud = kiln_and_cloud
    cloud_docs = source("docs", name="Cloud docs", product=cloud)
    kiln_docs = source("docs", name="Kiln docs", base_url="https://kiln.example.com/sitemap.xml", product=kiln)
    everyone = source("docs", name="Handbook", base_url="https://handbook.example.com/sitemap.xml")
    docs_page(cloud_docs, "Cloud runner cache", "Cache dependencies on cloud runners.")
    docs_page(kiln_docs, "Kiln runner cache", "Cache dependencies on your own runners.")
    docs_page(everyone, "Caching everywhere", "How caching works across the products.")

    def titles(product_id: int | None) -> set[str]:
        found = knowledge_search("cache dependencies", query_terms("cache dependencies"), product_id=product_id)
        return {item.title for item in found.items}

    assert titles(cloud.pk) == {"Cloud runner cache", "Caching everywhere"}
    assert titles(kiln.pk) == {"Kiln runner cache", "Caching everywhere"}
    assert titles(None) == {"Kiln runner cache", "Caching everywhere"}  # an empty product is the first's
    # The judgement's fingerprint of one product reads its docs and the desk-wide ones (issue 68's hook).
    assert set(doc_titles(limit=10, product_id=cloud.pk)) == {"Cloud runner cache", "Caching everywhere"}
    assert len(doc_titles(limit=10)) == 3
    # ... as the judgement asks it, through its hook (mentions.judgement.run passes the batch's product).
    assert set(product_texts(limit=10, product_id=kiln.pk)) == {"Kiln runner cache", "Caching everywhere"}


def test_with_one_product_every_source_is_searched_and_nothing_new_is_asked(admin_client):
    kiln = ProductProfile.objects.create(name="Kiln")
    docs = source("docs", name="Kiln docs", product=kiln)
    everyone = source("docs", name="Handbook", base_url="https://handbook.example.com/sitemap.xml")
    docs_page(docs, "Kiln runner cache", "Cache dependencies on your own runners.")
    docs_page(everyone, "Caching everywhere", "How caching works.")
    found = knowledge_search("cache dependencies", query_terms("cache dependencies"), product_id=kiln.pk)
    assert {item.title for item in found.items} == {"Kiln runner cache", "Caching everywhere"}

    url = f"/admin/answers/knowledgesource/{docs.pk}/change/"
    assert 'name="product"' not in admin_client.get(url).content.decode()
    ProductProfile.objects.create(name="Kiln Cloud")
    assert 'name="product"' in admin_client.get(url).content.decode()
