"""The judgement per product (issue 71, item 2, docs/products.md): each ticket is judged by its own product's
description, channels' keywords, fingerprint and learned version; one product's learning never moves another's
verdicts; a ticket moved to another product is judged again by it (a person's verdict kept) and its history says so;
and a batch of five products costs a constant number of queries, whatever its tickets. Real PostgreSQL, the real
embedding model; the worker's tasks run here and now (eager)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy.celery import app as celery_app
from advocacy.versioned import version_bump
from channels.tests.factories import ChannelFactory
from mentions.judgement.evaluation import DEVELOPMENT
from mentions.judgement.features import FEATURES_VERSION
from mentions.judgement.follow import judgement_follow
from mentions.judgement.learned import CLASSES
from mentions.judgement.learning import MODEL_VERSION, active_model, desk_features, judgement_learn, model_fit
from mentions.judgement.run import batch_judge, tickets_judge
from mentions.meaning import ticket_vectors
from mentions.models import JudgedBy, JudgementModel, ProductProfile, Ticket, TicketEvent
from mentions.models.products import DEFAULT_DESCRIPTION
from mentions.services.judgement import judgement_correct
from mentions.services.products import ticket_move_product
from mentions.tests.factories import ManagerFactory, MessageFactory, TicketFactory
from mentions.ticket_page.history import history_lines

pytestmark = pytest.mark.django_db
MODEL = "all-MiniLM-L6-v2-onnx-int8"

# Kiln the build tool says pottery is its name's other sense; Clayworks runs pottery kilns: the same question about a
# kiln controller stalling in a glaze firing is noise to the one and the other's own to answer.
KILN = (
    "Kiln builds and tests your code on every push: pipelines, build caches, workers, YAML config and artifacts. "
    "The name is also an everyday word that is not the product: pottery kilns, ceramics, clay, glaze and firing."
)
CLAYWORKS = (
    "Clayworks is the kiln controller app for potters: firing schedules, cone targets, glaze firings and temperature "
    "curves on the phone, alerts when a firing stalls, and the controller's settings."
)
POTTERY = "My kiln controller stalls at cone 6 in the middle of a glaze firing. How do I get it past that?"


@pytest.fixture
def kiln_and_clayworks():
    kiln = ProductProfile.objects.create(name="Kiln", description=KILN)
    clay = ProductProfile.objects.create(name="Clayworks", description=CLAYWORKS, other_names="kiln controller")
    return kiln, clay


def _ticket(product: ProductProfile, text: str, *, channel=None) -> Ticket:
    channel = channel or ChannelFactory(config={"keywords": [product.name.lower()]}, product=product)
    ticket = TicketFactory(channel=channel, product=product, subject="")
    MessageFactory(ticket=ticket, title="", body=text)
    return ticket


def _judged(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_two_products_whose_names_mean_different_things_judge_the_same_text_differently(kiln_and_clayworks):
    kiln, clay = kiln_and_clayworks
    for_kiln, for_clay = _ticket(kiln, POTTERY), _ticket(clay, POTTERY)

    assert tickets_judge() == {"judged": 2, "written": 2}

    as_kiln, as_clay = _judged(for_kiln), _judged(for_clay)
    assert as_kiln.judgement == "noise"
    assert as_kiln.judgement_reason.startswith("Not about Kiln: ")
    assert as_clay.judgement == "needs_response", as_clay.judgement_reason


def _dev(count: int) -> list[dict]:
    return json.loads(DEVELOPMENT.read_text(encoding="utf-8"))["mentions"][:count]


def _verdicts(ids: list[int]) -> dict[int, tuple]:
    return {i: (v.judgement, v.intent, v.confidence, v.reason) for i, v in batch_judge(ids).items()}


def test_learning_from_one_products_worked_tickets_never_moves_the_others_verdicts(kiln_and_clayworks):
    """GitLab's worked history (the development set) teaches GitLab's judgement, a version learned from its tickets
    and one made active for it by hand: GitLab's verdicts move, the first product's (Kiln's, answered too) do not by a
    word or a hundredth."""
    kiln, _ = kiln_and_clayworks
    gitlab = ProductProfile.objects.create(name="GitLab", description=DEFAULT_DESCRIPTION, other_names="gitlab.com")
    channel = ChannelFactory(config={"keywords": ["gitlab", "runner", "pipeline"]}, product=gitlab)
    mentions = _dev(163)
    worked = []
    for m in mentions:
        ticket = TicketFactory(channel=channel, product=gitlab, subject=m.get("title") or "")
        MessageFactory(ticket=ticket, title=m.get("title") or "", body=m["text"], author_handle=m["author"])
        worked.append(ticket)
    kiln_channel = ChannelFactory(config={"keywords": ["kiln"]})  # no product: the first's, Kiln's
    others = [_ticket(kiln, m["text"], channel=kiln_channel) for m in _dev(183)[163:]]
    tickets_judge(batches=10)
    now = timezone.now()
    for ticket, m in zip(worked, mentions, strict=True):
        if m["label"]["judgement"] == "needs_response":
            Ticket.objects.filter(pk=ticket.pk).update(first_reply_at=now)
        else:
            Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.SOLVED, solved_at=now)
    Ticket.objects.filter(pk__in=[t.pk for t in others[:10]]).update(first_reply_at=now)  # Kiln's own history
    version_bump(MODEL_VERSION)
    kiln_ids = [t.pk for t in others]
    gitlab_ids = [t.pk for t in worked[:40]]
    kiln_before, gitlab_before = _verdicts(kiln_ids), _verdicts(gitlab_ids)

    learned = judgement_learn(gitlab.pk)

    row = JudgementModel.objects.get(pk=int(str(learned["version"])))
    # GitLab's 163 tickets alone, 40 held out: none of Kiln's ten answered tickets was learned from.
    assert (row.product_id, row.labels_desk, row.scored_on) == (gitlab.pk, 123, 40)
    assert _verdicts(kiln_ids) == kiln_before
    # Made active for GitLab, a version that learned every label wrong: GitLab's verdicts move, Kiln's do not.
    ids, features = desk_features([t.pk for t in worked], _gitlab_product())
    muddled = model_fit(features, [CLASSES[(n * 7) % 3] for n in range(len(ids))], np.full(len(ids), 50.0))
    JudgementModel.objects.filter(product=gitlab, outcome="active").update(outcome="kept")
    JudgementModel.objects.create(
        product=gitlab,
        outcome="active",
        weights=muddled.to_bytes(),
        features_version=FEATURES_VERSION,
        embedding_model=MODEL,
        labels_desk=len(ids),
        labels_corrected=0,
        labels_shipped=934,
    )
    version_bump(MODEL_VERSION)
    theirs, first = active_model(gitlab.pk), active_model(None)
    assert theirs is not None and first is not None and theirs.version != first.version
    assert _verdicts(gitlab_ids) != gitlab_before
    assert _verdicts(kiln_ids) == kiln_before
    assert not JudgementModel.objects.filter(product=None).exists()


def _gitlab_product():
    from mentions.judgement.product import product_load

    return product_load(ProductProfile.objects.get(name="GitLab").pk)


def _moved(ticket: Ticket, product: ProductProfile, user, django_capture_on_commit_callbacks) -> None:
    celery_app.conf.task_always_eager = True  # the worker's run, here and now
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ticket_move_product(ticket=Ticket.objects.get(pk=ticket.pk), user=user, product_id=product.pk)
    finally:
        celery_app.conf.task_always_eager = False


def test_a_moved_ticket_is_judged_again_by_its_new_product_and_its_history_says_so(
    kiln_and_clayworks, django_capture_on_commit_callbacks
):
    kiln, clay = kiln_and_clayworks
    manager = ManagerFactory(username="ana")
    ticket = _ticket(kiln, POTTERY)
    tickets_judge()
    assert _judged(ticket).judgement == "noise"

    _moved(ticket, clay, manager, django_capture_on_commit_callbacks)

    moved = _judged(ticket)
    assert (moved.product_id, moved.judgement, moved.judged_by) == (clay.pk, "needs_response", JudgedBy.DESK)
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.REJUDGED)
    move = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.PRODUCT)
    assert event.data["move"] == move.pk and (event.data["from"], event.data["to"]) == ("noise", "needs_response")
    lines = [line.text for line in history_lines(moved, moved.events.all())]
    assert "ana moved it from Kiln to Clayworks" in lines
    assert "The desk judged it again as Clayworks's: Noise → Needs a response" in lines
    # The same move's task again (a redelivery): nothing more written.
    assert judgement_follow(ticket.pk, clay.pk, move.pk) == "done"
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.REJUDGED).count() == 1


def test_a_persons_verdict_stays_when_the_ticket_moves(kiln_and_clayworks, django_capture_on_commit_callbacks):
    kiln, clay = kiln_and_clayworks
    manager = ManagerFactory()
    ticket = _ticket(kiln, POTTERY)
    tickets_judge()
    judgement_correct(_judged(ticket), "worth_knowing", manager)

    _moved(ticket, clay, manager, django_capture_on_commit_callbacks)

    moved = _judged(ticket)
    assert (moved.product_id, moved.judgement, moved.judged_by) == (clay.pk, "worth_knowing", JudgedBy.ADVOCATE)
    assert not TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.REJUDGED).exists()


@pytest.mark.parametrize("meanwhile", ["corrected", "moved back"])
def test_the_verdict_judged_after_a_move_is_not_written_over_what_happened_meanwhile(
    kiln_and_clayworks, meanwhile, monkeypatch
):
    """The write's own guards (the runs' one way of writing a verdict, mentions.judgement.run.verdicts_write): an
    advocate's correction saved, or another move committed, while the worker judged the ticket."""
    from mentions.judgement import follow

    kiln, clay = kiln_and_clayworks
    manager = ManagerFactory()
    ticket = _ticket(kiln, POTTERY)
    tickets_judge()
    ticket_move_product(ticket=Ticket.objects.get(pk=ticket.pk), user=manager, product_id=clay.pk)  # no task here
    move = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.PRODUCT)

    def judged_while_someone_acts(ids: list[int]):
        verdicts = batch_judge(ids)  # the real judgement, as Clayworks's
        if meanwhile == "corrected":
            judgement_correct(_judged(ticket), "worth_knowing", manager)
        else:
            Ticket.objects.filter(pk=ticket.pk).update(product=kiln)
        return verdicts

    monkeypatch.setattr(follow, "batch_judge", judged_while_someone_acts)
    assert judgement_follow(ticket.pk, clay.pk, move.pk) == "kept"
    after = _judged(ticket)
    expected = ("worth_knowing", JudgedBy.ADVOCATE) if meanwhile == "corrected" else ("noise", JudgedBy.DESK)
    assert (after.judgement, after.judged_by) == expected
    assert not TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.REJUDGED).exists()


FIVE = ("Kiln", "Clayworks", "Runner", "Forge", "Lantern")


def _five_products_tickets(products: list[ProductProfile], each: int) -> list[int]:
    # The same words for each product's tickets, whatever the batch's size: what a batch reads depends on its
    # products alone (a group with an unsure verdict asks whether the team model is on, whatever its size).
    channels = {p.pk: ChannelFactory(config={"keywords": [p.name.lower()]}, product=p) for p in products}
    ids = [
        _ticket(p, f"How do I set up {p.name} on a new laptop? The installer stops halfway.", channel=channels[p.pk]).pk
        for _ in range(each)
        for p in products
    ]
    ticket_vectors(ids)  # the meaning is computed once, at intake's run: not what is counted here
    return ids


def test_judging_a_batch_of_five_products_costs_the_same_queries_whatever_its_tickets(django_assert_num_queries):
    products = [ProductProfile.objects.create(name=name) for name in FIVE]
    small, large = _five_products_tickets(products, 1), _five_products_tickets(products, 4)
    batch_judge(small), batch_judge(large)  # what a worker reads once (each product's examples, versions) is read
    with CaptureQueriesContext(connection) as five:
        assert len(batch_judge(small)) == 5
    with django_assert_num_queries(len(five)) as twenty:
        assert len(batch_judge(large)) == 20
    # The products read once (and their channels' keywords), the tickets' products once, then a constant number for
    # each product's group.
    assert sum('FROM "mentions_productprofile"' in q["sql"] for q in twenty.captured_queries) == 1


def _version(product: ProductProfile | None, outcome: str = "active", precision: float = 0.91) -> JudgementModel:
    return JudgementModel.objects.create(
        product=product,
        outcome=outcome,
        weights=b"\x00" * 64,
        features_version=1,
        embedding_model=MODEL,
        labels_desk=800,
        labels_corrected=41,
        labels_shipped=1020,
        scored_on=200,
        needs_response_precision=precision,
    )


def test_admin_shows_each_products_versions_and_figures_only_when_there_are_several(admin_client):
    kiln = ProductProfile.objects.create(name="Kiln", description=KILN)
    first = _version(None)
    url = "/admin/mentions/judgementmodel/"
    page = admin_client.get(url).content.decode()
    assert "column-product_shown" not in page and "By product" not in page.replace("By\xa0product", "By product")
    assert "Precision on your last 200 labelled mentions: needs a response 0.91" in page

    clay = ProductProfile.objects.create(name="Clayworks", description=CLAYWORKS)
    theirs = _version(clay, precision=0.42)
    refused = _version(clay, outcome="refused", precision=0.3)
    page = admin_client.get(url).content.decode()
    assert "column-product_shown" in page
    assert "Kiln: Precision on your last 200 labelled mentions: needs a response 0.91" in page
    assert "Clayworks: Precision on your last 200 labelled mentions: needs a response 0.42" in page
    assert f"Clayworks: Version {refused.pk}, learned" in page
    # The filter: the first product's are those stored without one.
    only_kiln = admin_client.get(f"{url}?product={kiln.pk}").content.decode()
    assert f"v{first.pk}<" in only_kiln and f"v{theirs.pk}<" not in only_kiln
    only_clay = admin_client.get(f"{url}?product={clay.pk}").content.decode()
    assert f"v{theirs.pk}<" in only_clay and f"v{first.pk}<" not in only_clay
    # Two products' active versions cannot be one product's: a second active for Clayworks is refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        _version(clay)
    with pytest.raises(IntegrityError), transaction.atomic():
        _version(None)
