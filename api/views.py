"""The API's endpoints. Thin, like the pages: the same forms, selectors and services, so the same
filters, permissions, validation and history events. Each operation's schema lists what it answers,
refusals included (api/errors.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.auth import needs
from api.errors import Conflict, NotFound, refusals
from api.params import ChangesParams, KpiParams, TicketListParams
from channels.adapters.registry import kind_choices
from channels.models import Channel, DeadLetter
from mentions import selectors, services
from mentions.change_feed import BadPosition, changes_after
from mentions.forms import TicketFilterForm
from mentions.models import Macro, Ticket
from mentions.permissions.private_messages import private_messages_readable
from mentions.search import tickets as search
from mentions.services.judgement import judgement_correct
from metrics.export import kpi_json
from metrics.product_scope import product_narrowed

WORK = needs("mentions.work_queue")
DASHBOARDS = needs("mentions.view_dashboards")
CHANNELS = needs("mentions.view_dashboards", "channels.view_channel")


@method_decorator(login_not_required, name="dispatch")  # a token is checked by DRF, not the session
class ApiView(APIView):
    pass


def _ticket(pk: int) -> Ticket:
    ticket = Ticket.objects.filter(pk=pk).first()
    if ticket is None:
        raise NotFound("No such ticket.")
    return ticket


def _listed(tickets: list[Ticket]) -> list[Ticket]:
    """The page's tickets again with what the API shows of each, in the page's order (3 queries)."""
    ids = [t.pk for t in tickets]
    rows = (
        Ticket.objects.filter(pk__in=ids)
        .select_related("channel", "assignee", "requester__identity")
        .prefetch_related("tags")
    )
    by_id = {t.pk: t for t in rows}
    return [by_id[i] for i in ids if i in by_id]


def page_schema(name: str, results: type[serializers.Serializer], **help_text: str) -> serializers.Serializer:
    """A page of a list as the API answers it (`page_answer`): its number, whether another follows, how many match
    (counted up to 1,000, as the ticket list's count) and its results; `help_text` by field. The fields are made in
    that order, which is the schema's."""
    kinds = {"page": serializers.IntegerField, "has_next": serializers.BooleanField}
    kinds |= {"count": serializers.IntegerField, "count_capped": serializers.BooleanField}
    fields = {key: kind(help_text=help_text.get(key)) for key, kind in kinds.items()}
    return inline_serializer(name, {**fields, "results": results(many=True)})


def page_answer(page: Any, results: Any) -> Response:
    return Response(
        {
            "page": page.number,
            "has_next": page.has_next,
            "count": page.count,
            "count_capped": page.count_capped,
            "results": results,
        }
    )


class TicketList(ApiView):
    permission_classes = [*ApiView.permission_classes, WORK]

    @extend_schema(
        operation_id="tickets_list",
        summary="Tickets, searched and filtered as on the ticket list",
        parameters=[TicketListParams],
        responses={
            200: page_schema("TicketPage", s.TicketSerializer),
            **refusals(400),
        },
    )
    def get(self, request: Request) -> Response:
        TicketListParams(data=request.query_params).is_valid(raise_exception=True)  # an unknown product: a 400
        form = TicketFilterForm(request.query_params)
        query = form.ticket_query(user=request.user)
        if form.errors:
            raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        page = search.ticket_search(query)
        return page_answer(page, s.TicketSerializer(_listed(page.tickets), many=True).data)


class TicketDetail(ApiView):
    permission_classes = [*ApiView.permission_classes, WORK]

    @extend_schema(
        summary="A ticket with its messages and history",
        responses={200: s.TicketDetailSerializer, **refusals(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        try:
            ticket = selectors.ticket_detail(pk=pk, private=private_messages_readable(request.user))
        except Ticket.DoesNotExist:
            raise NotFound("No such ticket.") from None
        return Response(s.TicketDetailSerializer(ticket).data)

    @extend_schema(
        summary="Correct the desk's judgement, as an advocate (the classifier learns from it)",
        request=s.JudgementIn,
        responses={200: s.TicketSerializer, **refusals(400, 404, 409, 415)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        if request.META.get("CONTENT_LENGTH") in (None, "", "0"):  # no body at all; `{}` is a PATCH of nothing
            raise ValidationError({"judgement": ['Send the correction as a JSON object, e.g. {"judgement": "noise"}.']})
        data = s.JudgementIn(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = _ticket(pk)
        given = data.validated_data
        judgement = given.get("judgement", ticket.judgement)
        if given and not judgement:
            raise Conflict("The desk has not judged this ticket yet: give its judgement with the intent.")
        try:
            if given:
                judgement_correct(ticket, judgement, request.user, given.get("intent"))
        except DjangoValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from exc
        return Response(s.TicketSerializer(_listed([Ticket(pk=pk)])[0]).data)


class TicketAction(ApiView):
    """POST an action on a ticket; answers the ticket as it is afterwards. Each subclass names its
    request `body` and what it does with it, `act(ticket, user, data)` (a service of the pages).

    The body's serializer checks everything the schema says; whatever the service still refuses
    (a Django ValidationError) is about the ticket's or the desk's state: a 409 in its words."""

    permission_classes = [*ApiView.permission_classes, WORK]
    body: type[serializers.Serializer]  # set by ticket_action_schema (the docstring is the API docs' description)

    def post(self, request: Request, pk: int) -> Response:
        data = self.body(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = _ticket(pk)
        try:
            self.act(ticket, request.user, data.validated_data)
        except DjangoValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from exc
        return Response(s.TicketSerializer(_listed([Ticket(pk=pk)])[0]).data)

    def act(self, ticket: Ticket, user: Any, data: dict[str, Any]) -> None:
        raise NotImplementedError("each action names what it does")


def ticket_action_schema(summary: str, body: type[serializers.Serializer], *more: int) -> Callable:
    """The action's schema, and its request `body`: the serializer it reads is the one it documents."""
    schema = extend_schema(
        summary=summary, request=body, responses={200: s.TicketSerializer, **refusals(400, 404, 409, 415, *more)}
    )

    def decorate(action: type[TicketAction]) -> type[TicketAction]:
        action.body = body
        return schema(action)

    return decorate


@ticket_action_schema("Add an internal note", s.NoteIn)
class TicketNote(TicketAction):
    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        services.ticket_add_note(ticket=ticket, user=user, body=data["body"])


@ticket_action_schema("Record the reply posted on the platform (it counts as the first reply)", s.ReplyIn)
class TicketReply(TicketAction):
    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        services.ticket_mark_replied(
            ticket=ticket, user=user, body=data["body"], link=data["link"], status=data["status"]
        )


@ticket_action_schema("Change the status", s.StatusIn)
class TicketStatus(TicketAction):
    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        services.ticket_change_status(ticket=ticket, user=user, status=data["status"])


@ticket_action_schema("Apply a macro", s.MacroIn)
class TicketMacro(TicketAction):
    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        name = data["macro"].strip()
        by_id = Q(pk=int(name)) if name.isascii() and name.isdigit() and len(name) <= 18 else Q()
        macro = Macro.objects.filter(Q(name=name) | by_id if by_id else Q(name=name)).filter(is_active=True).first()
        if macro is None:
            raise NotFound(f"No active macro {name!r}.")
        services.macro_apply(ticket=ticket, user=user, macro=macro, link=data["link"], expert_id=data.get("expert"))


@ticket_action_schema("Give the ticket to someone (managers)", s.AssignIn)
class TicketAssign(TicketAction):
    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        to = get_user_model().objects.filter(username=data["assignee"]).first()
        if to is None:
            raise NotFound(f"No user {data['assignee']!r}.")
        services.ticket_reassign(ticket=ticket, user=user, to=to)


# What GET /api/channels/health/ answers of each channel: each field is the channel's attribute of that name.
CHANNEL_HEALTH: dict[str, serializers.Field] = {
    "id": serializers.IntegerField(),
    "name": serializers.CharField(),
    "kind": serializers.ChoiceField(choices=kind_choices()),
    "enabled": serializers.BooleanField(),
    "health": serializers.ChoiceField(choices=Channel.Health.values),
    "last_polled_at": serializers.DateTimeField(allow_null=True),
    "next_poll_at": serializers.DateTimeField(allow_null=True),
    "last_error": serializers.CharField(),
    "open_dead_letters": serializers.IntegerField(),
}


def rows_schema(summary: str, name: str, fields: dict[str, serializers.Field]) -> Callable:
    """The schema of a GET that answers a list of objects named `name` with `fields`, or a refusal. A copy of `fields`
    is given: the serializer class made from it takes the fields out of the dict it is given."""
    listed = inline_serializer(name, dict(fields), many=True)
    return extend_schema(summary=summary, responses={200: listed, **refusals()})


class ChannelHealth(ApiView):
    permission_classes = [*ApiView.permission_classes, CHANNELS]

    @rows_schema("Each channel's polling health", "ChannelHealth", CHANNEL_HEALTH)
    def get(self, request: Request) -> Response:
        rows = Channel.objects.annotate(
            open_dead_letters=Count("dead_letters", filter=Q(dead_letters__status=DeadLetter.Status.OPEN))
        ).order_by("name")
        return Response([{field: getattr(c, field) for field in CHANNEL_HEALTH} for c in rows])


def _object(help_text: str) -> serializers.DictField:
    return serializers.DictField(help_text=help_text)


class Kpi(ApiView):
    permission_classes = [*ApiView.permission_classes, DASHBOARDS]

    @extend_schema(
        summary="The KPI figures, as `manage.py kpi --json` prints them",
        description="The range is the KPI page's: dates from 2000-01-01 to 2100-12-31. A date given alone is "
        "always taken (the other is filled in, as each parameter says); given both, `from` not after `to` and at "
        "most 366 days. Days still to come are answered like the others (nothing happened on them: zeros). "
        "Anything else, a `product` the desk does not have too, is a 400 naming the parameter; a `channel` that "
        "does not exist is a 404.",
        parameters=[KpiParams],
        responses={
            200: inline_serializer(
                "Kpi",
                {
                    "range": inline_serializer(
                        "KpiRange", {"from": serializers.DateField(), "to": serializers.DateField()}
                    ),
                    "channel": serializers.CharField(allow_null=True, help_text="The channel's name, if one."),
                    "targets": serializers.DictField(
                        child=serializers.FloatField(), help_text="First- and next-reply targets in hours, per group."
                    ),
                    "first_reply": _object("First-reply figures: `all`, `high_priority`, `by_channel`."),
                    "next_reply": _object("Next-reply figures (a follow-up after our reply): `all`, `high_priority`."),
                    "activity": serializers.ListField(child=_object("One day's counts.")),
                    "tags_rising": serializers.ListField(child=_object("A tag and its change.")),
                    "outreach": serializers.ListField(child=_object("One month's outreach.")),
                    "community": _object(
                        "The community in the range (metrics.community_summary): `mentions`, `previous_mentions` (the "
                        "month or as many days before), `judged`, `negative`, their previous counts, `change_pct`, "
                        "`negative_pct`, `previous_negative_pct` (null when there is nothing to divide by), `topic`, "
                        "`topic_kind` and `topic_mentions` (the tag or story most negative mentions share)."
                    ),
                },
            ),
            **refusals(400, 404),
        },
    )
    def get(self, request: Request) -> Response:
        params = KpiParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        v = params.validated_data
        if v.get("channel") and not Channel.objects.filter(pk=v["channel"]).exists():
            raise NotFound(f"No channel {v['channel']}.")  # the page refuses it too (400: its form's choice)
        with product_narrowed(v.get("product")):
            return Response(kpi_json(start=v["from"], end=v["to"], channel_id=v.get("channel")))


class Changes(ApiView):
    permission_classes = [*ApiView.permission_classes, WORK]

    @extend_schema(
        summary="Every change to every ticket since a position, oldest first",
        description="Start with no `after`; then pass the `next` each answer gives. Nothing is missed or "
        "repeated, even while tickets change: an answer holds only changes that can no longer be "
        "overtaken by one still being written. An empty `results` means you are up to date; ask again later.",
        parameters=[ChangesParams],
        responses={
            200: inline_serializer(
                "Changes",
                {
                    "results": s.ChangeSerializer(many=True),
                    "next": serializers.CharField(),
                    "has_more": serializers.BooleanField(),
                },
            ),
            **refusals(400),
        },
    )
    def get(self, request: Request) -> Response:
        params = ChangesParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        limit = params.validated_data.get("limit", 500)
        try:
            page = changes_after(after=params.validated_data.get("after", ""), limit=limit)
        except BadPosition as exc:
            raise ValidationError({"after": [str(exc)]}) from exc
        return Response(
            {
                "results": s.ChangeSerializer(page.events, many=True).data,
                "next": page.position,
                "has_more": len(page.events) == limit,
            }
        )
