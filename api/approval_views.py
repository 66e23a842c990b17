"""Replies waiting for an advocate's approval, from the API (mentions.services.approvals): `POST
/api/tickets/{id}/send/` by someone whose replies wait (a grant's holder, an expert) answers 202 with the approval
instead of sending (api/send_views.py); `POST /api/tickets/{id}/approval/` with `{"action": "approve"}` or
`{"action": "reject", "reason": "..."}` is an advocate's decision on the reply waiting on the ticket, as the ticket
page's "Approve and send" and "Reject" are. Approving posts it through the same Send path: the platform refusing or
not answering is a 502 (the reply keeps waiting), a ticket with no reply waiting a 409."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.auth import needs
from api.errors import BadGateway, Conflict, refusals
from api.fields import StrictInput, Text
from api.views import ApiView, _ticket
from mentions.models import ReplyApproval
from mentions.services.approvals import approval_approve, approval_reject


class ApprovalSerializer(serializers.ModelSerializer):
    """A reply submitted for approval and where it stands."""

    requested_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Who wrote it; null for a deleted user."
    )
    decided_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Who approved, edited or rejected it."
    )

    class Meta:
        model = ReplyApproval
        fields = [
            "id",
            "ticket",
            "status",
            "body",
            "handle",
            "style",
            "status_after",
            "requested_by",
            "decided_by",
            "decided_at",
            "reason",
            "message",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample("Approve and send", value={"action": "approve"}),
        OpenApiExample("Reject", value={"action": "reject", "reason": "Link the docs page instead."}),
    ]
)
class ApprovalIn(StrictInput):
    action = serializers.ChoiceField(choices=["approve", "reject"])
    reason = Text(max_length=2000, required=False, help_text="Why it is rejected, for its writer (with reject).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["action"] == "reject" and not attrs.get("reason"):  # the schema says so (ApprovalInScheme)
            raise serializers.ValidationError({"reason": ["Say why, for the person who wrote it."]})
        return attrs


class ApprovalInScheme(OpenApiSerializerExtension):
    """ApprovalIn's schema with its rule: a rejection gives its reason."""

    target_class = "api.approval_views.ApprovalIn"

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["anyOf"] = [{"properties": {"action": {"const": "approve"}}}, {"required": ["reason"]}]
        return schema


class TicketApproval(ApiView):
    permission_classes = [*ApiView.permission_classes, needs("mentions.work_queue")]

    @extend_schema(
        summary="Approve and send, or reject, the reply waiting for approval on the ticket (advocates)",
        request=ApprovalIn,
        responses={200: ApprovalSerializer, **refusals(400, 404, 409, 415, 502)},
    )
    def post(self, request: Request, pk: int) -> Response:
        from mentions.services.replies import SendFailed

        data = ApprovalIn(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = _ticket(pk)
        waiting = ReplyApproval.objects.filter(ticket=ticket, status=ReplyApproval.Status.PENDING).first()
        if waiting is None:
            raise Conflict("No reply waits for approval on this ticket.")
        try:
            if data.validated_data["action"] == "approve":
                approval_approve(approval=waiting, user=request.user)
            else:
                approval_reject(approval=waiting, user=request.user, reason=data.validated_data["reason"])
        except SendFailed as exc:
            raise BadGateway(" ".join(exc.messages)) from exc
        except DjangoValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from exc
        return Response(ApprovalSerializer(ReplyApproval.objects.get(pk=waiting.pk)).data)
