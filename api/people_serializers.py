"""The API's people shapes: a person as the list and the detail give them, with their level and activities in the
contributor journey, the recognitions, and the merge's body. Apart from api.serializers (the tickets')."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api.fields import StrictInput
from people.journey.recognition import activities_weighed

ACTIVITIES = 100  # the newest of a person's activities in their detail


class IdentityRefSerializer(serializers.Serializer):
    platform = serializers.CharField(help_text='A channel kind, "email", or "webhook:<channel>".')
    handle = serializers.CharField(help_text="As last written on the platform (the account key if none).")


class LevelSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The level reached in the contributor journey (admin: People > Levels).")
    points = serializers.IntegerField(help_text="The sum of the person's activities' weights.")


class PersonSerializer(serializers.Serializer):
    """A person as the people list shows them (identities and tags prefetched, level joined: no query per person)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    identities = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    level = serializers.SerializerMethodField()
    erased_at = serializers.DateTimeField(allow_null=True, help_text="Set once the person was erased.")

    @extend_schema_field(LevelSerializer(allow_null=True))
    def get_level(self, person: Any) -> dict[str, Any] | None:
        if person.level_id is None:
            return None  # no activity counted yet
        return {"name": person.level.name, "points": person.points}

    @extend_schema_field(IdentityRefSerializer(many=True))
    def get_identities(self, person: Any) -> list[dict[str, str]]:
        return [{"platform": i.platform, "handle": i.handle or i.key} for i in person.identities.all()]

    def get_tags(self, person: Any) -> list[str]:
        return [t.name for t in person.tags.all()]


class ActivitySerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="asked, answered, merged, talk, meetup, blog_post or other.")
    weight = serializers.IntegerField(help_text="What the kind is worth now (admin: People > Activity weights).")
    when = serializers.DateTimeField(source="at")
    link = serializers.CharField(help_text="The ticket's desk path or the contribution's address; empty if erased.")


class PersonDetailSerializer(PersonSerializer):
    tickets = serializers.ListField(
        child=serializers.IntegerField(), help_text="The tickets any of their identities opened, oldest first."
    )
    activities = serializers.SerializerMethodField(help_text="The contributor journey's activities, newest 100.")

    @extend_schema_field(ActivitySerializer(many=True))
    def get_activities(self, person: Any) -> Any:
        return ActivitySerializer(activities_weighed(person.pk, ACTIVITIES), many=True).data  # one query


class RecognitionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField(source="person_id")
    person_name = serializers.CharField(source="person.name")
    from_level = serializers.CharField(source="from_level.name", allow_null=True, default=None)
    to_level = serializers.CharField(source="to_level.name")
    points = serializers.IntegerField(source="person.points")
    suggested_gift = serializers.CharField(source="to_level.gift_item", help_text="Empty when the level has none.")
    created_at = serializers.DateTimeField()


@extend_schema_serializer(examples=[OpenApiExample("Into person 12", value={"into": 12})])
class MergeIn(StrictInput):
    into = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The person who stays.")
