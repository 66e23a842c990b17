"""Slack's requests to the desk. No session and no CSRF token: Slack signs each request with the app's signing
secret. What Bolt cannot be trusted with (an unsigned request, a body that is no delivery, a delivery not in
the shape Bolt routes by) is answered first by slackapp.receive; the rest by the Bolt App (slackapp.bolt)."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from access.client_address import client_address


@csrf_exempt  # authenticated by Slack's signature, not a session
@login_not_required
@require_POST
def slack_request(request: HttpRequest) -> HttpResponse:
    if not settings.SLACK_SIGNING_SECRET:
        return HttpResponse("The desk's Slack app is not set up (SLACK_SIGNING_SECRET).", status=404)
    # Bolt (slack_bolt and slack_sdk, ~8 MiB) is loaded by the first Slack request, not by every web process at
    # start: most desks never receive one (issue 41).
    from slack_bolt.adapter.django import SlackRequestHandler

    from slackapp.bolt import bolt_app
    from slackapp.receive import request_receive

    answer = request_receive(
        path=request.path,
        body=request.body,
        headers=request.headers,
        sender=client_address(request) or "?",
        secret=settings.SLACK_SIGNING_SECRET,
    )
    if answer is not None:
        return HttpResponse(answer.text, status=answer.status, content_type="text/plain; charset=utf-8")
    return SlackRequestHandler(bolt_app()).handle(request)
