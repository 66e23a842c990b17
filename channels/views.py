from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels.models import Channel
from channels.webhooks import MAX_BODY_BYTES, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookRejected, webhook_receive


@csrf_exempt  # authenticated by the HMAC signature, not a session
@login_not_required
@require_POST
def hook(request: HttpRequest, slug: str) -> JsonResponse:
    channel = get_object_or_404(Channel, slug=slug, kind=Channel.Kind.WEBHOOK, enabled=True)
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
        return JsonResponse({"error": f"body over {MAX_BODY_BYTES // 1024} KB"}, status=413)
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return JsonResponse({"error": f"body over {MAX_BODY_BYTES // 1024} KB"}, status=413)
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
