"""GET /api/analytics/<figure>/: the Community page's figures as rows (metrics.community), for managers. Every answer
is {"rows": [{"period", "group", ...counts}]}, one row per period and group, by period then group. A figure is one
class here and one line in api/urls.py's ANALYTICS (share of voice joins the same way)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import NotFound, refusals
from api.params import AnalyticsParams, VolumeParams
from api.views import DASHBOARDS, ApiView
from channels.models import Channel
from metrics.community.checks import check_rows
from metrics.community.figures import by_default
from metrics.community.members import WINDOWS, returning_rows
from metrics.community.volume import volume_rows
from metrics.product_scope import product_narrowed
from metrics.rollups import rollups_read

RANGE = (
    "The range is the KPI page's (dates from 2000-01-01 to 2100-12-31; a date alone is always taken, the other filled "
    "in; both given, `from` not after `to` and at most 366 days). A wrong parameter, a `product` the desk does not "
    "have too, is a 400 naming it; a `channel` that does not exist is a 404."
)


def _checked(request: Request, params_class: type[serializers.Serializer]) -> dict[str, Any]:
    params = params_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    v = dict(params.validated_data)
    if v.get("channel") and not Channel.objects.filter(pk=v["channel"]).exists():
        raise NotFound(f"No channel {v['channel']}.")
    v["by"] = v.get("by") or by_default(v["from"], v["to"])
    return v


def _rows(name: str, counts: dict[str, serializers.Field]) -> serializers.Serializer:
    fields: dict[str, serializers.Field] = {
        "period": serializers.DateField(help_text="The period's first day."),
        "group": serializers.CharField(),
    }
    fields |= counts
    return inline_serializer(name, {"rows": inline_serializer(f"{name}Row", fields, many=True)})


class Volume(ApiView):
    permission_classes = [*ApiView.permission_classes, DASHBOARDS]

    @extend_schema(
        summary="Mentions per period, by platform, sentiment, intent or judgement",
        description="A mention is a ticket's first mention, on the day it was posted (UTC): tickets merged into "
        "another and tickets that began as a private message are left out, and our own replies are never tickets "
        '(docs/kpi.md, "Community"). Only periods and groups with a mention are listed. ' + RANGE,
        parameters=[VolumeParams],
        responses={
            200: _rows("Volume", {"mentions": serializers.IntegerField()}),
            **refusals(400, 404),
        },
    )
    def get(self, request: Request) -> Response:
        v = _checked(request, VolumeParams)
        with rollups_read(), product_narrowed(v.get("product")):
            group = v.get("group") or "platform"
            rows = volume_rows(start=v["from"], end=v["to"], by=v["by"], group=group, channel_id=v.get("channel"))
        return Response({"rows": rows})


class Returning(ApiView):
    permission_classes = [*ApiView.permission_classes, DASHBOARDS]

    @extend_schema(
        summary="Members whose first mention fell in each period, and how many came back",
        description="Per period of their first mention ever and group (`answered_within_target` when that first "
        "mention got its first reply within the desk's target, else `not_answered_within_target`): the members, "
        "and for 30 and 90 days how many windows have fully passed (`decided_N`: N days after the end of the first "
        "mention's day, UTC, for every member of that day), how many of those members "
        "mentioned us again (`returned_N`) and the share (`null` while no window has passed: not yet known). "
        "Only periods with a first mention are listed, both groups for each. " + RANGE,
        parameters=[AnalyticsParams],
        responses={
            200: _rows(
                "Returning",
                {
                    "members": serializers.IntegerField(),
                    **{
                        field: serializers.IntegerField()
                        for days in WINDOWS
                        for field in (f"decided_{days}", f"returned_{days}")
                    },
                    **{f"returned_{days}_pct": serializers.FloatField(allow_null=True) for days in WINDOWS},
                },
            ),
            **refusals(400, 404),
        },
    )
    def get(self, request: Request) -> Response:
        v = _checked(request, AnalyticsParams)
        with rollups_read(), product_narrowed(v.get("product")):
            rows = returning_rows(
                start=v["from"], end=v["to"], by=v["by"], now=timezone.now(), channel_id=v.get("channel")
            )
        return Response({"rows": rows})


class Accuracy(ApiView):
    permission_classes = [*ApiView.permission_classes, DASHBOARDS]

    @extend_schema(
        summary="How often the judgement read sentiment and intent right, on the mentions the team checked",
        description="Per period of the checked mentions' days (the Community page's \"Check a sample\": each drawn "
        "at random from the range's judged mentions, whatever the desk was sure of) and group (`sentiment`, "
        "`intent`): how many were `checked`, on how many the desk said what the checker said (`right`), the share "
        "in percent and its 95 % Wilson interval (`low`, `high`, percent). Only periods with a check are listed. "
        + RANGE,
        parameters=[AnalyticsParams],
        responses={
            200: _rows(
                "Accuracy",
                {
                    "checked": serializers.IntegerField(),
                    "right": serializers.IntegerField(),
                    **{f: serializers.FloatField(allow_null=True) for f in ("pct", "low", "high")},
                },
            ),
            **refusals(400, 404),
        },
    )
    def get(self, request: Request) -> Response:
        v = _checked(request, AnalyticsParams)
        with product_narrowed(v.get("product")):
            rows = check_rows(start=v["from"], end=v["to"], by=v["by"], channel_id=v.get("channel"))
        return Response({"rows": rows})
