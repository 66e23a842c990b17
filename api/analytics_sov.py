"""`GET /api/analytics/share-of-voice/` (issue 70): our mentions against each competitor's, per period and by
sentiment (metrics.share_of_voice), in the analytics endpoints' shape: `{"rows": [{"period", "group", "mentions",
...}]}`. Managers' (the KPI pages' permission)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import refusals
from api.params import KpiParams, _one_of
from api.views import DASHBOARDS, ApiView
from metrics.product_scope import product_narrowed
from metrics.rollups import rollups_read
from metrics.share_of_voice import PERIODS, share_of_voice


class ShareOfVoiceParams(KpiParams):
    """The KPI range (`from`, `to`) and the period the rows are counted by."""

    by = serializers.ChoiceField(
        choices=list(PERIODS),
        required=False,
        help_text="The period of each row: day, week (from Monday) or month. Left out: week.",
        error_messages=_one_of("period", list(PERIODS)),
    )

    def get_fields(self) -> dict:
        fields = super().get_fields()
        fields.pop("channel", None)  # shares are the whole desk's: every platform that searches competitors
        return fields


class ShareOfVoiceRow(serializers.Serializer):
    """One group's mentions in one period."""

    period = serializers.DateField(help_text="The period's first day (a week's Monday, a month's first).")
    group = serializers.CharField(help_text='"us", or a competitor\'s name as admin wrote it.')
    mentions = serializers.IntegerField()
    positive = serializers.IntegerField(help_text="Of the mentions, those the desk judged positive.")
    negative = serializers.IntegerField(help_text="Of the mentions, those the desk judged negative.")


class ShareOfVoice(ApiView):
    permission_classes = [*ApiView.permission_classes, DASHBOARDS]

    @extend_schema(
        summary="Share of voice: our mentions and each competitor's, per period and by sentiment",
        description="Ours: the tickets requested in the period on the platforms that search competitors (Hacker "
        "News, Reddit, Mastodon, Bluesky), less those that began as a private message. A competitor's: the items "
        "its searches found there, each counted once. Every period of the range is answered for us and for every "
        "competitor enabled or found in it (zeros included), ordered by period, us first. With `product`: ours are "
        "that product's tickets, and the competitors are those named for that product and those named for none (the "
        "desk's); another product's are left out. The range is the KPI "
        "page's (`from`, `to`: at most 366 days); anything else, an unknown `product` too, is a 400 "
        "naming the parameter.",
        parameters=[ShareOfVoiceParams],
        responses={200: inline_serializer("ShareOfVoice", {"rows": ShareOfVoiceRow(many=True)}), **refusals(400)},
    )
    def get(self, request: Request) -> Response:
        params = ShareOfVoiceParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        v = params.validated_data
        # Ours are the Community page's day counts (its rollup refreshed once, then read); narrowed, ours are the
        # product's tickets and theirs the product's and the desk-wide competitors' (metrics.share_of_voice).
        with rollups_read(), product_narrowed(v.get("product")):
            rows = share_of_voice(start=v["from"], end=v["to"], by=v.get("by") or "week")
        return Response({"rows": [row.as_json() for row in rows]})
