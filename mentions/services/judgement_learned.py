"""The learned judgement in words (issue 56), for admin's list of versions and the KPI page: how the active version
did on the desk's newest labelled tickets, and what a version was compared with when it was learned.

Read in web processes: the row only (one query, without its weights), never the learning code, which imports the
worker's modules (mentions.judgement.learning, docs/judgement.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, Q, Subquery
from django.utils import timezone
from django.utils.dateformat import format as date_format

from mentions.models import JudgementModel

# mentions.judgement.learning.MIN_LABELS (not imported: a web process must not load the learning code; a test
# holds the two equal).
LEARNS_FROM = 40
SHIPPED = (
    f"The shipped judgement (no version learned from this desk yet: it learns once {LEARNS_FROM} tickets are "
    "labelled by replies, solves and corrections)"
)
# Versions were learned, and none judges: each did no better than what judged when it was learned.
SHIPPED_NONE_USED = (
    "The shipped judgement (versions were learned from this desk, but none did better than it on the newest labelled "
    "tickets: the newest, version {version}, says why below)"
)
FIGURES = (
    "needs_response_precision",
    "needs_response_recall",
    "noise_precision",
    "noise_recall",
    "accuracy",
    "scored_on",
    "created_at",
)


def learned_active(product_id: int | None = None) -> JudgementModel | None:
    """A product's active version's figures (one query; its weights are left in the database). `product_id` as
    versions are stored: empty for the desk's first product (mentions.judgement.product.JudgedProducts.stored)."""
    rows = JudgementModel.objects.filter(product_id=product_id, outcome=JudgementModel.Outcome.ACTIVE)
    return rows.only("pk", *FIGURES).first()


def figure_shown(value: Any) -> str:
    """A figure to two places, "—" when there is none (admin's columns, the sentences here)."""
    return f"{value:.2f}" if isinstance(value, int | float) else "—"


def figures_said(figures: Any) -> str:
    """ "needs a response 0.91 (recall 0.94), noise 0.97 (recall 0.62)", from a version or its compared_with."""

    def get(name: str) -> Any:
        return figures.get(name) if isinstance(figures, dict) else getattr(figures, name, None)

    return (
        f"needs a response {figure_shown(get('needs_response_precision'))} "
        f"(recall {figure_shown(get('needs_response_recall'))}), "
        f"noise {figure_shown(get('noise_precision'))} (recall {figure_shown(get('noise_recall'))})"
    )


def learned_said(row: JudgementModel | None, *, unused: JudgementModel | None = None) -> str:
    """ "Precision on your last 200 labelled mentions: needs a response 0.91 (recall 0.94), noise 0.97 (recall
    0.62); version 7, learned 27 Nov 2026", or, without an active version, what judges instead: and when it learns
    (SHIPPED), or, when versions were learned but the newest, `unused` (latest_unused), was not used, that it judges
    still (issue 69: the list and the KPI page said "no version learned" above a list of versions)."""
    if row is None and unused is not None:
        return SHIPPED_NONE_USED.format(version=unused.pk)
    if row is None:
        return SHIPPED
    learned = date_format(timezone.localtime(row.created_at), "j M Y")
    return (
        f"Precision on your last {row.scored_on} labelled mentions: {figures_said(row)}; "
        f"version {row.pk}, learned {learned}"
    )


def compared_said(row: JudgementModel) -> str:
    """What a version was measured against, in words: the version active when it was learned (or the shipped
    judgement) on the same tickets."""
    compared = row.compared_with if isinstance(row.compared_with, dict) else {}
    if not compared or not compared.get("count"):
        return "Nothing to compare with: no judgement was active when it was learned."
    version = compared.get("version")
    whom = f"version {version}" if version else "the shipped judgement"
    accuracy = figure_shown(compared.get("accuracy"))
    return f"On the same {compared.get('count')} tickets, {whom} had: {figures_said(compared)}; accuracy {accuracy}"


def latest_unused(product_id: int | None = None) -> JudgementModel | None:
    """A product's newest version when the gate refused it (one query; None when the newest is the active one)."""
    rows = JudgementModel.objects.filter(product_id=product_id)
    row = rows.only("pk", "outcome", "note", "compared_with", *FIGURES).order_by("-pk").first()
    return row if row is not None and row.outcome == JudgementModel.Outcome.REFUSED else None


def versions_by_product() -> dict[int | None, tuple[JudgementModel | None, JudgementModel | None]]:
    """Each product's active version and its newest version when that one was refused (as `learned_active` and
    `latest_unused`), keyed as versions are stored (empty: the first product): two queries, whatever the products."""
    fields = ("pk", "product_id", "outcome", "note", "compared_with", *FIGURES)
    newest = JudgementModel.objects.values("product").annotate(newest=Max("pk")).values("newest").order_by()
    active: dict[int | None, JudgementModel] = {}
    unused: dict[int | None, JudgementModel] = {}
    for row in JudgementModel.objects.filter(
        Q(outcome=JudgementModel.Outcome.ACTIVE) | Q(pk__in=Subquery(newest))
    ).only(*fields):
        if row.outcome == JudgementModel.Outcome.ACTIVE:
            active[row.product_id] = row
        elif row.outcome == JudgementModel.Outcome.REFUSED:
            unused[row.product_id] = row
    return {key: (active.get(key), unused.get(key)) for key in {*active, *unused}}


def unused_said(row: JudgementModel | None) -> str:
    """Why the newest version does not judge, with both versions' figures on the same held-out tickets: "Version 9,
    learned 28 Nov 2026, is not used: Would have lowered … Its figures: …; the active version's: …" ("" if none)."""
    if row is None:
        return ""
    learned = date_format(timezone.localtime(row.created_at), "j M Y")
    compared = row.compared_with if isinstance(row.compared_with, dict) else {}
    version = compared.get("version")
    whom = f"version {version}" if version else "the shipped judgement"
    theirs = f"; {whom}'s on the same tickets: {figures_said(compared)}" if compared.get("count") else ""
    return f"Version {row.pk}, learned {learned}, is not used: {row.note} Its figures: {figures_said(row)}{theirs}."
