"""The API's stories: the same topic across platforms as one story, with its tickets (stories.selectors)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import NotFound, refusals
from api.params import StoryParams
from api.views import WORK, ApiView
from stories.models import Membership, Story
from stories.selectors import StoryRow, story_page, story_rows

STORY: dict[str, serializers.Field] = {
    "id": serializers.IntegerField(),
    "title": serializers.CharField(),
    "state": serializers.ChoiceField(choices=Story.State.choices),
    "origin": serializers.ChoiceField(choices=Story.Origin.choices, help_text="What made the story."),
    "size": serializers.IntegerField(),
    "tickets": serializers.ListField(child=serializers.IntegerField(), help_text="Its tickets, first joined first."),
    "platforms": serializers.DictField(child=serializers.IntegerField(), help_text="Tickets per channel kind."),
    "links": serializers.ListField(child=serializers.CharField(), help_text="Normalised links its tickets share."),
    "terms": serializers.ListField(child=serializers.CharField(), help_text="Words most of its tickets use."),
    "first_at": serializers.DateTimeField(),
    "last_at": serializers.DateTimeField(),
    "answered_at": serializers.DateTimeField(allow_null=True),
    "url": serializers.CharField(help_text="The story's page on the desk."),
}
MEMBER = inline_serializer(
    "StoryMember",
    {
        "ticket": serializers.IntegerField(),
        "via": serializers.ChoiceField(choices=Membership.Via.choices),
        "reason": serializers.CharField(help_text='Why it joined: "links to the same URL …", "shares: 502, down".'),
        "joined_at": serializers.DateTimeField(),
    },
    many=True,
)


def _story(row: StoryRow, request: Request) -> dict[str, Any]:
    story = row.story
    return {
        "id": story.pk,
        "title": story.title,
        "state": story.state,
        "origin": story.origin,
        "size": len(row.tickets),
        "tickets": row.tickets,
        "platforms": dict(row.platforms),
        "links": list(story.links),
        "terms": list(story.terms.values()),
        "first_at": story.first_at,
        "last_at": story.last_at,
        "answered_at": story.answered_at,
        "url": request.build_absolute_uri(story.get_absolute_url()),
    }


class StoryList(ApiView):
    permission_classes = [*ApiView.permission_classes, WORK]

    @extend_schema(
        operation_id="stories_list",
        summary="Stories (the same topic across platforms), newest activity first",
        description="Pass the `next` of an answer as `cursor` for the following page; `next` is null at the end.",
        parameters=[StoryParams],
        responses={
            200: inline_serializer(
                "StoryPage",
                {
                    "results": inline_serializer("Story", STORY, many=True),
                    "next": serializers.URLField(allow_null=True),
                },
            ),
            **refusals(400),
        },
    )
    def get(self, request: Request) -> Response:
        params = StoryParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        v = params.validated_data
        page = story_page(state=v.get("state", ""), cursor=v.get("cursor", ""), size=v.get("limit", 50))
        following = None
        if page.next_cursor:
            query = request.query_params.copy()
            query["cursor"] = page.next_cursor
            following = request.build_absolute_uri(f"{reverse('api:stories')}?{query.urlencode()}")
        return Response({"results": [_story(row, request) for row in page.rows], "next": following})


class StoryDetail(ApiView):
    permission_classes = [*ApiView.permission_classes, WORK]

    @extend_schema(
        operation_id="stories_detail",
        summary="A story with why each of its tickets is in it",
        responses={
            200: inline_serializer(
                "StoryDetail", {**STORY, "members": MEMBER, "merged_into": serializers.IntegerField(allow_null=True)}
            ),
            **refusals(404),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        story = Story.objects.filter(pk=pk).first()
        if story is None:
            raise NotFound("No such story.")
        (row,) = story_rows([story])
        members = [
            {"ticket": m.ticket_id, "via": m.via, "reason": m.reason, "joined_at": m.created_at}
            for m in story.memberships.order_by("created_at", "pk")
        ]
        return Response({**_story(row, request), "members": members, "merged_into": story.merged_into_id})
