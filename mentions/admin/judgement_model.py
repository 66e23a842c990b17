"""Admin: the versions of the desk's learned judgement (mentions.models.JudgementModel, docs/judgement.md). Read
only: a version is made by the worker (`mentions.judgement_learn`, every six hours, or "Learn now" here), never by
hand, and its weights are not shown. The list's top says how the active version does on the desk's newest labelled
tickets (mentions.services.judgement_learned), the same sentence as the KPI page.

With several products (issue 71) each version is one product's: the list shows its product and filters by it, and the
top says each product's active version and figures; with one, nothing about products is shown."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_POST

from advocacy.admin_display import ReadOnlyAdmin
from advocacy.enqueue import task_enqueue
from mentions.models import JudgementModel
from mentions.products import DeskProducts, desk_products
from mentions.services.judgement_learn_runs import learn_asked, learn_run_said
from mentions.services.judgement_learned import (
    compared_said,
    figure_shown,
    latest_unused,
    learned_active,
    learned_said,
    unused_said,
    versions_by_product,
)

LEARN_QUEUED = (
    "Asked the worker to learn a new version now. It is kept, and made active only when it does better than the "
    "active one on the newest labelled tickets: reload this page in a minute or two."
)
# The detail page: every figure of the version, read only (the weights are never shown).
FIELDS: tuple[str, ...] = (
    "version",
    "created_at",
    "outcome",
    "labels_desk",
    "labels_corrected",
    "labels_shipped",
    "scored_on",
    "needs_response_precision",
    "needs_response_recall",
    "noise_precision",
    "noise_recall",
    "accuracy",
    "compared_shown",
    "cpu_seconds",
    "note",
    "features_version",
    "embedding_model",
)


OUTCOME_SHORT: dict[str, str] = {
    JudgementModel.Outcome.ACTIVE: "Active",
    JudgementModel.Outcome.KEPT: "Kept (replaced)",
    JudgementModel.Outcome.REFUSED: "Not used",
}


class ProductFilter(admin.SimpleListFilter):
    """By product: the first product's versions are those stored without one (DeskProducts.tickets_q)."""

    title = "product"
    parameter_name = "product"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(p.pk), p.name) for p in desk_products().products]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        products = desk_products()
        value = self.value() or ""
        found = products.get(int(value)) if value.isdigit() else None
        return queryset.filter(products.tickets_q(found.pk)) if found is not None else queryset


def product_said(products: DeskProducts) -> list[dict[str, str]]:
    """Each product's sentences (its name, the active version's figures, why its newest is not used): two queries."""
    versions = versions_by_product()
    said = []
    for product in products.products:
        active, unused = versions.get(None if product.pk == products.default_id else product.pk, (None, None))
        said.append(
            {"name": product.name, "learned": learned_said(active, unused=unused), "unused": unused_said(unused)}
        )
    return said


@admin.register(JudgementModel)
class JudgementModelAdmin(ReadOnlyAdmin):
    change_list_template = "admin/mentions/judgementmodel/change_list.html"
    # Short columns: the list fits a laptop's width without scrolling sideways (a version's words are on its page).
    list_display = [
        "version",
        "learned",
        "outcome_shown",
        "labels",
        "scored_on",
        "needs_response_shown",
        "noise_shown",
        "accuracy_shown",
        "why",
    ]
    fields = FIELDS
    readonly_fields = FIELDS

    def get_list_display(self, request: HttpRequest) -> Any:
        shown = super().get_list_display(request)
        return [shown[0], "product_shown", *shown[1:]] if desk_products().many else shown

    def get_list_filter(self, request: HttpRequest) -> Any:
        return [ProductFilter] if desk_products().many else []

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("product_shown", *FIELDS) if desk_products().many else FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_fields(request, obj)

    @admin.display(description="Product")
    def product_shown(self, obj: JudgementModel) -> str:
        # From memory (desk_products): no query a row.
        found = desk_products().get(obj.product_id)
        return found.name if found is not None else "—"

    def get_queryset(self, request: HttpRequest) -> Any:
        # The weights (hundreds of kilobytes a version) are never shown: left in the database.
        return super().get_queryset(request).defer("weights")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Version", ordering="pk")
    def version(self, obj: JudgementModel) -> str:
        return f"v{obj.pk}"

    @admin.display(description="Learned", ordering="created_at")
    def learned(self, obj: JudgementModel) -> str:
        return date_format(timezone.localtime(obj.created_at), "j M Y H:i")

    @admin.display(description="Outcome", ordering="outcome")
    def outcome_shown(self, obj: JudgementModel) -> str:
        return OUTCOME_SHORT.get(obj.outcome, obj.outcome)

    @admin.display(description="Labels: desk / corrected / shipped")
    def labels(self, obj: JudgementModel) -> str:
        return f"{obj.labels_desk} / {obj.labels_corrected} / {obj.labels_shipped}"

    @admin.display(description="Needs a response: precision (recall)")
    def needs_response_shown(self, obj: JudgementModel) -> str:
        return f"{figure_shown(obj.needs_response_precision)} ({figure_shown(obj.needs_response_recall)})"

    @admin.display(description="Noise: precision (recall)")
    def noise_shown(self, obj: JudgementModel) -> str:
        return f"{figure_shown(obj.noise_precision)} ({figure_shown(obj.noise_recall)})"

    @admin.display(description="Accuracy", ordering="accuracy")
    def accuracy_shown(self, obj: JudgementModel) -> str:
        return figure_shown(obj.accuracy)

    @admin.display(description="Why")
    def why(self, obj: JudgementModel) -> str:
        """The gate's words (mentions.judgement.gate): why a version is not used, with both versions' figures."""
        if obj.outcome == JudgementModel.Outcome.ACTIVE:
            return obj.note or "Judges new mentions: it did better than the version before it on the same tickets."
        if obj.outcome == JudgementModel.Outcome.KEPT:
            return "Replaced by a newer version that did better."
        return obj.note or "Did no better than the active version."

    @admin.display(description="Compared with")
    def compared_shown(self, obj: JudgementModel) -> str:
        return compared_said(obj)

    def get_urls(self) -> list[Any]:
        learn = self.admin_site.admin_view(require_POST(self.learn_view))
        return [path("learn/", learn, name="mentions_judgementmodel_learn"), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        products = desk_products()
        if products.many:
            context = {"product_said": product_said(products), "run_said": learn_run_said()}
            return super().changelist_view(request, {**(extra_context or {}), **context})
        newest_unused = latest_unused()
        said = learned_said(learned_active(), unused=newest_unused)
        context = {"learned_said": said, "unused_said": unused_said(newest_unused), "run_said": learn_run_said()}
        return super().changelist_view(request, {**(extra_context or {}), **context})

    def learn_view(self, request: HttpRequest) -> HttpResponse:
        """ "Learn now": the worker learns (mentions.judgement_learn, on its meaning queue); nothing is trained in a
        web process."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        task_enqueue("mentions.judgement_learn")
        learn_asked(by=request.user.get_username())
        self.message_user(request, LEARN_QUEUED, messages.INFO)
        return HttpResponseRedirect(reverse("admin:mentions_judgementmodel_changelist"))
