"""Like a mention and delete our own post on its platform, as the ticket page does
(mentions.services.platform_actions): `POST /api/tickets/{id}/like/` and `POST /api/tickets/{id}/delete-post/`.
Each answers the ticket as it is afterwards; a platform that cannot do it, a message that is not the right kind, or
the platform's refusal is a 409 in words."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from api.views import TicketAction, ticket_action_schema
from mentions.models import Ticket
from mentions.services.platform_actions import message_like, reply_delete


@extend_schema_serializer(examples=[OpenApiExample("Like the first mention", value={"message": 81})])
class LikeIn(serializers.Serializer):
    message = serializers.IntegerField(min_value=1, help_text="The id of the ticket's mention to like.")


@extend_schema_serializer(examples=[OpenApiExample("Delete our reply", value={"message": 82, "confirm": True})])
class DeletePostIn(serializers.Serializer):
    message = serializers.IntegerField(min_value=1, help_text="The id of our reply to delete from the platform.")
    confirm = serializers.BooleanField(help_text="true: yes, delete it (everyone there stops seeing it).")


@ticket_action_schema("Like the mention on its platform, as the account the desk replies from", LikeIn)
class TicketLike(TicketAction):
    body = LikeIn

    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        message_like(ticket=ticket, message_id=data["message"], user=user)


@ticket_action_schema("Delete our post from its platform (the ticket keeps its text)", DeletePostIn)
class TicketDeletePost(TicketAction):
    body = DeletePostIn

    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        reply_delete(ticket=ticket, message_id=data["message"], user=user, confirmed=data["confirm"])
