"""Issues from the API, as the ticket page's Issue panel: `POST /api/tickets/{id}/issues/` links an existing issue
by its address (`{"url": ...}`) or files a new one (`{"create": {"project": ..., "title": ...}}`) on a GitLab or
GitHub channel the desk has (stories.issues.linking); the desk then follows it to its end. Answers the issue as
the ticket detail's `issues` lists it; a refusal by the desk or the platform is a 409 in words."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import Conflict, refusals
from api.fields import Link, Text
from api.serializers import IssueOut, issue_out
from api.views import WORK, ApiView, _ticket
from channels.adapters.issues import projects_of
from stories.issues.linking import issue_file, issue_link_url, tracker_channels


class IssueCreateIn(serializers.Serializer):
    project = serializers.CharField(max_length=255, help_text="group/project (GitLab) or owner/name (GitHub).")
    channel = serializers.IntegerField(
        min_value=1, required=False, help_text="The channel to file through (default: the first that reads it)."
    )
    title = Text(max_length=255, required=False, default="")
    expert = Text(max_length=120, required=False, default="")
    note = Text(max_length=2000, required=False, default="")


@extend_schema_serializer(
    examples=[
        OpenApiExample("Link an issue", value={"url": "https://gitlab.com/gitlab-org/gitlab/-/issues/123"}),
        OpenApiExample("File one", value={"create": {"project": "gitlab-org/gitlab", "expert": "Ana (Runner)"}}),
    ]
)
class IssueIn(serializers.Serializer):
    """Exactly one of `url` and `create`."""

    url = Link(help_text="An existing issue's address.")
    create = IssueCreateIn(required=False)  # type: ignore[assignment]  # DRF: a nested serializer is a field

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("url")) == bool(attrs.get("create")):
            raise serializers.ValidationError("Give either the issue's url or what to create.")
        return attrs


def _where(create: dict[str, Any]) -> str:
    project = create["project"].strip()
    for channel in tracker_channels():
        if create.get("channel") in (None, channel.pk) and project in projects_of(channel):
            return f"{channel.pk}:{project}"
    raise DjangoValidationError(f"No GitLab or GitHub channel of the desk reads {project[:100]}.")


class TicketIssues(ApiView):
    permission_classes = [*ApiView.permission_classes, WORK]

    @extend_schema(
        summary="Link an issue to the ticket, or file one (the desk follows it to its end)",
        request=IssueIn,
        responses={201: IssueOut, **refusals(400, 404, 409, 415)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = IssueIn(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = _ticket(pk)
        given = data.validated_data
        try:
            if given.get("url"):
                link = issue_link_url(tickets=[ticket], user=request.user, url=given["url"])
            else:
                create = given["create"]
                link = issue_file(
                    tickets=[ticket],
                    user=request.user,
                    where=_where(create),
                    title=create["title"],
                    expert=create["expert"],
                    note=create["note"],
                )
        except DjangoValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from exc
        return Response(issue_out(link), status=201)
