"""Slack's requests to the desk. No session and no CSRF token: Slack signs each request with the app's signing
secret and Bolt checks it (slackapp.bolt) before anything is stored."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from slack_bolt.adapter.django import SlackRequestHandler

from slackapp.bolt import bolt_app


@csrf_exempt  # authenticated by Slack's signature, not a session
@login_not_required
@require_POST
def slack_request(request: HttpRequest) -> HttpResponse:
    if not settings.SLACK_SIGNING_SECRET:
        return HttpResponse("The desk's Slack app is not set up (SLACK_SIGNING_SECRET).", status=404)
    return SlackRequestHandler(bolt_app()).handle(request)
