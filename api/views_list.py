"""GET /api/views/: the queue's views with their waiting tickets and the day's forecast (mentions/forecast.py)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import refusals
from api.views import WORK, ApiView
from mentions import selectors
from mentions.forecast_reads import forecasts_attach

# The day's forecast per view (mentions/forecast.py says how it counts): waiting tickets plus those expected at
# today's arrival rate until coverage ends, and how many will be past their first-reply target before it resumes.
FORECAST_SCHEMA = inline_serializer(
    "ViewForecast",
    {
        "waiting": serializers.IntegerField(help_text="Waiting tickets with a running first-reply clock."),
        "target_hours": serializers.FloatField(help_text="The first-reply target of a new ticket of the view."),
        "arrivals_per_hour": serializers.FloatField(
            allow_null=True, help_text="Today's arrivals per covered hour so far; null outside coverage."
        ),
        "coverage_ends_at": serializers.DateTimeField(allow_null=True),
        "expected_arrivals": serializers.IntegerField(help_text="Arrivals forecast from now until coverage ends."),
        "resumes_at": serializers.DateTimeField(help_text="The next coverage start."),
        "breaches": serializers.IntegerField(help_text="Tickets past their target before coverage resumes."),
        "already_past": serializers.IntegerField(help_text="Of those, already past their target now."),
        "first_breach_at": serializers.DateTimeField(allow_null=True),
        "explanation": serializers.CharField(),
    },
)


class ViewList(ApiView):
    permission_classes = [*ApiView.permission_classes, WORK]

    @extend_schema(
        summary="The queue's views with their waiting tickets",
        responses={
            200: inline_serializer(
                "ViewSummary",
                {
                    "slug": serializers.CharField(),
                    "name": serializers.CharField(),
                    "waiting": serializers.IntegerField(),
                    "oldest_requested_at": serializers.DateTimeField(allow_null=True),
                    "next_due_at": serializers.DateTimeField(allow_null=True),
                    "forecast": FORECAST_SCHEMA,
                },
                many=True,
            ),
            **refusals(),
        },
    )
    def get(self, request: Request) -> Response:
        summaries = forecasts_attach(selectors.queue_summary(), now=timezone.now())
        return Response(
            [
                {
                    "slug": v.view.slug,
                    "name": v.view.name,
                    "waiting": v.waiting,
                    "oldest_requested_at": v.oldest_requested_at,
                    "next_due_at": v.next_due_at,
                    "forecast": v.forecast.as_dict(),
                }
                for v in summaries
            ]
        )
