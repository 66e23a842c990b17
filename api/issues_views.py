"""Issues from the API, as the ticket page's Issue panel: `POST /api/tickets/{id}/issues/` links an existing issue
by its address (`{"url": ...}`) or files a new one (`{"project": ..., "title": ...}`) on a GitLab or GitHub
channel the desk has (stories.issues.linking); the desk then follows it to its end. Answers 200 with the issue as
the ticket detail's `issues` lists it (as every write of the API answers); a refusal by the desk or the platform is a
409 in words. The body is flat, so that a 400 names each field with its messages (FieldErrors) as everywhere."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiExample, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import Conflict, refusals
from api.fields import Link, StrictInput, Text
from api.serializers import IssueOut, issue_out
from api.views import WORK, ApiView, _ticket
from channels.adapters.issues import projects_of
from stories.issues.linking import issue_file, issue_link_url, tracker_channels


class IssueLinkIn(StrictInput):
    """Link an existing issue."""

    url = Link(required=True, help_text="An existing issue's address.")


class IssueFileIn(StrictInput):
    """File a new issue."""

    project = Text(max_length=255, help_text="File in: group/project (GitLab) or owner/name (GitHub).")
    channel = serializers.IntegerField(
        min_value=1, required=False, help_text="The channel to file through (default: the first that reads it)."
    )
    title = Text(max_length=255, required=False, default="", help_text="Default: the ticket's subject.")
    expert = Text(max_length=120, required=False, default="", help_text="The expert named in the issue.")
    note = Text(max_length=2000, required=False, default="", help_text="Added under the quoted mention.")


# One of the two bodies (the schema's oneOf): `url` links, else `project` files.
ISSUE_IN = PolymorphicProxySerializer(
    component_name="IssueIn",
    serializers=[IssueLinkIn, IssueFileIn],
    resource_type_field_name=None,
    many=False,
)
EXAMPLES = [
    OpenApiExample("Link an issue", value={"url": "https://gitlab.com/gitlab-org/gitlab/-/issues/123"}),
    OpenApiExample("File one", value={"project": "gitlab-org/gitlab", "expert": "Ana (Runner)"}),
]


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
        request=ISSUE_IN,
        examples=EXAMPLES,
        responses={200: IssueOut, **refusals(400, 404, 409, 415)},
    )
    def post(self, request: Request, pk: int) -> Response:
        linking = isinstance(request.data, dict) and "url" in request.data
        data = (IssueLinkIn if linking else IssueFileIn)(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = _ticket(pk)
        given = data.validated_data
        try:
            if given.get("url"):
                link = issue_link_url(tickets=[ticket], user=request.user, url=given["url"])
            else:
                link = issue_file(
                    tickets=[ticket],
                    user=request.user,
                    where=_where(given),
                    title=given["title"],
                    expert=given["expert"],
                    note=given["note"],
                )
        except DjangoValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from exc
        return Response(issue_out(link))
