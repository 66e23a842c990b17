"""What the API answers: plain values of the desk's rows (text as stored; clients escape it)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api.fields import HAS_TEXT_PATTERN, Link, OffsetDateTime, StrictInput, Text, has_text
from mentions.models import Intent, IssueLink, Judgement, Message, Ticket, TicketEvent
from mentions.products import desk_products
from mentions.services.community import community_answer_shown
from mentions.services.snooze import snooze_until_problem
from people.audience import ticket_weight
from people.models import Requester


class ChannelRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class TicketSerializer(serializers.ModelSerializer):
    channel = ChannelRefSerializer()
    assignee: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Null when nobody has the ticket."
    )
    tags = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    product = serializers.SerializerMethodField(
        help_text="The product it is about (issue 71): its slug, the desk's first product's for a ticket without one; "
        "null only on a desk with no product yet. ?product= on the ticket list takes the same."
    )
    person = serializers.SerializerMethodField(
        help_text="The person who opened it (/api/people/{id}/); null if unknown."
    )
    judgement_confidence = serializers.FloatField(
        read_only=True,
        allow_null=True,
        min_value=0.0,
        max_value=1.0,
        help_text="How sure the desk is of its judgement, 0-1 (that the mention needs a response when judged so, "
        "that it does not otherwise); 1 once an advocate corrected it; null when not judged yet, or judged before "
        "the desk measured it. Below the desk's line (DESK_JUDGEMENT_UNSURE_BELOW, 0.6) it is Unsure: stored as "
        "needs_response, its reason saying which way it leans (?judgement=unsure lists them).",
    )

    class Meta:
        model = Ticket
        fields = [
            "id",
            "subject",
            "status",
            "priority",
            "channel",
            "product",
            "assignee",
            "requester_handle",
            "requester_name",
            "person",
            "requested_at",
            "first_reply_at",
            "solved_at",
            "sla_due_at",
            "tags",
            "url",
            # The desk's judgement of the first mention ("" until the worker judged it; docs/judgement.md).
            "judgement",
            "intent",
            "sentiment",
            "language",
            "judgement_reason",
            "judgement_confidence",
            "judged_by",
        ]

    def get_tags(self, ticket: Ticket) -> list[str]:
        return sorted(tag.name for tag in ticket.tags.all())

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_product(self, ticket: Ticket) -> str | None:
        # From memory (mentions.products): a page of 50 tickets costs no query for it.
        product = desk_products().get(ticket.product_id)
        return product.slug if product is not None else None

    def get_url(self, ticket: Ticket) -> str:
        return f"{settings.DESK_BASE_URL}{ticket.get_absolute_url()}"

    def get_person(self, ticket: Ticket) -> int | None:
        # Lists select it with the ticket (select_related("requester__identity")); one ticket asks once.
        if not Ticket.requester.is_cached(ticket):
            return Requester.objects.filter(ticket_id=ticket.pk).values_list("identity__person_id", flat=True).first()
        try:
            return ticket.requester.identity.person_id
        except ObjectDoesNotExist:
            return None


class MessageSerializer(serializers.ModelSerializer):
    # As stored: a platform's permalink, or the link given when a reply was recorded (http:// or https://
    # and any text, as on the ticket page), which is not always a URI by the letter of RFC 3986.
    permalink = serializers.CharField(help_text="Its address on the platform; empty when it has none.")
    author_user: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who wrote it on the desk; null for the requester's and others' messages.",
    )

    class Meta:
        model = Message
        fields = [
            "id",
            "kind",
            "external_id",
            "author_handle",
            "author_name",
            "author_user",
            "title",
            "body",
            "permalink",
            "platform_created_at",
        ]


class EventSerializer(serializers.ModelSerializer):
    actor: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Null when the desk did it by itself."
    )

    class Meta:
        model = TicketEvent
        fields = ["id", "kind", "actor", "data", "created_at"]


class ChangeSerializer(EventSerializer):
    ticket = serializers.IntegerField(source="ticket_id")

    class Meta(EventSerializer.Meta):
        fields = ["id", "ticket", "kind", "actor", "data", "created_at"]


class AuthorWeightSerializer(serializers.Serializer):
    audience = serializers.IntegerField(help_text="Followers (X), karma (Hacker News, Reddit) or reputation.")
    kind = serializers.ChoiceField(choices=["followers", "karma", "reputation"])


class IssueOut(serializers.Serializer):
    url = serializers.URLField(help_text="The issue's page on GitLab or GitHub.")
    state = serializers.ChoiceField(choices=IssueLink.State.choices, help_text="As the desk last read it.")
    milestone = serializers.CharField(help_text='Its milestone\'s title; "" without one.')


def issue_out(link: IssueLink) -> dict[str, Any]:
    return {"url": link.url, "state": link.state, "milestone": link.milestone}


class CommunityAnswerOut(serializers.Serializer):
    message_id = serializers.IntegerField(help_text="The answer, one of `messages`.")
    link = serializers.CharField(help_text="The answer's address on the platform; empty when it has none.")
    at = serializers.DateTimeField(help_text="When the desk read it as the answer the asker accepted.")


class TicketDetailSerializer(TicketSerializer):
    messages = MessageSerializer(many=True)
    events = EventSerializer(many=True)
    author_weight = serializers.SerializerMethodField(
        help_text="The requester's person's largest audience on any platform; null when not known."
    )
    issues = serializers.SerializerMethodField(
        help_text="The GitLab or GitHub issues the ticket points to, with their state as the desk last read it."
    )
    answered_by_community = serializers.SerializerMethodField(
        help_text="The answer by someone outside the team that the asker accepted on the platform; null when none."
    )

    class Meta(TicketSerializer.Meta):
        fields = [
            *TicketSerializer.Meta.fields,
            # Snooze (docs/desk.md): null and false when not snoozed.
            "snoozed_until",
            "snoozed_until_reply",
            # The next reply's clock: null when no follow-up waits for our reply.
            "next_reply_due_at",
            "author_weight",
            "issues",
            "answered_by_community",
            "messages",
            "events",
        ]

    @extend_schema_field(IssueOut(many=True))
    def get_issues(self, ticket: Ticket) -> list[dict[str, Any]]:
        links = IssueLink.objects.filter(links__ticket_id=ticket.pk).order_by("created_at", "pk")  # one query
        return [issue_out(link) for link in links]

    @extend_schema_field(CommunityAnswerOut(allow_null=True))
    def get_answered_by_community(self, ticket: Ticket) -> dict[str, Any] | None:
        shown = community_answer_shown(ticket)  # read with the ticket and its messages: no query
        return CommunityAnswerOut(vars(shown)).data if shown else None

    @extend_schema_field(AuthorWeightSerializer(allow_null=True))
    def get_author_weight(self, ticket: Ticket) -> dict[str, Any] | None:
        weight = ticket_weight(ticket.pk)  # one query, for the one ticket asked
        return {"audience": weight.audience, "kind": weight.kind} if weight else None


# The actions' bodies. Every rule the schema can state is checked here, before a service runs: what a
# service still refuses is about the desk's state (a 409), not the request.
STATUS_AFTER_REPLY = ["open", "pending", "solved"]


@extend_schema_serializer(
    examples=[OpenApiExample("A note", value={"body": "Asked in #runner whether the cache key changed."})]
)
class NoteIn(StrictInput):
    body = Text(max_length=20_000)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A reply posted on Hacker News",
            value={
                "body": "Try clearing the runner cache.",
                "link": "https://news.ycombinator.com/item?id=41000000",
                "status": "pending",
            },
        )
    ]
)
class ReplyIn(StrictInput):
    """At least one of `body` and `link` (the schema says so with anyOf: ReplyInScheme)."""

    body = Text(max_length=20_000, blank=True, required=False, default="")
    link = Link(help_text="The reply's address on the platform.")
    status = serializers.ChoiceField(choices=STATUS_AFTER_REPLY, default="solved")

    def validate(self, data: dict) -> dict:
        if not has_text(data["body"]) and not data["link"]:
            raise serializers.ValidationError({"body": ["Give the reply text or a link to the posted reply."]})
        return data


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A reply, sent once",
            value={"body": "Hi! Try clearing the runner cache.", "key": "5b0f2c1e-send-1", "status": "pending"},
        )
    ]
)
class SendIn(StrictInput):
    body = Text(max_length=40_000)
    handle = Text(
        max_length=100,
        blank=True,
        required=False,
        default="",
        help_text="The desk's account to post from; the channel's default when left out.",
    )
    key = Text(
        max_length=64,
        blank=True,
        required=False,
        default="",
        help_text="Your idempotency key: the same key sent again answers with the first send's outcome, "
        "never a second post.",
    )
    status = serializers.ChoiceField(choices=STATUS_AFTER_REPLY, default="solved")
    # DRF's metaclass takes declared fields out of the class, so this field of the API does not shadow
    # Field.style (a rendering hint dict) at run time; mypy sees only the names.
    style = Text(  # type: ignore[assignment]
        max_length=16, blank=True, required=False, default="", help_text="How to post, where a channel offers several."
    )


@extend_schema_serializer(examples=[OpenApiExample("Solve", value={"status": "solved"})])
class StatusIn(StrictInput):
    status = serializers.ChoiceField(choices=Ticket.Status.choices)


@extend_schema_serializer(examples=[OpenApiExample("A handbook macro", value={"macro": "Expert responded"})])
class MacroIn(StrictInput):
    macro = Text(max_length=200, help_text="The macro's id or its exact name.")
    link = Link(help_text="A link the macro asks for (e.g. the expert's answer).")
    expert = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="The id of the expert you asked, for “Reached out to expert”: it records that outreach.",
    )


@extend_schema_serializer(examples=[OpenApiExample("Not noise", value={"judgement": "needs_response"})])
class JudgementIn(StrictInput):
    """An advocate's correction of the desk's judgement (mentions.services.judgement.judgement_correct). A PATCH:
    what is left out stays as it is (an empty body changes nothing)."""

    judgement = serializers.ChoiceField(choices=Judgement.choices, required=False, help_text="Left out: unchanged.")
    intent = serializers.ChoiceField(choices=Intent.choices, required=False, help_text="Left out: unchanged.")


@extend_schema_serializer(examples=[OpenApiExample("To Ada", value={"assignee": "ada"})])
class AssignIn(StrictInput):
    assignee = Text(max_length=150, help_text="The username to give the ticket to.")


class ReplyInScheme(OpenApiSerializerExtension):
    """ReplyIn's schema with its rule that a body or a link is given."""

    target_class = "api.serializers.ReplyIn"

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["anyOf"] = [
            {"required": ["body"], "properties": {"body": {"pattern": HAS_TEXT_PATTERN}}},
            {"required": ["link"], "properties": {"link": {"minLength": 1}}},
        ]
        return schema


@extend_schema_serializer(
    examples=[
        OpenApiExample("Until a Monday 9:00 in Berlin", value={"until": "2026-11-30T09:00:00+01:00"}),
        OpenApiExample("Until the requester answers", value={"until_reply": True}),
        OpenApiExample("Unsnooze", value={"until": None}),
    ]
)
class Flag(serializers.BooleanField):
    """A JSON true or false, nothing else: DRF's BooleanField also takes "yes", 1 and "on", which the schema's
    boolean does not."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class SnoozeIn(StrictInput):
    """`until` (a time with its offset) or `until_reply: true`; `until: null` ends the snooze."""

    until = OffsetDateTime(
        required=False,
        allow_null=True,
        help_text="When it comes back (with its offset, within a year); null unsnoozes.",
    )
    until_reply = Flag(required=False, default=False, help_text="Until the requester answers.")
    remind_slack = Flag(
        required=False, default=False, help_text="Also remind its owner by Slack DM when it comes back."
    )

    def validate_until(self, value: Any) -> Any:
        # Within a year (mentions.services.snooze): a 400 as the schema's own rules are, not the clock's 409.
        problem = snooze_until_problem(value) if value is not None else ""
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # What the schema states (SnoozeInScheme). That the time is still to come is the clock's to say, not the
        # schema's: a time already past is a 409 naming `until` (api/snooze_views.py).
        if "until" not in attrs and not attrs["until_reply"]:
            raise serializers.ValidationError({"until": ["Give a time, null to unsnooze, or until_reply: true."]})
        if attrs.get("until") is not None and attrs["until_reply"]:
            raise serializers.ValidationError({"until_reply": ["Give a time or until_reply, not both."]})
        return attrs


class SnoozeInScheme(OpenApiSerializerExtension):
    """SnoozeIn's schema with its rule: `until` (a time, or null to unsnooze) without `until_reply: true`, or
    `until_reply: true` without a time. That the time is still to come no schema states: a past one is a 409."""

    target_class = "api.serializers.SnoozeIn"

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["anyOf"] = [
            {"required": ["until"], "properties": {"until_reply": {"const": False}}},
            {"required": ["until_reply"], "properties": {"until_reply": {"const": True}, "until": {"type": "null"}}},
        ]
        return schema
