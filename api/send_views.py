"""Send a reply on the platform from the desk, as the ticket page's Send does: `POST /api/tickets/{id}/send/`.

The body is JSON (`SendIn`), or `multipart/form-data` with the same fields plus the images the reply carries
(issue 43): `image`, one file per image (as many as the platform takes: its reply rule's `media`), and `image_alt`, the
description of the image at the same position, required for each. The images are checked as the page checks them
(mentions.services.reply_images: an image by its bytes, the platform's types and size, metadata removed); a file
that is not such an image, or one without its description, is a 400 on its field. A channel whose platform takes no
image is a 409, as a channel that cannot post at all is.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers as s
from api.approval_views import ApprovalSerializer
from api.auth import needs
from api.errors import BadGateway, Conflict, refusals
from api.fields import Text
from api.views import ApiView, TicketAction, _ticket
from mentions import services
from mentions.models import Ticket
from mentions.services.approvals import reply_submit
from mentions.services.outward_policy import outward_decision
from mentions.services.reply_images import ALT_MAX, DESK_MAX_BYTES, ImageGiven

IMAGES_AT_MOST = 10  # the most any platform takes (Discord); each platform's own count is checked when sent
IMAGE_FIELDS = ("image", "image_alt")


@extend_schema_field({"type": "string", "format": "binary", "minLength": 1})
class ImageFile(serializers.FileField):
    """A file part of the request, never empty (the schema says binary: DRF's FileField would be documented as a
    URL; and at least one byte, as the field refuses an empty file)."""


def _flat(detail: Any) -> Any:
    """DRF's errors of a list's items ({"image": {0: [...]}}) as the API's one shape ({"image": ["Item 1: ..."]})."""
    if not isinstance(detail, dict):
        return detail
    flat: dict[str, list[str]] = {}
    for name, errors in detail.items():
        if isinstance(errors, dict):
            flat[str(name)] = [f"Item {int(n) + 1}: {m}" for n, ms in errors.items() for m in ms]
        else:
            flat[str(name)] = [str(m) for m in errors]
    return flat


def _images_refused(exc: DjangoValidationError) -> None:
    """An image refused for what it is (its bytes, size, description) is the request's fault: 400 on its field."""
    fields = getattr(exc, "error_dict", {})
    if fields and set(fields) <= set(IMAGE_FIELDS):
        raise ValidationError({k: [m for e in v for m in e.messages] for k, v in fields.items()}) from exc


class SendWithImagesIn(s.SendIn):
    image = serializers.ListField(
        child=ImageFile(allow_empty_file=False),
        min_length=1,
        max_length=IMAGES_AT_MOST,
        help_text="The images, one file part each: PNG, JPEG, GIF or WebP, as many and as large as the platform takes.",
    )
    image_alt = serializers.ListField(
        # Not blank: the schema says what the check of the image says (a description is required for each image).
        child=Text(max_length=ALT_MAX),
        min_length=1,
        max_length=IMAGES_AT_MOST,
        help_text="The description (alt text) of the image at the same position; each image needs one.",
    )

    def run_validation(self, data: Any = serializers.empty) -> Any:
        try:
            return super().run_validation(data)
        except ValidationError as exc:
            raise ValidationError(_flat(exc.detail)) from exc


@extend_schema(
    summary="Send a reply on the platform from the desk's account, as the page's Send does",
    description="From someone whose replies wait for an advocate's approval (an Advocate-for-a-day grant, an "
    "expert), nothing is sent: the reply is kept for approval, answered 202 with it (`POST .../approval/`).",
    request={"application/json": s.SendIn, "multipart/form-data": SendWithImagesIn},
    responses={200: s.TicketSerializer, 202: ApprovalSerializer, **refusals(400, 404, 409, 415, 502)},
)
class TicketSend(TicketAction):
    body = s.SendIn
    parser_classes = [JSONParser, MultiPartParser]
    # Experts too: their replies are submitted for approval (the send itself still asks for the queue's permission).
    permission_classes = [*ApiView.permission_classes, needs("mentions.work_queue", "mentions.draft_replies")]

    def post(self, request: Request, pk: int) -> Response:
        if request.content_type.startswith("multipart/"):
            self.body = SendWithImagesIn
        if outward_decision(request.user, "reply").needs_approval:  # the outward policy: kept for approval
            return self._submitted(request, pk)
        return super().post(request, pk)

    def _submitted(self, request: Request, pk: int) -> Response:
        """Kept for an advocate's approval, nothing posted: 202 with the approval (its id and status)."""
        data = self.body(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        try:
            approval = reply_submit(
                ticket=_ticket(pk),
                user=request.user,
                body=given["body"],
                handle=given["handle"],
                status=given["status"],
                style=given["style"],
                images=_images(given),
            )
        except DjangoValidationError as exc:
            _images_refused(exc)  # images wait for approval: the request's part, a 400
            raise Conflict(" ".join(exc.messages)) from exc
        return Response(ApprovalSerializer(approval).data, status=202)

    def act(self, ticket: Ticket, user: Any, data: dict) -> None:
        from mentions.services.replies import SendFailed

        try:
            services.ticket_send_reply(
                ticket=ticket,
                user=user,
                body=data["body"],
                handle=data["handle"],
                key=data["key"],
                status=data["status"],
                style=data["style"],
                images=_images(data),
            )
        except SendFailed as exc:
            raise BadGateway(" ".join(exc.messages)) from exc
        except DjangoValidationError as exc:
            _images_refused(exc)
            raise


def _images(data: dict) -> list[ImageGiven]:
    """The uploaded files paired with their descriptions by position (a missing one is refused when checked)."""
    files, alts = data.get("image") or [], data.get("image_alt") or []
    for upload in files:
        if upload.size > DESK_MAX_BYTES:  # refused before it is read into memory
            raise ValidationError({"image": [f"An image is over {DESK_MAX_BYTES // 1024 // 1024} MiB."]})
    return [ImageGiven(data=f.read(), alt=alts[n] if n < len(alts) else "") for n, f in enumerate(files)]
