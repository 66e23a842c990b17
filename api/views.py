"""The API's endpoints. Thin, like the pages: the same forms, selectors and services, so the same
filters, permissions, validation and history events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from api import serializers as s
from api.auth import needs
from channels.models import Channel, DeadLetter
from mentions import search, selectors, services
from mentions.change_feed import BadPosition, changes_after
from mentions.forms import TicketFilterForm
from mentions.models import Macro, Ticket
from metrics.export import kpi_json

WORK = needs("mentions.work_queue")
DASHBOARDS = needs("mentions.view_dashboards")
CHANNELS = needs("mentions.view_dashboards", "channels.view_channel")


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """The services' own refusals, in their own words: a ValidationError is a 400, not a 500."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError({"detail": exc.messages})
    return exception_handler(exc, context)


@method_decorator(login_not_required, name="dispatch")  # a token is checked by DRF, not the session
class ApiView(APIView):
    pass


def _ticket(pk: int) -> Ticket:
    return get_object_or_404(Ticket, pk=pk)


def _listed(tickets: list[Ticket]) -> list[Ticket]:
    """The page's tickets again with what the API shows of each, in the page's order (3 queries)."""
    ids = [t.pk for t in tickets]
    rows = Ticket.objects.filter(pk__in=ids).select_related("channel", "assignee").prefetch_related("tags")
    by_id = {t.pk: t for t in rows}
    return [by_id[i] for i in ids if i in by_id]


class TicketList(ApiView):
    permission_classes = [*ApiView.permission_classes, WORK]

    @extend_schema(
        operation_id="tickets_list",
        summary="Tickets, searched and filtered as on the ticket list",
        parameters=[
            OpenApiParameter(name, str, description=f"As the ticket list's `{name}`.")
            for name in (*TicketFilterForm.PARAMS, "page")
        ],
        responses=inline_serializer(
            "TicketPage",
            {
                "page": serializers.IntegerField(),
                "has_next": serializers.BooleanField(),
                "count": serializers.IntegerField(),
                "count_capped": serializers.BooleanField(),
                "results": s.TicketSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        form = TicketFilterForm(request.query_params)
        query = form.ticket_query(user=request.user)
        if form.errors:
            raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        page = search.ticket_search(query)
        return Response(
            {
                "page": page.number,
                "has_next": page.has_next,
                "count": page.count,
                "count_capped": page.count_capped,
                "results": s.TicketSerializer(_listed(page.tickets), many=True).data,
            }
        )


class TicketDetail(ApiView):
    permission_classes = [*ApiView.permission_classes, WORK]

    @extend_schema(summary="A ticket with its messages and history", responses=s.TicketDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        try:
            ticket = selectors.ticket_detail(pk=pk)
        except Ticket.DoesNotExist:
            return Response({"detail": "No such ticket."}, status=status.HTTP_404_NOT_FOUND)
        return Response(s.TicketDetailSerializer(ticket).data)


class _TicketAction(ApiView):
    """POST an action on a ticket; answers the ticket as it is afterwards. Each subclass names its
    request `body` and what it does with it, `act(ticket, user, data)` (a service of the pages)."""

    permission_classes = [*ApiView.permission_classes, WORK]
    body: type[serializers.Serializer]
    act: Callable[[Any, Ticket, Any, dict], None]

    def post(self, request: Request, pk: int) -> Response:
        data = self.body(data=request.data)
        data.is_valid(raise_exception=True)
        self.act(_ticket(pk), request.user, data.validated_data)
        return Response(s.TicketSerializer(_listed([Ticket(pk=pk)])[0]).data)


@extend_schema(summary="Add an internal note", request=s.NoteIn, responses=s.TicketSerializer)
class TicketNote(_TicketAction):
    body = s.NoteIn

    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        services.ticket_add_note(ticket=ticket, user=user, body=data["body"])


@extend_schema(
    summary="Record the reply posted on the platform (it counts as the first reply)",
    request=s.ReplyIn,
    responses=s.TicketSerializer,
)
class TicketReply(_TicketAction):
    body = s.ReplyIn

    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        services.ticket_mark_replied(
            ticket=ticket, user=user, body=data["body"], link=data["link"], status=data["status"]
        )


@extend_schema(
    summary="Send a reply on the platform from the desk's account, as the ticket page's Send does",
    request=s.SendIn,
    responses=s.TicketSerializer,
)
class TicketSend(_TicketAction):
    body = s.SendIn

    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        from mentions.services.replies import SendStale

        try:
            services.ticket_send_reply(
                ticket=ticket,
                user=user,
                body=data["body"],
                handle=data["handle"],
                key=data["key"],
                status=data["status"],
                style=data["style"],
            )
        except SendStale as exc:
            raise Conflict(" ".join(exc.messages)) from exc


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The ticket changed meanwhile."


@extend_schema(summary="Change the status", request=s.StatusIn, responses=s.TicketSerializer)
class TicketStatus(_TicketAction):
    body = s.StatusIn

    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        services.ticket_change_status(ticket=ticket, user=user, status=data["status"])


@extend_schema(summary="Apply a macro", request=s.MacroIn, responses=s.TicketSerializer)
class TicketMacro(_TicketAction):
    body = s.MacroIn

    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        name = data["macro"].strip()
        macro = (
            Macro.objects.filter(Q(name=name) | Q(pk=int(name)) if name.isdecimal() else Q(name=name))
            .filter(is_active=True)
            .first()
        )
        if macro is None:
            raise ValidationError({"macro": [f"No active macro {name!r}."]})
        services.macro_apply(ticket=ticket, user=user, macro=macro, link=data["link"])


@extend_schema(summary="Give the ticket to someone (managers)", request=s.AssignIn, responses=s.TicketSerializer)
class TicketAssign(_TicketAction):
    body = s.AssignIn

    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        to = get_user_model().objects.filter(username=data["assignee"]).first()
        if to is None:
            raise ValidationError({"assignee": [f"No user {data['assignee']!r}."]})
        services.ticket_reassign(ticket=ticket, user=user, to=to)


class ViewList(ApiView):
    permission_classes = [*ApiView.permission_classes, WORK]

    @extend_schema(
        summary="The queue's views with their waiting tickets",
        responses=inline_serializer(
            "ViewSummary",
            {
                "slug": serializers.CharField(),
                "name": serializers.CharField(),
                "waiting": serializers.IntegerField(),
                "oldest_requested_at": serializers.DateTimeField(allow_null=True),
                "next_due_at": serializers.DateTimeField(allow_null=True),
            },
            many=True,
        ),
    )
    def get(self, request: Request) -> Response:
        return Response(
            [
                {
                    "slug": v.view.slug,
                    "name": v.view.name,
                    "waiting": v.waiting,
                    "oldest_requested_at": v.oldest_requested_at,
                    "next_due_at": v.next_due_at,
                }
                for v in selectors.queue_summary()
            ]
        )


class ChannelHealth(ApiView):
    permission_classes = [*ApiView.permission_classes, CHANNELS]

    @extend_schema(
        summary="Each channel's polling health",
        responses=inline_serializer(
            "ChannelHealth",
            {
                "id": serializers.IntegerField(),
                "name": serializers.CharField(),
                "kind": serializers.CharField(),
                "enabled": serializers.BooleanField(),
                "health": serializers.CharField(),
                "last_polled_at": serializers.DateTimeField(allow_null=True),
                "next_poll_at": serializers.DateTimeField(allow_null=True),
                "last_error": serializers.CharField(),
                "open_dead_letters": serializers.IntegerField(),
            },
            many=True,
        ),
    )
    def get(self, request: Request) -> Response:
        rows = Channel.objects.annotate(
            open_dead_letters=Count("dead_letters", filter=Q(dead_letters__status=DeadLetter.Status.OPEN))
        ).order_by("name")
        return Response(
            [
                {
                    "id": c.pk,
                    "name": c.name,
                    "kind": c.kind,
                    "enabled": c.enabled,
                    "health": c.health,
                    "last_polled_at": c.last_polled_at,
                    "next_poll_at": c.next_poll_at,
                    "last_error": c.last_error,
                    "open_dead_letters": c.open_dead_letters,
                }
                for c in rows
            ]
        )


class Kpi(ApiView):
    permission_classes = [*ApiView.permission_classes, DASHBOARDS]

    @extend_schema(
        summary="The KPI figures, as `manage.py kpi --json` prints them",
        parameters=[
            OpenApiParameter("from", date, description="First day (UTC); 28 days before `to` when left out."),
            OpenApiParameter("to", date, description="Last day (UTC); today when left out."),
            OpenApiParameter("channel", int, description="One channel's figures."),
        ],
        responses=inline_serializer("Kpi", {"first_reply": serializers.DictField()}),
    )
    def get(self, request: Request) -> Response:
        params = _KpiParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        end = params.validated_data.get("to") or timezone.now().date()
        start = params.validated_data.get("from") or end - timedelta(days=27)
        if start > end:
            raise ValidationError({"from": ["`from` must not be after `to`."]})
        return Response(kpi_json(start=start, end=end, channel_id=params.validated_data.get("channel")))


class _KpiParams(serializers.Serializer):
    channel = serializers.IntegerField(required=False, min_value=1)

    def get_fields(self) -> dict:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False)
        fields["to"] = serializers.DateField(required=False)
        return fields


class _ChangesParams(serializers.Serializer):
    after = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=500)


class Changes(ApiView):
    permission_classes = [*ApiView.permission_classes, WORK]

    @extend_schema(
        summary="Every change to every ticket since a position, oldest first",
        description="Start with no `after`; then pass the `next` each answer gives. Nothing is missed or "
        "repeated, even while tickets change: an answer holds only changes that can no longer be "
        "overtaken by one still being written. An empty `results` means you are up to date; ask again later.",
        parameters=[
            OpenApiParameter("after", str, description="A `next` from an earlier answer; empty: the start."),
            OpenApiParameter("limit", int, description="At most this many (1-1000, default 500)."),
        ],
        responses=inline_serializer(
            "Changes",
            {
                "results": s.ChangeSerializer(many=True),
                "next": serializers.CharField(),
                "has_more": serializers.BooleanField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        params = _ChangesParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        limit = params.validated_data["limit"]
        try:
            page = changes_after(after=params.validated_data["after"], limit=limit)
        except BadPosition as exc:
            raise ValidationError({"after": [str(exc)]}) from exc
        return Response(
            {
                "results": s.ChangeSerializer(page.events, many=True).data,
                "next": page.position,
                "has_more": len(page.events) == limit,
            }
        )
