"""GET /api/views/: the queue's views with their waiting tickets and the day's forecast (mentions/forecast/day.py)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import refusals
from api.params import ViewListParams
from api.views import WORK, ApiView
from mentions import selectors
from mentions.forecast.reads import forecasts_attach
from mentions.narrowing import product_narrowing
from mentions.products import desk_products

# The day's forecast per view (mentions/forecast/day.py says how it estimates): waiting tickets plus those expected at
# the recent arrival rate until coverage ends, less the first replies the team gives meanwhile at its recent rate, and
# about how many may be past their first-reply target before coverage resumes; silent with too little to go on.
FORECAST_SCHEMA = inline_serializer(
    "ViewForecast",
    {
        "waiting": serializers.IntegerField(help_text="Waiting tickets with a running first-reply clock."),
        "target_hours": serializers.FloatField(help_text="The first-reply target of a new ticket of the view."),
        "arrivals_per_hour": serializers.FloatField(
            allow_null=True,
            help_text="Arrivals an hour over the last 3 h (asked and stored in them); null outside coverage or with "
            "fewer than 3.",
        ),
        "replies_per_hour": serializers.FloatField(
            allow_null=True,
            help_text="First replies per covered hour over the last 7 days; null outside coverage or with fewer "
            "than 5.",
        ),
        "coverage_ends_at": serializers.DateTimeField(allow_null=True),
        "expected_arrivals": serializers.IntegerField(help_text="Arrivals expected from now until coverage ends."),
        "expected_replies": serializers.IntegerField(help_text="First replies expected from now until coverage ends."),
        "resumes_at": serializers.DateTimeField(help_text="The next coverage start."),
        "breaches": serializers.IntegerField(
            allow_null=True,
            help_text="About how many may be past their target before coverage resumes; null when silent.",
        ),
        "already_past": serializers.IntegerField(help_text="Of those, already past their target now."),
        "first_breach_at": serializers.DateTimeField(allow_null=True),
        "silent": serializers.BooleanField(help_text="Too little to go on: no figure is given (explanation says why)."),
        "basis": inline_serializer(
            "ViewForecastBasis",
            {
                "arrivals": serializers.IntegerField(),
                "arrival_window_hours": serializers.FloatField(),
                "replies": serializers.IntegerField(),
                "reply_days": serializers.IntegerField(),
                "covered_hours": serializers.FloatField(),
            },
        ),
        "explanation": serializers.CharField(),
    },
)


VIEW_SUMMARY: dict[str, serializers.Field] = {
    "slug": serializers.CharField(),
    "name": serializers.CharField(),
    "product": serializers.CharField(
        allow_null=True,
        help_text="The product the view is narrowed to (its slug; ?product= narrows every view); null: every product.",
    ),
    "waiting": serializers.IntegerField(),
    "oldest_requested_at": serializers.DateTimeField(allow_null=True),
    "next_due_at": serializers.DateTimeField(allow_null=True),
    "forecast": FORECAST_SCHEMA,
}


class ViewList(ApiView):
    permission_classes = [*ApiView.permission_classes, WORK]

    @extend_schema(
        summary="The queue's views with their waiting tickets",
        parameters=[ViewListParams],
        responses={200: inline_serializer("ViewSummary", dict(VIEW_SUMMARY), many=True), **refusals(400)},
    )
    def get(self, request: Request) -> Response:
        params = ViewListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        products = desk_products()
        product_id = product_narrowing(params.validated_data.get("product"))
        summaries = forecasts_attach(selectors.queue_summary(product_id=product_id), now=timezone.now())
        return Response(
            [
                {
                    "slug": v.view.slug,
                    "name": v.view.name,
                    "product": p.slug if v.view.product_id and (p := products.get(v.view.product_id)) else None,
                    "waiting": v.waiting,
                    "oldest_requested_at": v.oldest_requested_at,
                    "next_due_at": v.next_due_at,
                    "forecast": v.forecast.as_dict(),
                }
                for v in summaries
            ]
        )
