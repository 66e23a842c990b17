"""What the API answers: plain values of the desk's rows (text as stored; clients escape it)."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from mentions.models import Message, Ticket, TicketEvent


class ChannelRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class TicketSerializer(serializers.ModelSerializer):
    channel = ChannelRefSerializer()
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)
    tags = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "subject",
            "status",
            "priority",
            "channel",
            "assignee",
            "requester_handle",
            "requester_name",
            "requested_at",
            "first_reply_at",
            "solved_at",
            "sla_due_at",
            "tags",
            "url",
        ]

    def get_tags(self, ticket: Ticket) -> list[str]:
        return sorted(tag.name for tag in ticket.tags.all())

    def get_url(self, ticket: Ticket) -> str:
        return f"{settings.DESK_BASE_URL}{ticket.get_absolute_url()}"


class MessageSerializer(serializers.ModelSerializer):
    author_user = serializers.SlugRelatedField(slug_field="username", read_only=True)

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
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = TicketEvent
        fields = ["id", "kind", "actor", "data", "created_at"]


class ChangeSerializer(EventSerializer):
    ticket = serializers.IntegerField(source="ticket_id")

    class Meta(EventSerializer.Meta):
        fields = ["id", "ticket", "kind", "actor", "data", "created_at"]


class TicketDetailSerializer(TicketSerializer):
    messages = MessageSerializer(many=True)
    events = EventSerializer(many=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "messages", "events"]


class NoteIn(serializers.Serializer):
    body = serializers.CharField(max_length=20_000)


class ReplyIn(serializers.Serializer):
    body = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    link = serializers.CharField(max_length=2_000, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=["open", "pending", "solved"], default="solved")


class SendIn(serializers.Serializer):
    body = serializers.CharField(max_length=40_000)
    handle = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    key = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="Your idempotency key: the same key sent again answers with the first send's outcome, "
        "never a second post.",
    )
    status = serializers.ChoiceField(choices=["open", "pending", "solved"], default="solved")
    style = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")


class StatusIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=Ticket.Status.choices)


class MacroIn(serializers.Serializer):
    macro = serializers.CharField(max_length=200, help_text="The macro's id or its exact name.")
    link = serializers.CharField(max_length=2_000, required=False, allow_blank=True, default="")


class AssignIn(serializers.Serializer):
    assignee = serializers.CharField(max_length=150, help_text="The username to give the ticket to.")
