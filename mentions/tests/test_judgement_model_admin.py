"""The learned judgement's versions in admin and on the KPI page (issue 56, docs/judgement.md): a read-only list and
detail of each version's figures, "Learn now" asking the worker, and one sentence for the active version (the same
on the KPI page, in one query); and the "Needs a response" view a fresh install has (its migration). Versions are
rows as mentions.judgement.learning writes them; the worker is not run (its task is recorded, not sent)."""

from datetime import UTC, datetime
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from mentions.models import JudgementModel, View
from mentions.services.judgement_learned import (
    LEARNS_FROM,
    SHIPPED,
    SHIPPED_NONE_USED,
    latest_unused,
    learned_active,
    learned_said,
    unused_said,
)
from mentions.tests.factories import ManagerFactory

pytestmark = pytest.mark.django_db

SENTENCE = (
    "Precision on your last 200 labelled mentions: needs a response 0.91 (recall 0.94), noise 0.97 (recall 0.62); "
    "version {pk}, learned 27 Nov 2026"
)


def version(outcome: str = "active", **more) -> JudgementModel:
    figures = {
        "needs_response_precision": 0.91,
        "needs_response_recall": 0.94,
        "noise_precision": 0.97,
        "noise_recall": 0.62,
        "accuracy": 0.88,
        "scored_on": 200,
        "compared_with": {
            "version": None,
            "count": 200,
            "needs_response_precision": 0.85,
            "needs_response_recall": 0.9,
            "noise_precision": 0.9,
            "noise_recall": 0.4,
            "accuracy": 0.8,
        },
        **more,
    }
    row = JudgementModel.objects.create(
        outcome=outcome,
        weights=b"\x00" * 64,
        features_version=1,
        embedding_model="all-MiniLM-L6-v2",
        labels_desk=800,
        labels_corrected=41,
        labels_shipped=1020,
        cpu_seconds=12.5,
        **figures,
    )
    JudgementModel.objects.filter(pk=row.pk).update(created_at=datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    row.refresh_from_db()
    return row


def test_the_sentence_says_the_active_versions_figures_or_that_the_shipped_judgement_judges():
    assert learned_said(learned_active()) == SHIPPED
    assert "it learns once 40 tickets are labelled by replies, solves and corrections" in SHIPPED
    version(outcome="refused")
    assert learned_said(learned_active()) == SHIPPED  # a refused version does not judge
    active = version()
    with CaptureQueriesContext(connection) as ctx:
        said = learned_said(learned_active())
    assert len(ctx.captured_queries) == 1 and "weights" not in ctx.captured_queries[0]["sql"]
    assert said == SENTENCE.format(pk=active.pk)
    unmeasured = version(outcome="kept", noise_precision=None, noise_recall=None)
    assert "noise — (recall —)" in learned_said(unmeasured)


def test_why_the_newest_version_is_not_used_is_said_with_both_versions_figures():
    """Issue 68: admin said only "Not used". The newest version, when the gate refused it, is said with the gate's
    words and both versions' figures on the same tickets, in one query; a version that judges says nothing."""
    assert unused_said(latest_unused()) == ""
    active = version()
    assert unused_said(latest_unused()) == ""
    note = "Would have lowered needs-a-response recall to 0.80 (the active version: 0.94; the floor 0.9)."
    compared = {**active.compared_with, "version": active.pk}
    refused = version(outcome="refused", note=note, needs_response_recall=0.8, compared_with=compared)
    with CaptureQueriesContext(connection) as ctx:
        said = unused_said(latest_unused())
    assert len(ctx.captured_queries) == 1 and "weights" not in ctx.captured_queries[0]["sql"]
    assert said == (
        f"Version {refused.pk}, learned 27 Nov 2026, is not used: {note} Its figures: needs a response 0.91 (recall "
        f"0.80), noise 0.97 (recall 0.62); version {active.pk}'s on the same tickets: needs a response 0.85 (recall "
        "0.90), noise 0.90 (recall 0.40)."
    )


def test_admins_list_says_why_each_version_is_or_is_not_used(admin_client):
    active = version()
    refused = version(outcome="refused", note="No lower cost on the newest 40 labelled tickets: 0.40 a mention.")
    page = admin_client.get("/admin/mentions/judgementmodel/").content.decode()
    assert "No lower cost on the newest 40 labelled tickets: 0.40 a mention." in page
    assert "Judges new mentions" in page and f"Version {refused.pk}, learned 27 Nov 2026, is not used" in page
    assert f"v{active.pk}" in page


def test_with_versions_learned_and_none_used_admin_and_the_kpi_page_say_so_not_that_none_was_learned(
    admin_client, client
):
    """Issue 69: with a version the gate refused and none active, admin's list and the KPI page said "no version
    learned from this desk yet" above the very version. Now the shipped judgement is said to judge because none did
    better, the newest's reason below it."""
    refused = version(outcome="refused", note="No lower cost on the newest 40 labelled tickets: 0.40 a mention.")
    said = SHIPPED_NONE_USED.format(version=refused.pk)
    assert "no version learned" not in said and f"the newest, version {refused.pk}, says why below" in said

    page = admin_client.get(reverse("admin:mentions_judgementmodel_changelist")).content.decode()
    assert escape(said) in page and escape(SHIPPED) not in page
    assert page.index(escape(said)) < page.index("No lower cost on the newest 40 labelled tickets")

    client.force_login(ManagerFactory())
    kpi = client.get("/kpi/").content.decode()
    assert escape(said) in kpi and escape(SHIPPED) not in kpi
    assert f"Version {refused.pk}, learned 27 Nov 2026, is not used: No lower cost" in kpi


def test_learn_now_is_followed_by_what_the_worker_did_even_when_it_learned_nothing(admin_client):
    """Issue 69: "Learn now" said it asked the worker, and then nothing: a run with too few labelled tickets left the
    page as it was. The ask is said until the worker's task (run here as the worker runs it, on an empty desk) says
    what it did. The task is queued on the test's Redis broker, never run by a worker there."""
    from mentions.tasks import judgement_learn

    url = reverse("admin:mentions_judgementmodel_changelist")
    assert 'data-testid="judgement-run"' not in admin_client.get(url).content.decode()  # never learned yet

    asked = admin_client.post(reverse("admin:mentions_judgementmodel_learn"), follow=True).content.decode()
    assert "Asked the worker to learn a new version now" in asked
    assert "Learn now was asked at " in asked and " by admin: not finished yet. Reload this page" in asked

    judgement_learn()  # the worker's task
    page = admin_client.get(url).content.decode()
    assert "not finished yet" not in page
    assert ", made no version: 0 labelled tickets; 40 needed (replies, solves and corrections label tickets)." in page


def test_the_learning_code_and_the_sentence_agree_on_when_it_learns():
    from mentions.judgement.learning import MIN_LABELS

    assert LEARNS_FROM == MIN_LABELS


def test_admin_lists_the_versions_read_only_with_the_sentence_at_the_top(admin_client):
    url = reverse("admin:mentions_judgementmodel_changelist")
    assert escape(SHIPPED) in admin_client.get(url).content.decode()
    old = version(outcome="kept")
    active = version(compared_with={"version": old.pk, "count": 200, "accuracy": 0.8, "noise_precision": 0.9})

    page = admin_client.get(url).content.decode()
    assert escape(SENTENCE.format(pk=active.pk)) in page
    assert f"v{active.pk}" in page and "800 / 41 / 1020" in page and "0.91 (0.94)" in page
    assert "Learn now" in page and "Add judgement model" not in page

    detail = admin_client.get(reverse("admin:mentions_judgementmodel_change", args=[active.pk])).content.decode()
    assert f"On the same 200 tickets, version {old.pk} had: needs a response — (recall —), noise 0.90" in detail
    assert 'name="_save"' not in detail and "field-weights" not in detail  # read only; the weights never shown
    assert admin_client.get(reverse("admin:mentions_judgementmodel_add")).status_code == 403
    deleted = admin_client.post(reverse("admin:mentions_judgementmodel_delete", args=[active.pk]), {"post": "yes"})
    assert deleted.status_code == 403 and JudgementModel.objects.filter(pk=active.pk).exists()
    first = admin_client.get(reverse("admin:mentions_judgementmodel_change", args=[old.pk])).content.decode()
    said = "On the same 200 tickets, the shipped judgement had: needs a response 0.85 (recall 0.90), noise 0.90"
    assert said in first  # learned when only the shipped judgement judged


def test_learn_now_asks_the_worker_and_says_so(admin_client, monkeypatch):
    from mentions.admin import judgement_model

    asked: list[str] = []
    monkeypatch.setattr(judgement_model, "task_enqueue", lambda name, *args, **kw: asked.append(name))
    url = reverse("admin:mentions_judgementmodel_learn")

    assert admin_client.get(url).status_code == 405  # a POST only: a link followed by a crawler learns nothing
    response = admin_client.post(url, follow=True)

    assert asked == ["mentions.judgement_learn"]
    assert "Asked the worker to learn a new version now" in response.content.decode()
    assert JudgementModel.objects.count() == 0  # nothing trained in the web process


def test_the_kpi_page_says_it_under_the_judgement_corrections(client):
    active = version()
    client.force_login(ManagerFactory())
    page = client.get("/kpi/").content.decode()
    corrections = page.index('data-testid="judgement-corrections"')
    said = page.index(escape(SENTENCE.format(pk=active.pk)))
    assert corrections < said


def test_a_fresh_install_has_the_needs_a_response_view_and_the_migration_makes_no_second():
    # Run as `migrate` runs it (a transactional test elsewhere may have flushed what the test database's migrate made).
    make = import_module("mentions.migrations.0001_squashed_0052_needs_response_view").view_create
    View.objects.filter(name="Needs a response").delete()
    make(apps, None)
    view = View.objects.get(name="Needs a response")
    made = (view.slug, view.judgements, view.order, view.position)
    assert made == ("needs-response", ["needs_response", ""], "deadline", 3)  # the demo's definition

    make(apps, None)
    assert View.objects.filter(name="Needs a response").count() == 1

    # A desk whose admin renamed it, keeping its slug: made again beside it, under a free slug.
    View.objects.filter(pk=view.pk).update(name="Answer these")
    make(apps, None)
    assert View.objects.get(name="Needs a response").slug == "needs-response-2"
