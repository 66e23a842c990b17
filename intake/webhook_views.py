from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from advocacy.request_body import read_terminated
from channels.adapters.base import Pushed, PushRefused
from channels.adapters.registry import push_reader
from channels.adapters.webhook.platform import PLATFORM as WEBHOOK
from channels.models import Channel
from intake.services.pushes import pushed_store
from intake.services.webhooks import (
    MAX_BODY_BYTES,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookRejected,
    webhook_receive,
)


def _body(request: HttpRequest) -> bytes | JsonResponse:
    """The request's body, at most MAX_BODY_BYTES, or the answer that refuses it."""
    too_big = JsonResponse({"error": f"body over {MAX_BODY_BYTES // 1024} KB"}, status=413)
    declared = request.META.get("CONTENT_LENGTH") or ""
    if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and not declared:
        # Django reads a body without Content-Length as empty. A server that de-chunks the
        # input and says so (gunicorn sets wsgi.input_terminated) lets us read it ourselves;
        # any other answers 411 instead of checking a signature over nothing.
        # (META is the WSGI environ itself.)
        if not request.META.get("wsgi.input_terminated"):
            return JsonResponse({"error": "send the body with a Content-Length header"}, status=411)
        body = read_terminated(request.META["wsgi.input"], MAX_BODY_BYTES + 1)
    elif not declared.isascii() or not declared.isdigit() or len(declared) > 12:
        return JsonResponse({"error": "send the body with a Content-Length header"}, status=411)
    elif int(declared) > MAX_BODY_BYTES:
        return too_big
    else:
        body = request.read(MAX_BODY_BYTES + 1)
    return too_big if len(body) > MAX_BODY_BYTES else body


@csrf_exempt  # authenticated by the HMAC signature, not a session
@login_not_required
@require_POST
def hook(request: HttpRequest, slug: str) -> JsonResponse:
    """The desk's door: the signed-JSON webhook channel, or a platform's own deliveries beside its polling (GitHub's
    webhooks: its declared `push_reader`)."""
    channel = get_object_or_404(Channel, slug=slug, enabled=True)
    reader = None if channel.kind == WEBHOOK.kind else push_reader(channel.kind)
    if channel.kind != WEBHOOK.kind and reader is None:
        raise Http404("No such webhook.")
    body = _body(request)
    if isinstance(body, JsonResponse):
        return body
    if reader is not None:
        return _pushed(channel, reader, body, dict(request.headers))
    try:
        accepted = webhook_receive(
            channel=channel,
            body=body,
            timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
            signature=request.headers.get(SIGNATURE_HEADER, ""),
        )
    except WebhookRejected as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    created = accepted.result.created > 0
    return JsonResponse({**accepted.result.as_dict(), "ticket": accepted.ticket_id}, status=201 if created else 200)


def _pushed(channel: Channel, reader: Callable[..., Pushed], body: bytes, headers: dict[str, str]) -> JsonResponse:
    """A platform's delivery: read by its reader, stored as a poll's chunk is (intake.services.pushes)."""
    try:
        pushed = reader(channel=channel, body=body, headers=headers)
    except PushRefused as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    result = pushed_store(channel=channel, pushed=pushed)
    if result is None:
        return JsonResponse({"note": pushed.note}, status=200)
    return JsonResponse(result.as_dict(), status=201 if result.created else 200)
