"""Like, repost and message the author of a mention, and delete our own post, on its platform, as the ticket page
does (mentions.services.platform_actions, direct_messages): `POST /api/tickets/{id}/like/`, `.../repost/`,
`.../direct-message/` and `.../delete-post/`. Each answers the ticket as it is afterwards; a platform that cannot do
it, a message that is not the right kind, or the platform's refusal is a 409 in words. Who may do each is the
outward policy's (mentions.services.outward_policy), asked by the service: its refusal is a 403 with the reason in
`detail` (someone whose replies wait for approval, a ticket assigned to someone else, a post someone else sent)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from api.fields import StrictInput, Text
from api.views import TicketAction, ticket_action_schema
from mentions.models import Ticket
from mentions.services.direct_messages import ticket_direct_message
from mentions.services.platform_actions import message_like, message_repost, reply_delete


@extend_schema_serializer(examples=[OpenApiExample("Like the first mention", value={"message": 81})])
class LikeIn(StrictInput):
    message = serializers.IntegerField(min_value=1, help_text="The id of the ticket's mention to like.")


@extend_schema_serializer(examples=[OpenApiExample("Delete our reply", value={"message": 82, "confirm": True})])
class DeletePostIn(StrictInput):
    message = serializers.IntegerField(min_value=1, help_text="The id of our reply to delete from the platform.")
    confirm = serializers.BooleanField(help_text="true: yes, delete it (everyone there stops seeing it).")


@ticket_action_schema("Like the mention on its platform, as the account the desk replies from", LikeIn)
class TicketLike(TicketAction):
    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        message_like(ticket=ticket, message_id=data["message"], user=user)


@ticket_action_schema("Delete our post from its platform (the ticket keeps its text)", DeletePostIn)
class TicketDeletePost(TicketAction):
    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        reply_delete(ticket=ticket, message_id=data["message"], user=user, confirmed=data["confirm"])


@extend_schema_serializer(examples=[OpenApiExample("Boost the first mention", value={"message": 81})])
class RepostIn(StrictInput):
    message = serializers.IntegerField(min_value=1, help_text="The id of the ticket's mention to repost.")


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Ask for the account's e-mail privately",
            value={"message_id": 81, "text": "Could you send us the e-mail of the account? We'll look into it."},
        )
    ]
)
class DirectMessageIn(StrictInput):
    message_id = serializers.IntegerField(min_value=1, help_text="The id of the mention whose author receives it.")
    text = Text(max_length=40_000, help_text="What to send, within the platform's limit.")
    key = Text(
        max_length=64,
        blank=True,
        required=False,
        default="",
        help_text="Your idempotency key: the same key sent again answers with the first message, never a second.",
    )


@ticket_action_schema("Repost (boost) the mention to our followers, as the account the desk replies from", RepostIn)
class TicketRepost(TicketAction):
    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        message_repost(ticket=ticket, message_id=data["message"], user=user)


@ticket_action_schema(
    "Send the mention's author a direct message (kept on the ticket; not the public first reply)", DirectMessageIn
)
class TicketDirectMessage(TicketAction):
    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        ticket_direct_message(
            ticket=ticket, message_id=data["message_id"], user=user, text=data["text"], key=data["key"]
        )
