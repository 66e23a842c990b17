"""The API's people: found by handle, name or address, one with the tickets they opened, merged, erased.
As on the pages: advocates read; managers merge and erase (people.views)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api import people_serializers as s
from api.auth import needs
from api.errors import Conflict, NotFound, refusals
from api.params import PeopleParams
from api.views import WORK, ApiView, page_answer, page_schema
from mentions.models import Ticket
from people.journey.recognition import recognitions_open
from people.models import Level, Person
from people.privacy import person_erase
from people.selectors import people_paged
from people.services import person_merge

MANAGE = needs("people.manage_people")


def _person(pk: int) -> Person:
    person = Person.objects.filter(pk=pk).select_related("level").prefetch_related("identities", "tags").first()
    if person is None:
        raise NotFound("No such person.")
    return person


def _detail(person: Person) -> dict:
    tickets = Ticket.objects.filter(requester__identity__person=person).order_by("requested_at", "id")
    person.tickets = list(tickets.values_list("pk", flat=True))  # type: ignore[attr-defined]
    return s.PersonDetailSerializer(person).data


class PersonList(ApiView):
    permission_classes = [*ApiView.permission_classes, WORK]

    @extend_schema(
        operation_id="people_list",
        summary="People found by a handle, a name or an address, or at a level (erased people are left out)",
        parameters=[PeopleParams],
        responses={
            200: page_schema(
                "PersonPage",
                s.PersonSerializer,
                count="How many people match, counted up to 1,000 (see count_capped).",
                count_capped="More than `count` match: the count stops at 1,000, as the ticket list's does.",
            ),
            **refusals(400),
        },
    )
    def get(self, request: Request) -> Response:
        params = PeopleParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        level = None
        if params.validated_data.get("level"):
            level = Level.objects.filter(name__iexact=params.validated_data["level"]).first()
            if level is None:  # a level no one can be at (or since renamed): nobody, as for a search
                return Response({"page": 1, "has_next": False, "count": 0, "count_capped": False, "results": []})
        # Counted as the ticket list is (a count that stops at 1,000): a COUNT(*) over everyone grew with the desk.
        page = people_paged(
            q=params.validated_data.get("q", ""), page=params.validated_data.get("page", 1), level=level
        )
        return page_answer(page, s.PersonSerializer(page.people, many=True).data)


class PersonDetail(ApiView):
    permission_classes = [*ApiView.permission_classes, WORK]

    @extend_schema(
        summary="A person with their identities, the tickets they opened, their level and activities",
        responses={200: s.PersonDetailSerializer, **refusals(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(_person(pk)))


class PersonMerge(ApiView):
    permission_classes = [*ApiView.permission_classes, MANAGE]

    @extend_schema(
        summary="Merge this person into another (managers): their identities, messages and tickets move",
        request=s.MergeIn,
        responses={200: s.PersonDetailSerializer, **refusals(400, 404, 409, 415)},
    )
    def post(self, request: Request, pk: int) -> Response:
        body = s.MergeIn(data=request.data)
        body.is_valid(raise_exception=True)
        source, into = _person(pk), _person(body.validated_data["into"])
        if source.erased_at or into.erased_at:
            raise Conflict("An erased person cannot be merged.")
        try:
            person_merge(source=source, into=into, actor=request.user)
        except DjangoValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from exc
        return Response(_detail(_person(into.pk)))


class PersonErase(ApiView):
    permission_classes = [*ApiView.permission_classes, MANAGE]

    @extend_schema(
        summary="Erase a person (managers): their names, handles, addresses and texts are replaced in place; "
        "their tickets stay, so the reports do not change",
        request=None,
        responses={
            200: inline_serializer(
                "Erasure",
                {
                    "person": serializers.IntegerField(),
                    "erased_at": serializers.DateTimeField(),
                    "counts": serializers.DictField(
                        child=serializers.IntegerField(), help_text="Rows emptied or changed, per kind."
                    ),
                },
            ),
            **refusals(404, 409),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        person = _person(pk)
        if person.erased_at:
            raise Conflict("This person was erased already.")
        erasure = person_erase(person=person, actor=request.user, via="api")
        erased_at = Person.objects.values_list("erased_at", flat=True).get(pk=person.pk)
        return Response({"person": person.pk, "erased_at": erased_at, "counts": erasure.counts})


class RecognitionList(ApiView):
    permission_classes = [*ApiView.permission_classes, MANAGE]

    @extend_schema(
        operation_id="people_recognition",
        summary="The open recognitions (managers): people who moved up a level, newest first (at most 100)",
        responses={200: s.RecognitionSerializer(many=True), **refusals()},
    )
    def get(self, request: Request) -> Response:
        return Response(s.RecognitionSerializer(recognitions_open(), many=True).data)
