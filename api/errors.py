"""What the API answers when it refuses, in two shapes the schema documents for every operation:

- 400: `{"<field>": ["message", ...], ...}`: what is wrong with each parameter or body field (`detail` for
  the request as a whole, e.g. a body that is not JSON);
- any other refusal: `{"detail": "message"}`.

A 400 means the request breaks the schema. A request the schema allows but the desk's state refuses (the
ticket is already assigned to that person, the channel cannot post replies) is a 409, a name that matches
nothing (a ticket, a macro, a user) a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The ticket changed meanwhile."


class NotFound(APIException):
    status_code = status.HTTP_404_NOT_FOUND
    default_detail = "Not found."


class BadGateway(APIException):
    status_code = status.HTTP_502_BAD_GATEWAY
    default_detail = "The platform refused the request or did not answer."


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's answers, every 400 in the one shape; a service's own refusal (a Django ValidationError that
    reached here) is a 400 in its own words."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError({"detail": exc.messages})
    elif isinstance(exc, ParseError):
        exc = ValidationError({"detail": [str(exc.detail)]})
    response = exception_handler(exc, context)
    if response is not None and response.status_code == 400 and not isinstance(response.data, dict):
        response.data = {"detail": [str(m) for m in response.data]}
    return response


@csrf_exempt  # a POST to a wrong path is a 404 too, as the API's views are exempt (a token is not a cookie)
@login_not_required  # a client without a session gets JSON, not the sign-in page
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other path under /api/: JSON like the rest of the API, not the desk's HTML page."""
    return JsonResponse({"detail": "No such endpoint or object."}, status=404)


class Error(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, for a person to read.")


class FieldErrors(serializers.Serializer):
    """`{"<field>": ["message", ...]}`: its schema is written by FieldErrorsScheme (a map, not fixed fields)."""


class FieldErrorsScheme(OpenApiSerializerExtension):
    target_class = "api.errors.FieldErrors"

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict:
        return {
            "type": "object",
            "description": "Each parameter or body field that is wrong, with what is wrong with it; `detail` "
            "for the request as a whole.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        }


_WHY = {
    400: ("The request breaks the schema: each field's messages.", FieldErrors),
    401: ("No token, or one that is unknown, revoked or expired.", Error),
    403: (
        "The token's user may not do this on the desk either (`detail` says why: their replies wait for approval, "
        "the ticket is assigned to someone else, someone else sent the post), the token is read-only, or the user "
        "must set up two-factor authentication on the desk first.",
        Error,
    ),
    404: ("No such ticket or channel, or nothing by the name the body gives.", Error),
    409: ("The desk's current state refuses it (the message says why); nothing was changed.", Error),
    415: ("The body is not JSON (`Content-Type: application/json`).", Error),
    502: ("The platform refused the reply or did not answer; this `key` is used up.", Error),
}


def refusals(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented refusals of an operation: 401, 403 and 429 for every one, plus `codes`."""
    answers = {code: OpenApiResponse(_WHY[code][1], description=_WHY[code][0]) for code in (401, 403, *codes)}
    answers[429] = OpenApiResponse(
        Error, description="Over the rate limit (DESK_API_RATE per user): wait `Retry-After` seconds."
    )
    return answers
